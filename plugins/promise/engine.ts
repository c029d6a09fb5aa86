/**
 * The promise engine of one partition (node-runtime.md §3.8): find the
 * promises, decide for each whether it must run (periodicity cache, mode,
 * force), run those IN PARALLEL (bounded) each with its own timeout through
 * the `promise.run` hook, write results, cache and logs in the reference's
 * formats, bang at most once, and return the PromiseError of the first
 * failing promise in discovery order.
 */
import { existsSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import { availableParallelism } from "node:os";
import type { Hooks } from "../../core/hooks/catalogue.ts";
import type {
  PartitionCheck,
  PartitionCheckResult,
  PromiseMeta,
  PromiseOutcome,
  PromisePartition,
  PromiseResult,
  PromiseResultType,
  PromiseRunInput,
  PromiseSpec,
} from "../../core/hooks/groups/promise.ts";
import { SlapError, messageOf } from "../../core/errors.ts";
import { log } from "../../core/log/logger.ts";
import { reprString } from "../../core/slap/python-repr.ts";
import { startsIn, writeCache } from "./cache.ts";
import { discoverPromises } from "./discover.ts";
import { instancePython, softwarePathOf } from "./instance-python.ts";
import { bangAllowed } from "./kinds/declaration.ts";
import { holdRunner } from "./kinds/python.ts";
import { ownState, prepareFolders, promiseFolders, removeDeprecated, type PromiseFolders } from "./layout.ts";
import { cleanEnvironment, dropRefusal, partitionUser, readableBy, type PartitionUser } from "./partition-user.ts";
import { runPool } from "./pool.ts";
import { appendRun, logPath, verdictFromLog } from "./promise-log.ts";
import { writeResult } from "./result-file.ts";
import { spawnPromise } from "./spawn.ts";
import { decide, generatedFailure, makeResult, promiseErrorText } from "./verdicts.ts";

/** Promises run at once unless told otherwise: they mostly wait (sockets, sleeps, children). */
export const DEFAULT_CONCURRENCY = availableParallelism() * 4;
/** After a promise's time is up, how long its tap may take to clean up before the run goes on. */
const SETTLE_AFTER_TIMEOUT_MS = 5000;

const BOTH_DISABLED = "It's not allowed to disable both Test and Anomaly in promise!";

interface RunState {
  hooks: Hooks;
  partition: PromisePartition;
  options: PartitionCheck;
  folders: PromiseFolders;
  user: PartitionUser;
  env: Record<string, string>;
  python?: string;
  refusal?: string;
  /** The bang message sent in this run. */
  bang?: string;
}

function partitionOf(check: PartitionCheck): PromisePartition {
  const path = resolve(check.partitionPath);
  return {
    path,
    id: check.partitionId || basename(path),
    softwarePath: check.softwarePath ?? softwarePathOf(path),
    computerId: check.computerId,
    masterUrl: check.masterUrl,
    certFile: check.certFile,
    keyFile: check.keyFile,
  };
}

function typeFor(state: RunState): PromiseResultType {
  return state.options.mode === "anomaly" ? "Anomaly Result" : "Test Result";
}

function elapsed(start: number): number {
  return (performance.now() - start) / 1000;
}

async function sendBang(state: RunState, message: string): Promise<void> {
  if (state.options.mode !== "anomaly" || state.bang) return;
  state.bang = message;
  if (!state.options.bang) {
    log.warning(`Promise bang requested but nothing sends it: ${message}`);
    return;
  }
  try {
    await state.options.bang(message);
    log.info(`Bang with message ${reprString(message)}.`);
  } catch (error) {
    log.warning(`Bang failed: ${messageOf(error)}`);
  }
}

function logOutput(output: string | undefined): void {
  for (const line of (output ?? "").split("\n")) if (line.trim()) log.info(line);
}

/** Run one promise through `promise.run`, bounded by the timeout. */
async function runThroughHook(state: RunState, spec: PromiseSpec, onMeta: (meta: PromiseMeta) => void): Promise<{ outcome?: PromiseOutcome; timedOut: boolean; error?: unknown }> {
  const controller = new AbortController();
  const input: PromiseRunInput = {
    promise: spec,
    partition: state.partition,
    mode: state.options.mode,
    force: state.options.force,
    timeout: state.options.timeout,
    signal: controller.signal,
    logFolder: state.folders.log,
    instancePython: state.python,
    reportMeta: onMeta,
    spawn: (argv, options) =>
      spawnPromise(argv, { cwd: state.partition.path, env: state.env, user: state.user, signal: controller.signal, extraFds: options?.extraFds }),
    readableByPartitionUser: (path) => readableBy(state.user, path),
  };
  const running = state.hooks.promise.run.promise(input).then(
    (outcome) => ({ outcome, timedOut: false as const }),
    (error: unknown) => ({ error, timedOut: false as const }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), state.options.timeout * 1000)));
  const first = await Promise.race([running, expired]);
  clearTimeout(timer);
  if (first !== "timeout") return first;
  controller.abort(new Error("promise timed out"));
  // Let the tap kill what it started (and report what it knew) before going on.
  let settleTimer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([running, new Promise((done) => (settleTimer = setTimeout(done, SETTLE_AFTER_TIMEOUT_MS)))]);
  clearTimeout(settleTimer);
  return { timedOut: true };
}

