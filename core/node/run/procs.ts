/**
 * Processes as /proc shows them, for the node loop and `configure local`:
 * is a pid alive (and still the same process), what runs it, which
 * processes carry given environment entries (supervised processes that
 * outlived their supervisor), and stopping a process politely, then not.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The command line of a pid, words joined by spaces; undefined when it is gone (or a zombie). */
export function commandLine(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return text ? text.replaceAll("\0", " ").trim() : undefined;
  } catch {
    return undefined;
  }
}

/** The kernel's short name of a pid (`comm`), e.g. "slapos", "python3". */
export function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** Whether pid names a live process that is not a zombie. */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Every pid of the machine (this pid namespace). */
export function allPids(): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** Pids whose environment holds every one of `entries` (`NAME=value`), this process excluded. */
export function pidsWithEnvironment(entries: string[]): number[] {
  const found: number[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid || !alive(pid)) continue;
    let environ: string[];
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
    } catch {
      continue;
    }
    if (entries.every((entry) => environ.includes(entry))) found.push(pid);
  }
  return found;
}

/** The pid written in a pidfile, when it holds a live process. */
export function pidFromFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    return alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone meanwhile
  }
}

/**
 * SIGTERM each pid, wait until they are gone, SIGKILL what is left after
 * `graceSeconds`. Resolves with the pids that got SIGKILL.
 */
export async function terminate(pids: number[], graceSeconds = 10): Promise<number[]> {
  const targets = pids.filter(alive);
  for (const pid of targets) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceSeconds * 1000;
  while (targets.some(alive) && Date.now() < deadline) await Bun.sleep(50);
  const stubborn = targets.filter(alive);
  for (const pid of stubborn) signal(pid, "SIGKILL");
  const reaped = Date.now() + 5000;
  while (stubborn.some(alive) && Date.now() < reaped) await Bun.sleep(20);
  return stubborn;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, their children, ...), from one walk of /proc. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const parent = parentOf(pid);
    if (parent === undefined) continue;
    const list = children.get(parent);
    if (list) list.push(pid);
    else children.set(parent, [pid]);
  }
  const found: number[] = [];
  const stack = [root];
  while (stack.length) {
    for (const child of children.get(stack.pop()!) ?? []) {
      found.push(child);
      stack.push(child);
    }
  }
  return found;
}
