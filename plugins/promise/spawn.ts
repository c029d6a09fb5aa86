/**
 * Spawning a promise's process (node-runtime.md §2.5): as the partition user
 * when the node runs as root (`setpriv`, with the user's groups), in the
 * partition folder, with a clean environment, stdin at EOF, stderr merged
 * into stdout. When the promise's time is up the process gets SIGTERM, and
 * one second later its whole tree is stopped then killed, as the reference's
 * killProcessTree does.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { PromiseSpawnResult } from "../../core/hooks/groups/promise.ts";
import type { PartitionUser } from "./partition-user.ts";

export interface SpawnSettings {
  cwd: string;
  env: Record<string, string>;
  user: PartitionUser;
  signal: AbortSignal;
  /** Pipes to open on fd 3, 4, …; their text is returned in `extra`. */
  extraFds?: number;
}

/** Output past this size keeps its end only: a promise's message keeps its last 5000 characters anyway. */
const OUTPUT_LIMIT = 1024 * 1024;
/** After SIGTERM, how long a promise may take to go before its tree is killed. */
const TERMINATE_GRACE_MS = 1000;
/** After the kill, how long to wait for pipes a stray descendant still holds. */
const DRAIN_GRACE_MS = 2000;

/** The command line that runs `argv` as the user, output merged, keeping the pid (every wrapper execs). */
export function wrappedCommand(argv: string[], user: PartitionUser): string[] {
  const merged = ["/bin/sh", "-c", 'exec "$@" 2>&1', "sh", ...argv];
  if (!user.drop) return merged;
  const groups = user.name ? "--init-groups" : "--clear-groups";
  return ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, groups, "--", ...merged];
}

/** Every live descendant of `pid`, found through /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** Stop the process, its group and every descendant (so none reacts or forks), then kill them all. */
export function killTree(pid: number): void {
  const all = [pid, ...descendants(pid)];
  signal(-pid, "SIGSTOP");
  for (const p of all) signal(p, "SIGSTOP");
  const late = descendants(pid).filter((p) => !all.includes(p));
  for (const p of [...all, ...late]) signal(p, "SIGKILL");
  signal(-pid, "SIGKILL");
}

class Collector {
  text = "";
  truncated = false;
  add(chunk: string): void {
    this.text += chunk;
    if (this.text.length > OUTPUT_LIMIT * 2) {
      this.text = this.text.slice(-OUTPUT_LIMIT);
      this.truncated = true;
    }
  }
  done(): string {
    if (this.text.length > OUTPUT_LIMIT) {
      this.text = this.text.slice(-OUTPUT_LIMIT);
      this.truncated = true;
    }
    return this.truncated ? `...${this.text}` : this.text;
  }
}

async function drain(stream: ReadableStream<Uint8Array>, into: Collector, stop: Promise<void>): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let stopped = false;
  void stop.then(() => {
    stopped = true;
    reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || stopped) break;
      into.add(decoder.decode(value, { stream: true }));
    }
  } catch {
    // cancelled
  }
  into.add(decoder.decode());
}

function fdStream(fd: number): ReadableStream<Uint8Array> {
  return Bun.file(fd).stream();
}

/** Run `argv` for a promise; never throws. */
export async function spawnPromise(argv: string[], settings: SpawnSettings): Promise<PromiseSpawnResult> {
  const extraCount = settings.extraFds ?? 0;
  let child: ReturnType<typeof Bun.spawn>;
  try {
    child = Bun.spawn(wrappedCommand(argv, settings.user), {
      cwd: settings.cwd,
      env: settings.env,
      stdio: ["ignore", "pipe", "pipe", ...Array<"pipe">(extraCount).fill("pipe")],
      detached: true,
    });
  } catch (error) {
    return { code: null, output: "", spawnError: error instanceof Error ? error.message : String(error), extra: [] };
  }
  const pid = child.pid;
  let releaseDrain!: () => void;
  const drainStop = new Promise<void>((resolve) => (releaseDrain = resolve));
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    signal(-pid, "SIGTERM");
    graceTimer = setTimeout(() => killTree(pid), TERMINATE_GRACE_MS);
  };
  if (settings.signal.aborted) onAbort();
  else settings.signal.addEventListener("abort", onAbort, { once: true });

  const output = new Collector();
  const errors = new Collector();
  const extras = Array.from({ length: extraCount }, () => new Collector());
  const stdio = child.stdio as unknown as Array<number | undefined>;
  const reads = [
    drain(child.stdout as ReadableStream<Uint8Array>, output, drainStop),
    drain(child.stderr as ReadableStream<Uint8Array>, errors, drainStop),
    ...extras.map((collector, i) => drain(fdStream(stdio[3 + i]!), collector, drainStop)),
  ];
  const code = await child.exited;
  if (settings.signal.aborted) {
    // Its tree may live on after it: make sure every descendant goes too.
    clearTimeout(graceTimer);
    killTree(pid);
  } else {
    settings.signal.removeEventListener("abort", onAbort);
  }
  // Descendants that keep our pipes open must not hold the run forever.
  const drainTimer = setTimeout(releaseDrain, DRAIN_GRACE_MS);
  await Promise.all(reads);
  clearTimeout(drainTimer);
  releaseDrain();
  return {
    code: child.signalCode ? null : code,
    output: output.done() + errors.done(),
    extra: extras.map((collector) => collector.done()),
  };
}
