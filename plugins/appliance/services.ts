/**
 * The node's services without systemd: the master and the node loop are
 * programs of the node's own supervisor (the partitions' supervisor), and
 * the loop relaunches that supervisor if it dies (core/node/run). Here:
 * start it, apply a changed program file, ask what runs, stop it all.
 */
import { existsSync } from "node:fs";
import { messageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { removeTimestamps } from "../../core/node/boot.ts";
import { alive, pidFromFile, pidsWithEnvironment, terminate } from "../../core/node/run/procs.ts";
import { launchSupervisord, supervisorClient, supervisorState, updateSupervisor } from "../supervisor/api.ts";
import type { Layout } from "./layout.ts";

export const MASTER_PROGRAM = "slapos-proxy";
export const LOOP_PROGRAM = "slapos-node-run";

export interface ProgramInfo {
  name: string;
  group: string;
  statename: string;
  pid: number;
  description: string;
}

/** Whether the supervisor answers and runs (not shutting down). */
export async function supervisorRunning(layout: Layout): Promise<boolean> {
  if (!existsSync(layout.supervisorSocket)) return false;
  return (await supervisorState(layout.supervisorSocket).catch(() => undefined)) === 1;
}

export async function allPrograms(layout: Layout): Promise<ProgramInfo[]> {
  try {
    return (await supervisorClient(layout.supervisorSocket).call("getAllProcessInfo")) as unknown as ProgramInfo[];
  } catch {
    return [];
  }
}

export async function programInfo(layout: Layout, name: string): Promise<ProgramInfo | undefined> {
  return (await allPrograms(layout)).find((p) => p.name === name && p.group === name);
}

/** Processes still carrying the environment of this node's supervisor (partition services and others it started). */
export function supervisedOrphans(layout: Layout): number[] {
  return pidsWithEnvironment([`SUPERVISOR_SERVER_URL=unix://${layout.supervisorSocket}`]);
}

/**
 * Start the supervisor from nothing (first start, after --stop, after a
 * reboot): what a dead supervisor left running goes first (it would hold
 * ports the partitions' services need), and every partition's .timestamp
 * goes too, as node boot does, so that the next instance run starts every
 * partition again (their programs are autostart=false).
 */
export async function launchFromNothing(layout: Layout, log: Logger): Promise<void> {
  const orphans = supervisedOrphans(layout);
  if (orphans.length) {
    log.info(`stopping ${orphans.length} process(es) left by a former supervisor of this node (pid ${orphans.join(", ")})`);
    await terminate(orphans, 10);
  }
  removeTimestamps(layout.instanceRoot, "slappart", log);
  await launchSupervisord(layout.instanceRoot, { slaposConfig: layout.slaposCfg, log });
}

/** A running supervisor re-reads the program files: changed programs restart, others are not touched. */
export async function applyPrograms(layout: Layout, log: Logger): Promise<string[]> {
  const { added, changed } = await updateSupervisor(layout.supervisorSocket, log);
  return [...added, ...changed];
}

/** Restart one program (its configuration file changed, not its command). */
export async function restartProgram(layout: Layout, name: string): Promise<void> {
  const rpc = supervisorClient(layout.supervisorSocket);
  try {
    await rpc.call("stopProcess", name, true);
  } catch {
    // not running
  }
  await rpc.call("startProcess", name, false);
}

/** Start programs that are not running (after a stop by hand, or FATAL). */
export async function startIfStopped(layout: Layout, names: string[]): Promise<void> {
  const rpc = supervisorClient(layout.supervisorSocket);
  for (const name of names) {
    const info = await programInfo(layout, name);
    if (!info || ["RUNNING", "STARTING", "BACKOFF"].includes(info.statename)) continue;
    await rpc.call("startProcess", name, false).catch(() => undefined);
  }
}

export interface StopReport {
  loop?: number;
  supervisor?: number;
  /** Pids of processes a supervisor had left that were stopped. */
  leftovers: number[];
}

/**
 * Stop everything: the loop first (so it does not relaunch the
 * supervisor), then the supervisor, which stops the partitions and the
 * master; then whatever a supervisor that died had left running.
 */
export async function stopAll(layout: Layout, log: Logger, guardSeconds = 300): Promise<StopReport> {
  const report: StopReport = { leftovers: [] };
  const supervisorPid = pidFromFile(layout.supervisorPidfile);
  if (await supervisorRunning(layout)) {
    const rpc = supervisorClient(layout.supervisorSocket);
    const loop = await programInfo(layout, LOOP_PROGRAM);
    if (loop?.pid) report.loop = loop.pid;
    await rpc.call("stopProcess", LOOP_PROGRAM, true).catch(() => undefined);
    report.supervisor = supervisorPid;
    try {
      await rpc.call("shutdown");
    } catch (error) {
      log.warning(`the supervisor refused to shut down: ${messageOf(error)}`);
    }
    const deadline = Date.now() + guardSeconds * 1000;
    while (supervisorPid !== undefined && alive(supervisorPid) && Date.now() < deadline) await Bun.sleep(50);
  } else {
    const loop = pidFromFile(layout.loopPidfile);
    if (loop !== undefined) {
      report.loop = loop;
      await terminate([loop], 30);
    }
    if (supervisorPid !== undefined) {
      report.supervisor = supervisorPid;
      await terminate([supervisorPid], guardSeconds);
    }
  }
  const leftovers = supervisedOrphans(layout);
  if (leftovers.length) {
    await terminate(leftovers, 10);
    report.leftovers = leftovers;
  }
  return report;
}