/** Check one promise; undefined when it has nothing to report (its mode is disabled). */
async function checkPromise(state: RunState, spec: PromiseSpec): Promise<PromiseResult | undefined> {
  const { mode } = state.options;
  log.info(`Checking promise ${spec.name}...`);
  const start = performance.now();
  const fail = (message: string) => makeResult(spec, typeFor(state), true, message, elapsed(start), "checked");
  if (state.refusal) return fail(`Error: ${state.refusal}`);
  if (spec.invalid) return fail(spec.invalid);
  const onMeta = (meta: PromiseMeta) => {
    try {
      writeCache(state.folders.cache, spec.title, meta, mode);
    } catch (error) {
      log.warning(`Cannot write the cache of promise ${spec.name}: ${messageOf(error)}`);
    }
  };
  if (spec.meta) {
    onMeta(spec.meta);
    if (!spec.meta.isTested && !spec.meta.isAnomalyDetected) return fail(BOTH_DISABLED);
    if (!startsIn(spec.meta, mode)) return undefined;
  }

  const run = await runThroughHook(state, spec, onMeta);
  const seconds = elapsed(start);
  if (run.timedOut) {
    return generatedFailure(state.options.mode, state.folders.result, spec, `Error: Promise timed out after ${state.options.timeout} seconds`, seconds, "timeout");
  }
  if (run.error !== undefined) {
    log.error(`Promise ${spec.name}: ${messageOf(run.error)}`);
    return makeResult(spec, typeFor(state), true, `Error: ${messageOf(run.error)}`, seconds, "checked");
  }
  const outcome = run.outcome;
  if (!outcome) return fail(`Error: no plugin runs promises of kind ${reprString(spec.kind)}`);
  logOutput(outcome.output);
  if (outcome.empty) return undefined;
  const logFile = logPath(state.folders.log, spec.title);
  if (outcome.skipped) {
    const message = `SKIPPED: ${outcome.skipped}`;
    appendRun(logFile, [{ level: "WARNING", message }]);
    log.warning(`Promise ${spec.name} ${message}`);
    return makeResult(spec, typeFor(state), false, message, seconds, "skipped");
  }
  if (outcome.log) appendRun(logFile, outcome.log);
  let result: PromiseResult;
  let bang = outcome.bang;
  if (outcome.result) {
    const r = outcome.result;
    result = makeResult(spec, r.type ?? typeFor(state), r.failed, r.message, seconds, "checked", r.date);
  } else if (outcome.log) {
    const evaluate = outcome.evaluate ?? { resultCount: 1, failureAmount: 1 };
    const verdict = verdictFromLog(logFile, evaluate.resultCount, evaluate.failureAmount);
    result = makeResult(spec, outcome.resultType ?? typeFor(state), verdict.failed, verdict.message, seconds, "checked");
    if (result.failed && result.type === "Anomaly Result" && bangAllowed(spec.config)) bang ??= `Promise ${spec.title} is failing`;
  } else {
    return generatedFailure(state.options.mode, state.folders.result, spec, "Error: No output returned by the promise", seconds, "checked");
  }
  if (bang && mode === "anomaly") await sendBang(state, bang);
  return result;
}

