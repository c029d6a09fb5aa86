/**
 * processComputerPartition (node-runtime.md §3.3): the timestamp
 * short-circuit, then install/start/stop by requested state, promises,
 * state reports, the requested-instance transaction, the per-partition log
 * and error file, and `.timestamp` written only on full success.
 */
import { existsSync, lchownSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import { addLogFile } from "../../log/logger.ts";
import type { ComputerPartition } from "../../slap/objects.ts";
import type { NodeRun } from "../context.ts";
import { ownFolder, writeOwnFile } from "../own-files.ts";
import { Partition } from "./partition.ts";
import { checkPromises } from "./promises.ts";
import { endTransaction, resetTransaction } from "./transaction.ts";

export interface InstanceRunOptions {
  /** --force / --all */
  develop: boolean;
  forceStop: boolean;
  buildoutDebug: boolean;
}

const LOG_ROTATE_BYTES = 20 * 1024 * 1024;

/** maximum_periodicity, or the software release's own `periodicity` file (an unparsable one is removed). */
function periodicityOf(run: NodeRun, softwarePath: string | undefined): number {
  if (!softwarePath) return run.options.maximumPeriodicity;
  const file = join(softwarePath, "periodicity");
  if (!existsSync(file)) return run.options.maximumPeriodicity;
  const text = readFileSync(file, "utf8");
  if (/^\s*[+-]?\d+\s*$/.test(text)) return Number.parseInt(text, 10);
  run.log.error(`Wrong periodicity in ${file}: ${JSON.stringify(text)} is not an integer; file removed`);
  rmSync(file, { force: true });
  return run.options.maximumPeriodicity;
}

/** The anomaly check of an up-to-date started partition (§3.9): traffic only when the master's status must change. */
async function anomalyCheck(partition: Partition): Promise<void> {
  const { run } = partition;
  const status = partition.slap.raw.state._access_status;
  const known = status !== undefined && status !== null;
  const isError = typeof status === "string" && status.startsWith("#error");
  try {
    await checkPromises(partition, "anomaly", false);
  } catch (error) {
    if (!(error instanceof SlapError) || error.code !== "promise") throw error;
    run.log.error(error.message);
    if (!known || !isError) {
      await partition.updateCertificates();
      await run.master.softwareInstanceError(run.options.computerId, partition.id, error.message);
    }
    return;
  }
  if (!known || isError) {
    await partition.updateCertificates();
    await run.master.partitionState("started", run.options.computerId, partition.id);
  }
}

type Freshness = "up-to-date" | "stale" | "unchecked";

/**
 * The short-circuit test: only when not develop, with a master timestamp,
 * a non-zero periodicity and a `.timestamp` file. Equality, not ordering:
 * an older master timestamp reprocesses too; a negative periodicity never
 * expires.
 */
function freshness(file: string, stored: string | undefined, timestamp: string | undefined, periodicity: number, develop: boolean): Freshness {
  if (develop || timestamp === undefined || periodicity === 0) return "unchecked";
  if (stored === undefined) return "unchecked";
  if (stored !== timestamp) return "stale";
  const expired = periodicity > 0 && Date.now() / 1000 > statSync(file).mtimeMs / 1000 + periodicity;
  return expired ? "stale" : "up-to-date";
}

function chownTree(path: string, uid: number, gid: number): void {
  lchownSync(path, uid, gid);
  // lstat: a symlink inside is chowned itself, never followed
  if (!lstatSync(path).isDirectory()) return;
  for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid);
}

