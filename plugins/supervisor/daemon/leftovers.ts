/**
 * "A stop never leaves grandchildren behind." supervisord only signals the
 * process (or its process group); a child that called setsid(), or a
 * daemon that double-forked, survives the stop and keeps ports and files.
 * When a stop is asked for we therefore note every descendant of the
 * process (walking /proc by parent pid, once, at that moment), and when the
 * process has exited we find what is left: those descendants, members of
 * its process group, and orphans (re-parented to init) that still carry its
 * SUPERVISOR_PROCESS_NAME/GROUP_NAME/SERVER_URL environment. They get the
 * stop signal, then SIGKILL once the stop deadline has passed.
 *
 * /proc is read only when a stop happens; while leftovers that got the
 * stop signal are still alive, a 100 ms check watches them (they are not
 * our children: no exit notification) until they are gone or the
 * deadline, and a shutdown waits for that.
 */
import { signalName } from "../config/datatypes.ts";
import { environOf, processTable, readStat, sameProcess, type ProcEntry } from "./proc.ts";

export type { ProcEntry };

/** Descendants of `root` (not root itself) and members of its process group. */
export function descendants(root: number, table = processTable()): ProcEntry[] {
  const children = new Map<number, ProcEntry[]>();
  for (const entry of table) {
    const list = children.get(entry.ppid);
    if (list) list.push(entry);
    else children.set(entry.ppid, [entry]);
  }
  const found = new Map<number, ProcEntry>();
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child.pid)) {
        found.set(child.pid, child);
        stack.push(child.pid);
      }
    }
  }
  for (const entry of table) if (entry.pgid === root && entry.pid !== root) found.set(entry.pid, entry);
  return [...found.values()];
}

function environMatches(pid: number, markers: string[]): boolean {
  const environ = environOf(pid);
  return environ !== undefined && markers.every((m) => environ.includes(m));
}

export interface Marker {
  name: string;
  group: string;
  serverurl: string | null;
}

/**
 * What is still alive of a stopped process: the noted descendants (same
 * start time), its group's members, and marked orphans. `exclude` lists
 * pids that must never be touched (the daemon, other supervised processes).
 */
export function leftovers(root: number, noted: ProcEntry[], marker: Marker, exclude: Set<number>): ProcEntry[] {
  const table = processTable();
  const byPid = new Map(table.map((e) => [e.pid, e]));
  const found = new Map<number, ProcEntry>();
  for (const entry of noted) {
    const now = byPid.get(entry.pid);
    if (now && now.start === entry.start) found.set(now.pid, now);
  }
  for (const entry of descendants(root, table)) found.set(entry.pid, entry);
  const markers = [`SUPERVISOR_PROCESS_NAME=${marker.name}`, `SUPERVISOR_GROUP_NAME=${marker.group}`];
  if (marker.serverurl) markers.push(`SUPERVISOR_SERVER_URL=${marker.serverurl}`);
  for (const entry of table) {
    if ((entry.ppid === 1 || entry.ppid === process.pid) && !found.has(entry.pid) && environMatches(entry.pid, markers)) {
      found.set(entry.pid, entry);
    }
  }
  for (const pid of exclude) found.delete(pid);
  found.delete(process.pid);
  return [...found.values()];
}

/** Signal each entry that is still the same process; returns how many were signalled. */
export function signalAll(entries: ProcEntry[], signal: NodeJS.Signals | number): number {
  let count = 0;
  for (const entry of entries) {
    const now = readStat(entry.pid);
    if (!now || now.start !== entry.start) continue;
    try {
      process.kill(entry.pid, signal);
      count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

export interface CleanAfterStop {
  pid: number;
  noted: ProcEntry[];
  marker: Marker;
  exclude: Set<number>;
  /** When the stop gives up waiting (ms since the epoch): leftovers get SIGKILL then. */
  deadline: number;
  stopsignal: number;
  log: { info(message: string): void; warn(message: string): void };
}

/**
 * Signal what a stopped process left behind: the stop signal now, SIGKILL
 * at the deadline (at once if it passed). Resolves when nothing more will
 * be sent (a shutdown waits for it).
 */
export function cleanAfterStop(options: CleanAfterStop): Promise<void> {
  let found: ProcEntry[];
  try {
    found = leftovers(options.pid, options.noted, options.marker, options.exclude);
  } catch {
    return Promise.resolve();
  }
  if (!found.length) return Promise.resolve();
  const name = options.marker.name;
  const kill = () => {
    const n = signalAll(found, "SIGKILL");
    if (n) options.log.warn(`killed ${n} process(es) left behind by ${name} with SIGKILL`);
  };
  const remaining = options.deadline - Date.now();
  if (remaining <= 0) {
    kill();
    return Promise.resolve();
  }
  const n = signalAll(found, options.stopsignal);
  if (!n) return Promise.resolve();
  options.log.info(`sent ${signalName(options.stopsignal)} to ${n} process(es) left behind by ${name}`);
  // Not children of ours, so no exit notification: look again every 100 ms, only until they are gone or the deadline.
  return new Promise((resolve) => {
    const check = setInterval(() => {
      if (found.some((entry) => sameProcess(entry.pid, entry.start))) return;
      clearInterval(check);
      clearTimeout(deadline);
      resolve();
    }, 100);
    const deadline = setTimeout(() => {
      clearInterval(check);
      kill();
      resolve();
    }, remaining);
  });
}