function persist(state: RunState, result: PromiseResult): void {
  try {
    writeResult(state.folders.result, result);
  } catch (error) {
    log.error(`Cannot write the result of promise ${result.name}: ${messageOf(error)}`);
  }
  if (result.failed) log.error(result.message);
}

export interface EngineSettings {
  /** Promises run at once when the options do not say; DEFAULT_CONCURRENCY otherwise. */
  concurrency?: number;
}

/**
 * Check every promise of one partition. Never throws for a failing promise:
 * the PromiseError text is in the answer (`error`), for the caller to raise
 * (SlapError code "promise", exit 2) or to send to the master.
 */
export async function runPartitionPromises(hooks: Hooks, check: PartitionCheck, settings: EngineSettings = {}): Promise<PartitionCheckResult> {
  const partition = partitionOf(check);
  if (!existsSync(partition.path) || !statSync(partition.path).isDirectory()) {
    throw new SlapError("failure", `Partition directory ${partition.path} does not exist.`);
  }
  const user = partitionUser(partition.path);
  const folders = promiseFolders(partition.path);
  const state: RunState = {
    hooks,
    partition,
    options: check,
    folders,
    user,
    env: cleanEnvironment(user.home),
    python: instancePython(partition.softwarePath),
    refusal: dropRefusal(user),
  };
  log.info(`Checking ${partition.id} promises...`);
  prepareFolders(folders, user);
  const found = discoverPromises(folders, check.only);
  const specs = await hooks.promise.list.promise(found, { partition, mode: check.mode });
  removeDeprecated(folders, specs.map((spec) => spec.name));

  let skipped = 0;
  const slots: Array<PromiseResult | undefined> = new Array(specs.length);
  const toRun: number[] = [];
  specs.forEach((spec, index) => {
    const decision = decide(state.folders, state.options, spec);
    if (decision.action === "run") return void toRun.push(index);
    skipped++;
    if (decision.action === "stale" && decision.result?.failed) {
      log.error(decision.result.message);
      slots[index] = decision.result;
    }
  });

  const concurrency = Math.max(1, check.concurrency ?? settings.concurrency ?? DEFAULT_CONCURRENCY);
  const releaseRunner = holdRunner();
  try {
    await runPool(toRun, concurrency, async (index) => {
      const spec = specs[index];
      const result = await checkPromise(state, spec).catch((error: unknown) =>
        makeResult(spec, typeFor(state), true, `Error: ${messageOf(error)}`, 0, "checked"),
      );
      if (!result) return;
      persist(state, result);
      slots[index] = result;
      // A plugin that fails on a result must not stop the other promises.
      await hooks.promise.result.promise({ partition, result }).catch((error: unknown) => {
        log.warning(`promise.result: ${messageOf(error)}`);
      });
    });
  } finally {
    releaseRunner();
    ownState(folders, user);
  }

  if (skipped > 0) log.info(`${skipped} promises didn't need to be checked.`);
  const results = slots.filter((r): r is PromiseResult => r !== undefined);
  const firstFailure = results.find((r) => r.failed);
  let error = firstFailure ? promiseErrorText(firstFailure.name, firstFailure.message) : undefined;
  const replaced = await hooks.promise.done.promise({ partition, results, error });
  if (replaced) error = replaced.message;
  return { results, skipped, error, bang: state.bang };
}
