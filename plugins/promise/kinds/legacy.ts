/**
 * Kind "legacy": an executable in `etc/promise`, run natively the way the
 * reference's WrapPromise runs it: in the partition folder, output (stdout and
 * stderr merged) stripped and logged at ERROR when it exits non-zero, else at
 * INFO. The test fails when the latest run failed; the anomaly check only
 * when the 3 latest runs failed, and it still reports a "Test Result" (so a
 * legacy promise never bangs), as WrapPromise does.
 */
import { statSync } from "node:fs";
import type { PromiseMeta, PromiseOutcome, PromiseRunInput } from "../../../core/hooks/groups/promise.ts";
import { pyStrip } from "../promise-log.ts";

/** Periodicity of wrapped legacy promises, in minutes. */
export const LEGACY_PERIODICITY = 2;

export function legacyMeta(path: string): PromiseMeta {
  return { periodicity: LEGACY_PERIODICITY, isTested: true, isAnomalyDetected: true, moduleFile: path };
}

export async function runLegacyPromise(input: PromiseRunInput): Promise<PromiseOutcome> {
  const evaluate = input.mode === "anomaly" ? { resultCount: 3, failureAmount: 3 } : { resultCount: 1, failureAmount: 1 };
  try {
    statSync(input.promise.path);
  } catch {
    // Removed since it was found: what Popen would have said.
    return {
      log: [{ level: "ERROR", message: `[Errno 2] No such file or directory: '${input.promise.path}'` }],
      evaluate,
      resultType: "Test Result",
    };
  }
  const run = await input.spawn([input.promise.path]);
  const message = run.spawnError ?? pyStrip(run.output);
  return {
    log: [{ level: run.code === 0 && !run.spawnError ? "INFO" : "ERROR", message }],
    evaluate,
    resultType: "Test Result",
  };
}
