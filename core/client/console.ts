/**
 * `slapos console [-u URL] [-k KEY] [-c CERT] [SCRIPT [ARGS...]]`
 * (format-collect-cli.md §6.5): the command's definition, light to import.
 * The reference's console is Python; ours is JavaScript with the same names
 * (console-namespace.ts), interactive (console-repl.ts) or running a
 * script (console-script.ts).
 */
import type { CommandContext, CommandDef } from "../cli/command.ts";

const text = (value: unknown) => (value === undefined || value === "" ? undefined : String(value));

async function runConsole(ctx: CommandContext): Promise<number> {
  const { SlapError } = await import("../errors.ts");
  const shells = ["ipython", "bpython", "python"].filter((name) => ctx.options[name]);
  if (shells.length > 1) {
    throw new SlapError("usage", `argument --${shells[1]}: not allowed with argument --${shells[0]}`);
  }
  const words = [...((ctx.args.script_file_and_arguments as string[] | undefined) ?? []), ...ctx.rest];
  const { checkScript } = await import("./console-script.ts");
  if (words.length) checkScript(words[0]); // a Python or missing script is refused before connecting
  const { consoleSettings } = await import("./console-settings.ts");
  const { connect } = await import("./connect.ts");
  const { consoleNames } = await import("./console-namespace.ts");
  const settings = consoleSettings(ctx.config, {
    masterUrl: text(ctx.options.master_url),
    keyFile: text(ctx.options.key_file),
    certFile: text(ctx.options.cert_file),
  });
  const names = consoleNames(connect(settings), ctx.log) as unknown as Record<string, unknown>;
  if (words.length) {
    const { runConsoleScript } = await import("./console-script.ts");
    await runConsoleScript(words[0], words.slice(1), names);
    return 0;
  }
  const { interactiveConsole, pipedConsole } = await import("./console-repl.ts");
  if (process.stdin.isTTY) await interactiveConsole(names);
  else await pipedConsole(names, process.stdin);
  return 0;
}

export const consoleCommand: CommandDef = {
  name: "console",
  group: "client",
  summary: "open a console with slap library imported (JavaScript)",
  description:
    "You can play with the global \"slap\" object and with the global request(), supply() and\n" +
    "getInformation() functions and \"product\"; calls to the master return Promises:\n" +
    "  await request(kvm, \"myuniquekvm\")                          // request an instance\n" +
    "  await supply(kvm, \"mycomputer\")                            // supply a software to a node\n" +
    "  (await request(kvm, \"myuniquekvm\")).getConnectionParameter(\"url\")\n" +
    "  await product.kvm                                          // best release of a software product\n" +
    "With SCRIPT, runs that JavaScript (or TypeScript) file with these names as globals, __file__ and\n" +
    "argv ([SCRIPT, ARGS...]) set; options for the script go after --. From a pipe, each line is evaluated\n" +
    "in turn. The reference's console is Python: Python console scripts are not supported, and\n" +
    "-i/-b/-p (IPython, bpython, plain Python) are accepted but all give this console.",
  config: "client",
  args: [{ name: "script_file_and_arguments", required: false, variadic: true, help: "Script to run, with arguments" }],
  options: {
    master_url: { type: "string", alias: ["-u"], help: "Url of SlapOS Master to use" },
    key_file: { type: "string", alias: ["-k"], help: "SSL Authorisation key file" },
    cert_file: { type: "string", alias: ["-c"], help: "SSL Authorisation certificate file" },
    ipython: { type: "boolean", alias: ["-i"], help: "Use IPython shell if available (default): the JavaScript console here" },
    bpython: { type: "boolean", alias: ["-b"], help: "Use BPython shell if available: the JavaScript console here" },
    python: { type: "boolean", alias: ["-p"], help: "Use plain Python shell: the JavaScript console here" },
  },
  run: runConsole,
};
