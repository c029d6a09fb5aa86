/**
 * `slapos node collect [--cfg PATH]` (format-collect-cli.md §2.1). Light to
 * import: the work loads on demand.
 *
 * Root check: the reference refuses to run as a normal user whatever
 * `root_check` says; here the check follows `[slapos] root_check` (default
 * true, so a root node behaves as the reference), so that the non-root
 * appliance (`configure local` as a normal user writes `root_check =
 * False`) can account its partitions.
 */
import type { CommandDef } from "../../core/cli/command.ts";

export const collectCommand: CommandDef = {
  name: "node collect",
  group: "node",
  summary: "collect system and partition consumption data and store it",
  description:
    "Samples the CPU, memory, IO, processes and disk usage of the computer and of each partition into " +
    "<instance_root>/var/data-log/collector.db, writes the daily consumption journals (TIO) that " +
    "`slapos node report` sends, and the partitions' monitor files. Cron runs it every minute.",
  config: "node",
  async run(ctx) {
    const { collectConfig } = await import("./config.ts");
    const { SlapError } = await import("../../core/errors.ts");
    const config = collectConfig(ctx.config);
    if (config.rootCheck && process.getuid?.() !== 0) throw new SlapError("not-root", "This slapos command must be run as root.");
    const { runCollect } = await import("./run.ts");
    return runCollect({ config, log: ctx.log, hooks: ctx.hooks });
  },
};
