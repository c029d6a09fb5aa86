/**
 * The engine's rules that need no process: what to do with a promise before
 * running it (periodicity cache), the results it makes itself (timeouts,
 * nothing returned), and the PromiseError text.
 */
import type { PartitionCheck, PromiseMode, PromiseResult, PromiseResultType, PromiseSpec } from "../../core/hooks/groups/promise.ts";
import { reprString } from "../../core/slap/python-repr.ts";
import { readCache } from "./cache.ts";
import type { PromiseFolders } from "./layout.ts";
import { readResult, resultDate, truncateMessage } from "./result-file.ts";

export function makeResult(
  spec: PromiseSpec,
  type: PromiseResultType,
  failed: boolean,
  message: string,
  seconds: number,
  origin: PromiseResult["origin"],
  date?: string,
): PromiseResult {
  return {
    title: spec.title,
    name: spec.name,
    path: spec.path,
    executionTime: seconds,
    type,
    failed,
    date: date ?? resultDate(),
    message: truncateMessage(message),
    origin,
  };
}

/**
 * A timeout or a promise that gave nothing: always a failure in test mode; in
 * anomaly mode only when the stored result had failed or said "error:" (one
 * timeout is tolerated).
 */
export function generatedFailure(
  mode: PromiseMode,
  resultFolder: string,
  spec: PromiseSpec,
  message: string,
  seconds: number,
  origin: PromiseResult["origin"],
): PromiseResult {
  if (mode === "test") return makeResult(spec, "Test Result", true, message, seconds, origin);
  const previous = readResult(resultFolder, spec.title);
  const problem = previous !== undefined && (previous.failed || previous.message.toLowerCase().includes("error:"));
  return makeResult(spec, "Anomaly Result", problem, message, seconds, origin);
}

/** What to do with a promise before running anything: skip it, reuse its stored result, or run it. */
export type Decision = { action: "skip" } | { action: "stale"; result?: PromiseResult } | { action: "run" };

export function decide(folders: PromiseFolders, check: Pick<PartitionCheck, "mode" | "force">, spec: PromiseSpec): Decision {
  const cache = readCache(folders.cache, spec.title);
  if (!cache) return { action: "run" };
  const disabled = check.mode === "anomaly" ? !cache.is_anomaly_detected : !cache.is_tested;
  if (disabled) return { action: "skip" };
  if (!check.force && typeof cache.next_run_after === "number" && Date.now() / 1000 < cache.next_run_after) {
    return { action: "stale", result: readResult(folders.result, spec.title) };
  }
  return { action: "run" };
}

/** The PromiseError text of a run whose promise failed: `Promise '<name>' failed with output: <message>`. */
export function promiseErrorText(name: string, message: string): string {
  return `Promise ${reprString(name)} failed with output: ${message}`;
}
