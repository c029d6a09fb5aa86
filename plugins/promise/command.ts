/**
 * `slapos promise run PARTITION_PATH`: check the promises of one partition
 * folder, as `node promise` does for each started partition (test mode,
 * every promise), and print one line per result. A debugging aid: it needs
 * no master. Exit code 2 when a promise fails.
 */
import type { CommandContext, CommandDef } from "../../core/cli/command.ts";
import { SlapError } from "../../core/errors.ts";
import type { PromiseResult } from "../../core/hooks/groups/promise.ts";

function status(result: PromiseResult): string {
  if (result.failed) return "FAILED";
  return result.origin === "skipped" ? "SKIPPED" : "OK";
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new SlapError("usage", `--${name} must be a positive number, not ${String(value)}`);
  return n;
}

async function run(ctx: CommandContext): Promise<number> {
  const path = String(ctx.args["partition-path"]);
  const { existsSync, statSync } = await import("node:fs");
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new SlapError("usage", `not a partition folder: ${path}`);
  const timeout =
    positive(ctx.options["promise-timeout"], "promise-timeout") ?? Number(ctx.config.get("slapos", "promise_timeout") ?? 20);
  const only = ctx.options.only as string[] | undefined;
  const { basename, resolve } = await import("node:path");
  const report = await ctx.hooks.promise.check.promise({
    partitionId: basename(resolve(path)),
    partitionPath: path,
    computerId: ctx.config.get("slapos", "computer_id") ?? undefined,
    masterUrl: ctx.config.get("slapos", "master_url") ?? undefined,
    mode: ctx.options["check-anomaly"] ? "anomaly" : "test",
    force: !ctx.options.periodicity,
    timeout,
    concurrency: positive(ctx.options.concurrency, "concurrency"),
    only: only?.length ? only : undefined,
  });
  if (!report) throw new SlapError("hook-untapped", "no plugin answered hook promise.check");
  if (ctx.options.json) {
    process.stdout.write(JSON.stringify({ results: report.results, skipped: report.skipped, error: report.error ?? null }, null, 2) + "\n");
  } else {
    for (const result of report.results) {
      const first = result.message.split("\n")[0];
      process.stdout.write(`${status(result).padEnd(7)}  ${result.title}: ${first}\n`);
    }
  }
  if (report.error) throw new SlapError("promise", report.error);
  return 0;
}

export const promiseRunCommand: CommandDef = {
  name: "promise run",
  group: "other",
  summary: "check the promises of one partition folder and print their results",
  description:
    "Runs etc/plugin and etc/promise of PARTITION_PATH as `slapos node promise` does for a started partition " +
    "(test mode, every promise), without asking the master. Exit code 2 when a promise fails.",
  args: [{ name: "partition-path", help: "the partition folder, e.g. /srv/slapgrid/slappart0" }],
  options: {
    "check-anomaly": { type: "boolean", help: "run the anomaly checks instead of the tests" },
    periodicity: { type: "boolean", help: "honour each promise's periodicity (skip promises checked recently)" },
    "promise-timeout": { type: "number", metavar: "SECONDS", help: "seconds each promise may run (default: promise_timeout, 20)" },
    concurrency: { type: "number", metavar: "N", help: "promises run at once (default: CPU count × 4)" },
    only: { type: "string", multiple: true, metavar: "NAME", help: "only this etc/plugin file (repeatable)" },
    json: { type: "boolean", help: "print the results as JSON" },
  },
  config: "node",
  configOptional: true,
  run,
};
