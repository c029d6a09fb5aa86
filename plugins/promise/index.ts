/**
 * The promise plugin: checks a partition's promises (legacy executables,
 * Python plugins with the software release's Python, built-in port and URL
 * checks) in parallel, in the reference's on-disk formats. See README.md.
 *
 * Node runtime API: `hooks.promise.check` (answered here), or
 * `runPartitionPromises(hooks, check)`.
 */
import type { Hooks } from "../../core/hooks/catalogue.ts";
import type { PartitionCheck, PartitionCheckResult } from "../../core/hooks/groups/promise.ts";
import { definePlugin } from "../../core/hooks/plugin.ts";
import { SlapError } from "../../core/errors.ts";
import { promiseRunCommand } from "./command.ts";
import type { EngineSettings } from "./engine.ts";

export type { EngineSettings };

/**
 * Check every promise of one partition (see engine.ts); what `promise.check`
 * answers. The answer carries the PromiseError text instead of throwing it.
 * Loaded on first use, so that commands that check no promise do not pay
 * for it.
 */
export async function runPartitionPromises(hooks: Hooks, check: PartitionCheck, settings: EngineSettings = {}): Promise<PartitionCheckResult> {
  const engine = await import("./engine.ts");
  return engine.runPartitionPromises(hooks, check, settings);
}

function concurrencyOption(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new SlapError("config", `[plugin:promise] concurrency must be a positive integer, not ${JSON.stringify(value)}`);
  }
  return n;
}

export const promisePlugin = definePlugin({
  name: "promise",
  version: "1.0.0",
  apiVersion: "^1.0.0",
  commands: [promiseRunCommand],
  apply(hooks, ctx) {
    const concurrency = concurrencyOption(ctx.options.concurrency);
    hooks.promise.run.tapPromise("promise", async (input) => {
      const { BUILTIN_KINDS } = await import("./kinds/index.ts");
      return BUILTIN_KINDS[input.promise.kind]?.(input);
    });
    hooks.promise.check.tapPromise("promise", (check) => runPartitionPromises(hooks, check, { concurrency }));
  },
});

export default promisePlugin;
