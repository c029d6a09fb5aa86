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

export function createPromiseHooks() {
  return {
    promise: {
      list: waterfall<PromiseSpec[]>("promises found in etc/plugin and etc/promise → list"),
      run: bail<{ promise: PromiseSpec; mode: "anomaly" | "test"; force: boolean; timeout: number }, PromiseResult>(
        "run one promise; the first tap that knows its kind answers",
      ),
      result: series<PromiseResult>("a promise result (persisted by the runner, then passed here)"),
      done: bail<PromiseResult[], Error>("all results of a partition; return an error to fail the run"),
    },
  };
}
