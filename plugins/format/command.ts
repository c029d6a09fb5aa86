/**
 * `slapos node format` (§1.1, §7.4): the command's options, as the
 * reference spells them. Options without a command-line default are left
 * out when not given, so they never override slapos.cfg. The work is
 * loaded on demand, so `slapos --help` stays light.
 */
import type { CommandDef } from "../../core/cli/command.ts";

export const formatCommand: CommandDef = {
  name: "node format",
  group: "node",
  summary: "create users, partitions and network configuration",
  config: "node",
  options: {
    computer_xml: {
      type: "string",
      alias: ["-x"],
      metavar: "COMPUTER_XML",
      help: "Path to file with computer's XML. If does not exists, will be created",
    },
    computer_json: {
      type: "string",
      metavar: "COMPUTER_JSON",
      help: "Path to a JSON version of the computer's XML (for development only)",
    },
    input_definition_file: {
      type: "string",
      alias: ["-i"],
      metavar: "INPUT_DEFINITION_FILE",
      help:
        "Path to file to read definition of computer instead of declaration. Using definition file allows to disable " +
        "'discovery' of machine services and allows to define computer configuration in fully controlled manner.",
    },
    output_definition_file: {
      type: "string",
      alias: ["-o"],
      metavar: "OUTPUT_DEFINITION_FILE",
      help: "Path to file to write definition of computer from declaration.",
    },
    alter_user: { type: "string", choices: ["True", "False"], help: "Shall slapformat alter user database (default: True)" },
    alter_network: { type: "string", choices: ["True", "False"], help: "Shall slapformat alter network configuration (default: True)" },
    now: { type: "boolean", default: false, help: "Launch slapformat without delay (default: False)" },
    dry_run: { type: "boolean", alias: ["-n"], default: false, help: "Don't actually do anything (default: False)" },
    console: { type: "string", alias: ["-c"], metavar: "CONSOLE", help: "Console output (obsolete)" },
  },
  async run(ctx) {
    const { runFormatCommand } = await import("./command-run.ts");
    return runFormatCommand(ctx);
  },
};
