/**
 * Starting, stopping and signalling processes over RPC, with supervisord's
 * checks, fault codes and waiting rules (rpcinterface.py startProcess,
 * stopProcess, signalProcess and their group/all variants).
 */
import { signalNumber } from "../config/datatypes.ts";
import type { ProcessGroup } from "../daemon/group.ts";
import type { Subprocess } from "../daemon/process.ts";
import { execvArgs, SpawnProblem } from "../daemon/spawn-plan.ts";
import { ProcessStates, RUNNING_STATES, SIGNALLABLE_STATES, STOPPED_STATES } from "../daemon/states.ts";
import type { Supervisor } from "../daemon/supervisor.ts";
import type { RpcValue } from "./codec.ts";
import { Faults, RpcError } from "./faults.ts";

/** `group:name` → [group, name]; `name` alone means group and process share it; `group:` and `group:*` mean the whole group. */
export function splitNamespec(namespec: string): [string, string | null] {
  const at = namespec.indexOf(":");
  if (at < 0) return [namespec, namespec];
  const process = namespec.slice(at + 1);
  return [namespec.slice(0, at), !process || process === "*" ? null : process];
}

export function makeNamespec(group: string, name: string): string {
  return group === name ? name : `${group}:${name}`;
}

export function groupAndProcess(supervisor: Supervisor, namespec: string): [ProcessGroup, Subprocess | null] {
  const [groupName, processName] = splitNamespec(namespec);
  const group = supervisor.groups.get(groupName);
  if (!group) throw new RpcError(Faults.BAD_NAME, namespec);
  if (processName === null) return [group, null];
  const process = group.processes.get(processName);
  if (!process) throw new RpcError(Faults.BAD_NAME, namespec);
  return [group, process];
}

/** The one process `namespec` names; a group name alone (or an unknown name) is BAD_NAME. */
export function namedProcess(supervisor: Supervisor, namespec: string): Subprocess {
  const [, process] = groupAndProcess(supervisor, namespec);
  if (!process) throw new RpcError(Faults.BAD_NAME, namespec);
  return process;
}

export type Result = { name: string; group: string; status: number; description: string };

function result(process: Subprocess, status: number, description: string): Result {
  return { name: process.name, group: process.group, status, description };
}

/** Resolve when `check` holds (it is re-checked on every state change of the process). */
function until(process: Subprocess, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    process.watch(() => {
      if (!check()) return false;
      resolve();
      return true;
    });
  });
}

/** The "waiting for x to stop" line, every 2 s while a stop is awaited. */
async function reportWhileStopping(supervisor: Supervisor, process: Subprocess, done: Promise<void>): Promise<void> {
  const report = () => {
    if (process.state === ProcessStates.STOPPING) supervisor.log.info(`waiting for ${process.name} to stop`);
  };
  report();
  const timer = setInterval(report, 2000);
  try {
    await done;
  } finally {
    clearInterval(timer);
  }
}

/** Start one process; returns true, or a promise of true when waiting (rejects with the fault). */
export async function startProcess(supervisor: Supervisor, namespec: string, wait: boolean): Promise<RpcValue> {
  const [group, process] = groupAndProcess(supervisor, namespec);
  if (!process) return startGroup(supervisor, group, wait);
  try {
    execvArgs(process.config, process.config.environment.PATH ?? globalThis.process.env.PATH);
  } catch (error) {
    if (error instanceof SpawnProblem) {
      throw new RpcError(error.kind === "not-found" ? Faults.NO_FILE : Faults.NOT_EXECUTABLE, error.message);
    }
    throw error;
  }
  if (RUNNING_STATES.includes(process.state)) throw new RpcError(Faults.ALREADY_STARTED, namespec);
  if (process.state === ProcessStates.UNKNOWN) {
    throw new RpcError(Faults.FAILED, `${namespec} is in an unknown process state`);
  }
  process.spawn();
  if (process.spawnerr) throw new RpcError(Faults.SPAWN_ERROR, namespec);
  if (!wait || process.state === ProcessStates.RUNNING) return true;
  await until(
    process,
    () =>
      Boolean(process.spawnerr) ||
      process.state === ProcessStates.RUNNING ||
      (process.state !== ProcessStates.STARTING && process.state !== ProcessStates.RUNNING),
  );
  if (process.spawnerr) throw new RpcError(Faults.SPAWN_ERROR, namespec);
  if (process.state !== ProcessStates.RUNNING) throw new RpcError(Faults.ABNORMAL_TERMINATION, namespec);
  return true;
}

