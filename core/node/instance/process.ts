/**
 * processComputerPartition (node-runtime.md §3.3): the timestamp
 * short-circuit, then install/start/stop by requested state, promises,
 * state reports, the per-partition log and error file, and `.timestamp`
 * written only on full success.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import { addLogFile } from "../../log/logger.ts";
import type { NodeRun } from "../context.ts";
import { Partition } from "./partition.ts";
import { checkPromises } from "./promises.ts";
import type { ComputerPartition } from "../../slap/objects.ts";

export interface InstanceRunOptions {
  /** --force / --all */
  develop: boolean;
  forceStop: boolean;
  buildoutDebug: boolean;
}

const LOG_ROTATE_BYTES = 20 * 1024 * 1024;

function periodicityOf(run: NodeRun, softwarePath: string | undefined): number {
  if (!softwarePath) return run.options.maximumPeriodicity;
  const file = join(softwarePath, "periodicity");
  if (!existsSync(file)) return run.options.maximumPeriodicity;
  const value = Number.parseInt(readFileSync(file, "utf8").trim(), 10);
  if (Number.isFinite(value)) return value;
  run.log.error(`Wrong periodicity in ${file}: removed`);
  rmSync(file, { force: true });
  return run.options.maximumPeriodicity;
}

/** The anomaly check of an up-to-date started partition (§3.9): traffic only when the master's status must change. */
async function anomalyCheck(partition: Partition): Promise<void> {
  const { run } = partition;
  const status = partition.slap.raw.state._access_status;
  const isError = typeof status === "string" && status.startsWith("#error");
  try {
    await checkPromises(partition, "anomaly", false);
  } catch (error) {
    if (!(error instanceof SlapError) || error.code !== "promise") throw error;
    run.log.error(error.message);
    if (status === undefined || status === null || !isError) {
      await partition.updateCertificates();
      await run.master.softwareInstanceError(run.options.computerId, partition.id, error.message);
    }
    return;
  }
  if (status === undefined || status === null || isError) {
    await partition.updateCertificates();
    await run.master.partitionState("started", run.options.computerId, partition.id);
  }
}

function upToDate(path: string, timestamp: string | undefined, periodicity: number): boolean {
  if (timestamp === undefined || periodicity === 0) return false;
  const file = join(path, ".timestamp");
  if (!existsSync(file)) return false;
  if (readFileSync(file, "utf8") !== timestamp) return false;
  return periodicity < 0 || Date.now() / 1000 <= statSync(file).mtimeMs / 1000 + periodicity;
}

function startPartitionLog(path: string): () => void {
  const folder = join(path, ".slapgrid", "log");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "instance.log");
  if (existsSync(file) && statSync(file).size >= LOG_ROTATE_BYTES) renameSync(file, `${file}.1`);
  return addLogFile(file);
}

/** Process one partition; throws on failure (a `promise` SlapError when only promises failed). */
export async function processPartition(run: NodeRun, slap: ComputerPartition, options: InstanceRunOptions): Promise<void> {
  const partition = new Partition(run, slap);
  const { id, path } = partition;
  rmSync(join(path, `.slapos-request-transaction-${id}`), { force: true });
  const rawTimestamp = slap.getInstanceParameterDict().timestamp;
  let timestamp = rawTimestamp === undefined || rawTimestamp === null ? undefined : String(rawTimestamp);
  const periodicity = periodicityOf(run, partition.softwarePath);
  const state = partition.requestedState;
  const job = partition.job;
  await run.hooks.instance.setup.promise(job);
  try {
    if (options.forceStop && state === "started") timestamp = undefined;
    const decided = await run.hooks.instance.shouldProcess.promise({
      partition: job,
      timestamp,
      stored: existsSync(join(path, ".timestamp")) ? readFileSync(join(path, ".timestamp"), "utf8") : undefined,
      periodicity,
      develop: options.develop,
      forceStop: options.forceStop,
    });
    const skip = decided === undefined ? !options.develop && upToDate(path, timestamp, periodicity) : !decided;
    if (skip) {
      if (state === "started" && !options.forceStop) await anomalyCheck(partition);
      else run.log.debug("Partition already up-to-date. skipping.");
      await run.hooks.instance.upToDate.promise(job);
      return;
    }
    rmSync(join(path, ".timestamp"), { force: true });
    const stopLog = startPartitionLog(path);
    try {
      run.log.info(`Processing Computer Partition ${id}.`);
      run.log.info(`  Software URL: ${partition.softwareUrl}`);
      run.log.info(`  Software path: ${partition.softwarePath}`);
      run.log.info(`  Instance path: ${path}`);
      await partition.updateCertificates();
      rmSync(join(path, `.slapgrid-${id}-error.log`), { force: true });
      await byState(partition, state, options);
    } catch (error) {
      if (!(error instanceof SlapError && error.code === "promise")) {
        writeFileSync(join(path, `.slapgrid-${id}-error.log`), messageOf(error));
        if (state === "started") {
          // refresh promise results even though the run failed
          await checkPromises(partition, "test", true).catch(() => undefined);
        }
      }
      throw error;
    } finally {
      stopLog();
    }
    if (timestamp !== undefined) writeFileSync(join(path, ".timestamp"), timestamp);
  } finally {
    await run.hooks.instance.tearDown.promise(job);
  }
}

async function byState(partition: Partition, state: string, options: InstanceRunOptions): Promise<void> {
  const { run, id } = partition;
  const computer = run.options.computerId;
  if (state === "started") {
    await partition.install(options.buildoutDebug);
    if (options.forceStop) await partition.stop();
    else await partition.start();
    if (!options.forceStop) {
      await checkPromises(partition, "test", true);
      await run.master.partitionState("started", computer, id);
      await run.hooks.instance.state.promise({ partition: partition.job, state: "started" });
    }
  } else if (state === "stopped") {
    try {
      await partition.install(options.buildoutDebug);
    } finally {
      await partition.stop();
    }
    await run.master.partitionState("stopped", computer, id).catch((e) => run.log.warning(messageOf(e)));
    await run.hooks.instance.state.promise({ partition: partition.job, state: "stopped" });
  } else if (state === "destroyed") {
    await partition.stop();
    await run.master.partitionState("stopped", computer, id).catch((e) => run.log.warning(messageOf(e)));
  } else {
    const message = `Computer Partition '${id}' has unsupported state: ${state}`;
    await run.master.softwareInstanceError(computer, id, message).catch(() => undefined);
    throw new SlapError("failure", message);
  }
}
