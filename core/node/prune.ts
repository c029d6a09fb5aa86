/**
 * `slapos node prune`: the command's definition, light to import; the work
 * is in prune-run.ts and prune-scan.ts.
 */
import type { CommandDef } from "../cli/command.ts";

export const pruneCommand: CommandDef = {
  name: "node prune",
  group: "node",
  summary: "Clean up unused shared slapos.recipe.cmmi parts.",
  description:
    "Removes the shared parts (<shared root>/<name>/<hash>/, the shared root being the last line of\n" +
    "[slapos] shared_part_list) whose hash appears in no software's .installed.cfg or bin/ script, in no\n" +
    "other used shared part's signature, and in no software of a slapos.cfg found under the instance\n" +
    "root (recursive slapos). Repeats until nothing more is unused. Holds the software pidfile meanwhile,\n" +
    "and refuses (exit 255) while slapos node software runs, or without shared_part_list.",
  config: "node",
  options: {
    "dry-run": { type: "boolean", help: "Don't delete, just log" },
    "additional-software-directory": {
      type: "string",
      multiple: true,
      metavar: "ADDITIONAL_SOFTWARE_DIRECTORY",
      help: "Additional software directory containing .installed.cfg to consider. Shared parts used by software in these directories will not be pruned. Can be specified multiple times.",
    },
  },
  async run(ctx) {
    const { runPrune } = await import("./prune-run.ts");
    return runPrune(ctx);
  },
};