/** Apply `action` to each process matching `predicate`, collecting supervisord's result structs. */
async function forEach(
  processes: Subprocess[],
  predicate: (p: Subprocess) => boolean,
  action: (p: Subprocess, namespec: string) => Promise<RpcValue>,
): Promise<Result[]> {
  const results: Result[] = [];
  const pending: Array<Promise<Result>> = [];
  for (const process of processes) {
    if (!predicate(process)) continue;
    const namespec = makeNamespec(process.group, process.name);
    pending.push(
      action(process, namespec).then(
        () => result(process, Faults.SUCCESS, "OK"),
        (error) => {
          if (error instanceof RpcError) return result(process, error.code, error.text);
          throw error;
        },
      ),
    );
  }
  for (const item of await Promise.all(pending)) results.push(item);
  return results;
}

const notRunning = (p: Subprocess) => !RUNNING_STATES.includes(p.state);
const running = (p: Subprocess) => RUNNING_STATES.includes(p.state);
const signallable = (p: Subprocess) => SIGNALLABLE_STATES.includes(p.state);

export function startGroup(supervisor: Supervisor, group: ProcessGroup, wait: boolean): Promise<Result[]> {
  return forEach(group.sorted(), notRunning, (_p, ns) => startProcess(supervisor, ns, wait));
}

/** Every process, groups in priority order, processes in priority order within them. */
export function allProcesses(supervisor: Supervisor): Subprocess[] {
  return supervisor.sortedGroups().flatMap((g) => g.sorted());
}

export function startAll(supervisor: Supervisor, wait: boolean): Promise<Result[]> {
  return forEach(allProcesses(supervisor), notRunning, (_p, ns) => startProcess(supervisor, ns, wait));
}

export async function stopProcess(supervisor: Supervisor, namespec: string, wait: boolean): Promise<RpcValue> {
  const [group, process] = groupAndProcess(supervisor, namespec);
  if (!process) return stopGroup(supervisor, group, wait);
  if (!RUNNING_STATES.includes(process.state)) throw new RpcError(Faults.NOT_RUNNING, namespec);
  const message = process.stop();
  if (message !== null) throw new RpcError(Faults.FAILED, message);
  if (wait && !STOPPED_STATES.includes(process.state)) {
    await reportWhileStopping(supervisor, process, until(process, () => STOPPED_STATES.includes(process.state)));
  }
  return true;
}

export function stopGroup(supervisor: Supervisor, group: ProcessGroup, wait: boolean): Promise<Result[]> {
  return forEach(group.sorted(), running, (_p, ns) => stopProcess(supervisor, ns, wait));
}

export function stopAll(supervisor: Supervisor, wait: boolean): Promise<Result[]> {
  return forEach(allProcesses(supervisor), running, (_p, ns) => stopProcess(supervisor, ns, wait));
}

export async function signalProcess(supervisor: Supervisor, namespec: string, signal: string): Promise<RpcValue> {
  const [group, process] = groupAndProcess(supervisor, namespec);
  if (!process) return signalGroup(supervisor, group, signal);
  let sig: number;
  try {
    sig = signalNumber(String(signal));
  } catch {
    throw new RpcError(Faults.BAD_SIGNAL, String(signal));
  }
  if (!SIGNALLABLE_STATES.includes(process.state)) throw new RpcError(Faults.NOT_RUNNING, namespec);
  const message = process.signal(sig);
  if (message !== null) throw new RpcError(Faults.FAILED, message);
  return true;
}

export function signalGroup(supervisor: Supervisor, group: ProcessGroup, signal: string): Promise<Result[]> {
  return forEach(group.sorted(), signallable, (_p, ns) => signalProcess(supervisor, ns, signal));
}

export function signalAll(supervisor: Supervisor, signal: string): Promise<Result[]> {
  return forEach(allProcesses(supervisor), signallable, (_p, ns) => signalProcess(supervisor, ns, signal));
}
