/**
 * Hooks of promise checks (node-runtime.md §3.8, §3.9, §3.14).
 *
 * The node runtime asks for a partition's promises to be checked through
 * `promise.check` (the promise plugin answers). Inside that run,
 * promises are found (`promise.list`), each one is run by the first tap of
 * `promise.run` that knows its kind, each result is announced
 * (`promise.result`), and the whole set may be judged (`promise.done`).
 */
import { bail, series, waterfall } from "../declare.ts";

/** "test" after deploying (force, every promise); "anomaly" on up-to-date partitions. */
export type PromiseMode = "test" | "anomaly";

/** The `result.type` of a status.json file. */
export type PromiseResultType = "Test Result" | "Anomaly Result";

/** Levels a promise log line may carry; ERROR and CRITICAL mean failure. */
export type PromiseLogLevel = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** What a promise says about itself; the runner keeps it in `.slapgrid/promise/cache/<title>`. */
export interface PromiseMeta {
  /** Minutes between two checks (GenericPromise's periodicity). */
  periodicity: number;
  /** Write the periodicity as a Python float (`2.0`) rather than an int. */
  periodicityIsFloat?: boolean;
  /** False when the promise disabled its test (setTestLess). */
  isTested: boolean;
  /** False when the promise disabled its anomaly check (setAnomalyLess). */
  isAnomalyDetected: boolean;
  /** The file whose disappearance invalidates the cache. */
  moduleFile: string;
}

/** One promise found in a partition. */
export interface PromiseSpec {
  /** File name, e.g. `check-port.promise.json`, `my_promise.py`, `check-web`. */
  name: string;
  /** Name without its extension; result, cache and log files are named after it. */
  title: string;
  path: string;
  /**
   * "python" (etc/plugin/*.py), "legacy" (etc/promise executables), or the
   * `kind` field of an etc/plugin/*.promise.json declaration
   * ("port-listening", "url", or one a plugin adds).
   */
  kind: "python" | "legacy" | "port-listening" | "url" | (string & {});
  /** The parsed declaration of a *.promise.json file; empty for python and legacy. */
  config: Record<string, unknown>;
  /** Known before running (legacy, declarations); python plugins report theirs while running. */
  meta?: PromiseMeta;
  /** A declaration that could not be read: the promise fails with this message. */
  invalid?: string;
}

/** The partition whose promises are checked, as taps see it. */
export interface PromisePartition {
  /** INST_ROOT/slappartN */
  path: string;
  /** e.g. slappart3 */
  id: string;
  computerId?: string;
  masterUrl?: string;
  /** The partition's certificate and key (certificate_repository_path/PID.crt|key). */
  certFile?: string;
  keyFile?: string;
  /** SW_ROOT/<md5> */
  softwarePath?: string;
}

/**
 * What the node runtime asks for: check every promise of one partition
 * (`promise.check`). `node instance` uses test mode with force after starting
 * a partition and anomaly mode without force on up-to-date started ones;
 * `node promise` uses test mode with force.
 */
export interface PartitionCheck {
  /** e.g. slappart3 */
  partitionId: string;
  /** INST_ROOT/slappart3 */
  partitionPath: string;
  /** SW_ROOT/<md5>, to find the release's Python; defaults to where `software_release` points. */
  softwarePath?: string;
  /** Given to Python plugins as their configuration (`computer-id`, `master-url`, …). */
  computerId?: string;
  masterUrl?: string;
  certFile?: string;
  keyFile?: string;
  mode: PromiseMode;
  /** Run every promise whatever its periodicity. */
  force: boolean;
  /** Seconds each promise may run (promise_timeout, 20 by default). */
  timeout: number;
  /** Promises run at once; defaults to the plugin's setting (CPU count × 4). */
  concurrency?: number;
  /** Only these etc/plugin file names (the reference's run-only-promise-list; legacy ones are then skipped). */
  only?: string[];
  /**
   * Called at most once per run when, in anomaly mode, a promise asks for a
   * bang ("Promise <title> is failing"). The node runtime posts
   * `softwareInstanceBang` with the partition's certificate. A throw is
   * logged as a warning and does not fail the run.
   */
  bang?: (message: string) => Promise<void> | void;
}

/** How a result came about. */
export type PromiseOrigin =
  | "checked" // the promise ran
  | "timeout" // it ran out of time
  | "cached" // its periodicity had not elapsed; the stored result was read again
  | "skipped"; // it could not run here (e.g. no Python in the software release); reported as success

