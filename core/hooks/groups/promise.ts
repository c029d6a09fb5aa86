/** Hooks of promise checks (node-runtime.md §3.8). */
import { bail, series, waterfall } from "../declare.ts";

export interface PromiseSpec {
  name: string;
  path: string;
  kind: "plugin" | "legacy" | (string & {});
  partitionPath: string;
}

export interface PromiseResult {
  name: string;
  title: string;
  path: string;
  ok: boolean;
  message: string;
  /** ISO date of the check. */
  date: string;
  skipped?: boolean;
}

export interface PartitionCheck {
  partitionId: string;
  partitionPath: string;
  /** SW_ROOT/H of the partition's software release, to find its Python. */
  softwarePath?: string;
  mode: "anomaly" | "test";
  force: boolean;
  /** Seconds per promise. */
  timeout: number;
  /** Bang the master for this partition (anomaly mode, at most once per run). */
  bang?: (message: string) => Promise<void>;
}

export interface PartitionCheckResult {
  results: PromiseResult[];
  /** The reference's PromiseError text when a promise failed, e.g. "Promise 'x' failed with output: ...". */
  error?: string;
}

export function createPromiseHooks() {
  return {
    promise: {
      check: bail<PartitionCheck, PartitionCheckResult>("run every promise of a partition; the promise engine answers"),
      list: waterfall<PromiseSpec[]>("promises found in etc/plugin and etc/promise → list"),
      run: bail<{ promise: PromiseSpec; mode: "anomaly" | "test"; force: boolean; timeout: number }, PromiseResult>(
        "run one promise; the first tap that knows its kind answers",
      ),
      result: series<PromiseResult>("a promise result (persisted by the runner, then passed here)"),
      done: bail<PromiseResult[], Error>("all results of a partition; return an error to fail the run"),
    },
  };
}