/** `.slapgrid/log/instance.log` gets every log line while the partition is processed (rotated at 20 MiB). */
function startPartitionLog(path: string): () => void {
  const folder = ownFolder(path, join(path, ".slapgrid", "log"));
  if (process.getuid?.() === 0) {
    const { uid, gid } = statSync(path);
    chownTree(join(path, ".slapgrid"), uid, gid);
  }
  const file = join(folder, "instance.log");
  const stat = lstatSync(file, { throwIfNoEntry: false });
  if (stat?.isSymbolicLink()) rmSync(file);
  else if (stat && stat.size >= LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  return addLogFile(file, { withName: true });
}

/** Process one partition; throws on failure (a `promise` SlapError when only promises failed). */
export async function processPartition(run: NodeRun, slap: ComputerPartition, options: InstanceRunOptions): Promise<void> {
  const partition = new Partition(run, slap);
  const { id, path } = partition;
  run.log.debug(`Check if ${id} requires processing...`);
  resetTransaction(path, id);
  const rawTimestamp = slap.getInstanceParameterDict().timestamp;
  let timestamp = rawTimestamp === undefined || rawTimestamp === null ? undefined : String(rawTimestamp);
  const periodicity = periodicityOf(run, partition.softwarePath);
  const state = partition.requestedState;
  const job = partition.job;
  await run.hooks.instance.setup.promise(job);
  // --force-stop processes a started partition whatever its timestamp, and never records one
  if (options.forceStop && state === "started") timestamp = undefined;
  const timestampFile = join(path, ".timestamp");
  let stopLog: (() => void) | undefined;
  try {
    // read once: both the hook and the short-circuit test look at it
    const stored = existsSync(timestampFile) ? readFileSync(timestampFile, "utf8") : undefined;
    const decided = await run.hooks.instance.shouldProcess.promise({
      partition: job,
      timestamp,
      stored,
      periodicity,
      develop: options.develop,
      forceStop: options.forceStop,
    });
    const fresh = freshness(timestampFile, stored, timestamp, periodicity, options.develop);
    if (decided === false || (decided === undefined && fresh === "up-to-date")) {
      if (state === "started" && !options.forceStop) {
        run.log.debug("Partition already up-to-date.");
        await anomalyCheck(partition);
      } else {
        run.log.debug("Partition already up-to-date. skipping.");
      }
      await run.hooks.instance.upToDate.promise(job);
      return;
    }
    if (fresh !== "unchecked") rmSync(timestampFile, { force: true });

    stopLog = startPartitionLog(path);
    run.log.info(`Processing Computer Partition ${id}.`);
    run.log.info(`  Software URL: ${partition.softwareUrl ?? "None"}`);
    run.log.info(`  Software path: ${partition.softwarePath ?? "None"}`);
    run.log.info(`  Instance path: ${path}`);
    try {
      await partition.updateCertificates();
      run.log.info(`  Instance status: ${state}`);
      rmSync(join(path, `.slapgrid-${id}-error.log`), { force: true });
      await byState(partition, state, options);
    } catch (error) {
      if (!(error instanceof SlapError && error.code === "promise")) {
        writeOwnFile(join(path, `.slapgrid-${id}-error.log`), error instanceof Error ? error.message : String(error));
        if (state === "started") {
          // refresh promise results even though the run failed; a promise failure changes nothing here
          try {
            await checkPromises(partition, "test", true);
          } catch (promiseError) {
            if (!(promiseError instanceof SlapError && promiseError.code === "promise")) throw promiseError;
          }
        }
      }
      throw error;
    }
  } finally {
    stopLog?.();
    await run.hooks.instance.tearDown.promise(job);
  }
  if (timestamp !== undefined) writeOwnFile(timestampFile, timestamp);
}

async function byState(partition: Partition, state: string, options: InstanceRunOptions): Promise<void> {
  const { run, id } = partition;
  const computer = run.options.computerId;
  const ignore = (what: string) => (error: unknown) => run.log.debug(`${what} for ${id} failed (ignored): ${messageOf(error)}`);
  if (state === "started") {
    await partition.install(options.buildoutDebug);
    if (options.forceStop) await partition.stop();
    else await partition.start();
    if (!options.forceStop) {
      await checkPromises(partition, "test", true);
      await run.master.partitionState("started", computer, id);
      await run.hooks.instance.state.promise({ partition: partition.job, state: "started" });
    }
    await endTransaction(partition);
  } else if (state === "stopped") {
    try {
      await partition.install(options.buildoutDebug);
    } finally {
      // processes are stopped even when buildout failed
      await partition.stop();
    }
    await run.master.partitionState("stopped", computer, id).catch(ignore("stoppedComputerPartition"));
    await run.hooks.instance.state.promise({ partition: partition.job, state: "stopped" });
    await endTransaction(partition);
  } else if (state === "destroyed") {
    await partition.stop();
    await run.master.partitionState("stopped", computer, id).catch(ignore("stoppedComputerPartition"));
  } else {
    const message = `Computer Partition '${id}' has unsupported state: ${state}`;
    await run.master.softwareInstanceError(computer, id, message).catch(ignore("softwareInstanceError"));
    throw new SlapError("failure", message);
  }
}