/** One promise's result, as written in `.slapgrid/promise/result/<title>.status.json`. */
export interface PromiseResult {
  title: string;
  name: string;
  path: string;
  /** Seconds. */
  executionTime: number;
  type: PromiseResultType;
  failed: boolean;
  /** `%Y-%m-%dT%H:%M:%S+0000`, UTC. */
  date: string;
  message: string;
  origin: PromiseOrigin;
}

/** What `promise.check` answers; it never throws for a failing promise. */
export interface PartitionCheckResult {
  /** Results in discovery order (promises that needed no check and had not failed are absent). */
  results: PromiseResult[];
  /** Promises that did not need to be checked (periodicity, or mode disabled). */
  skipped: number;
  /** The PromiseError text, `Promise '<name>' failed with output: <message>`; raise it as SlapError code "promise" (exit 2). */
  error?: string;
  /** The bang message sent during this run, if any. */
  bang?: string;
}

/** A line a promise logged: it goes to `.slapgrid/promise/log/<title>.log`. */
export interface PromiseLogLine {
  level: PromiseLogLevel;
  message: string;
}

/** What a process spawned for a promise produced. */
export interface PromiseSpawnResult {
  /** Exit code; null when killed by a signal. */
  code: number | null;
  /** stdout and stderr, merged. */
  output: string;
  /** Set when the process could not be started at all. */
  spawnError?: string;
  /** Text written on the extra descriptors asked for (fd 3, 4, …). */
  extra: string[];
}

/** What a `promise.run` tap gets. */
export interface PromiseRunInput {
  promise: PromiseSpec;
  partition: PromisePartition;
  mode: PromiseMode;
  force: boolean;
  /** Seconds. */
  timeout: number;
  /** Aborted when the promise's time is up: stop, kill what you started. */
  signal: AbortSignal;
  /** `.slapgrid/promise/log` */
  logFolder: string;
  /** The software release's Python, when its bin/buildout names one. */
  instancePython?: string;
  /** Report what the promise says about itself, as soon as known (python plugins do). */
  reportMeta(meta: PromiseMeta): void;
  /**
   * Run a program as the partition user (when running as root), in the
   * partition folder, with a clean environment, stdout and stderr merged,
   * killed with its children when `signal` aborts.
   */
  spawn(argv: string[], options?: { extraFds?: number }): Promise<PromiseSpawnResult>;
  /** True when a file may be read by the partition user (checks run as root read files for it). */
  readableByPartitionUser(path: string): boolean;
}

/**
 * What a `promise.run` tap answers. Either a verdict (`result`), or the lines
 * the check logged (`log`) from which the runner derives the verdict as
 * GenericPromise's `_test()` / `_anomaly()` do, reading back the latest
 * `evaluate.resultCount` runs in the promise's log and failing when
 * `evaluate.failureAmount` of them failed.
 */
export interface PromiseOutcome {
  log?: PromiseLogLine[];
  result?: { failed: boolean; message: string; type?: PromiseResultType; date?: string };
  /** Defaults to 1 run and 1 failure. */
  evaluate?: { resultCount: number; failureAmount: number };
  /** The result type to report when evaluating (legacy promises report "Test Result" in both modes). */
  resultType?: PromiseResultType;
  /** The promise disabled the current mode: no result is written (Empty Result). */
  empty?: boolean;
  /** The promise cannot run here; reported as a success whose message starts with "SKIPPED: ". */
  skipped?: string;
  /** Ask for a bang with this message (the runner sends at most one per run, in anomaly mode). */
  bang?: string;
  /** Output of child processes, logged by the runner. */
  output?: string;
}

export function createPromiseHooks() {
  return {
    promise: {
      check: bail<PartitionCheck, PartitionCheckResult>(
        "check every promise of one partition → results and the PromiseError text; the promise plugin answers",
      ),
      list: waterfall<PromiseSpec[], { partition: PromisePartition; mode: PromiseMode }>(
        "promises found in etc/plugin and etc/promise → list (filter, add)",
      ),
      run: bail<PromiseRunInput, PromiseOutcome>("run one promise; the first tap that knows its kind answers"),
      result: series<{ partition: PromisePartition; result: PromiseResult }>(
        "a promise result, after it was written to .slapgrid/promise/result",
      ),
      done: bail<{ partition: PromisePartition; results: PromiseResult[]; error?: string }, Error>(
        "all results of a partition; return an error to replace the run's PromiseError",
      ),
    },
  };
}
