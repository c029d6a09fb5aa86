/**
 * One run of the loop is one child process of this same binary (`slapos
 * node instance --cfg … --now`), as cron would start it: its own pidfile
 * guards it, a crash or a leak stays in the child, and memory goes back
 * to the system when it ends. Each child leads its own process group, so
 * that stopping it (the loop's SIGTERM, a run past its timeout) reaches
 * buildout and whatever it started too — never the partitions' services,
 * which the supervisor started.
 */
import { join } from "node:path";
import { selfCommand } from "../self.ts";
import { descendantsOf, pidsWithEnvironment, terminate } from "./procs.ts";
import { TIMEOUTS, type LoopSettings, type TaskKind } from "./settings.ts";

export interface ChildRun {
  kind: TaskKind;
  pid: number;
  /** `SLAPOS_NODE_RUN=<id>` is in the environment of the run and of everything it starts. */
  id: string;
  /** When it started (ms since the epoch). */
  started: number;
  /** Resolves with the exit code (128 + signal number when a signal ended it). */
  exited: Promise<number>;
  /** Signal the child's whole process group. */
  signal(name: NodeJS.Signals): void;
}

/** The command line of a run, after the binary. */
export function runArguments(kind: TaskKind, settings: LoopSettings): string[] {
  const argv = ["node", kind, "--cfg", settings.configPath];
  if (kind !== "collect") argv.push("--now");
  if (settings.logDir) argv.push("--log-file", join(settings.logDir, `slapos-node-${kind}.log`), "-q");
  return argv;
}

/** Marks a run's processes, so that what it left when it was stopped can be found (orphans leave the process tree). */
export const RUN_MARKER = "SLAPOS_NODE_RUN";

let counter = 0;

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Start a run; it is stopped (TERM, then KILL 30 s later) if it outlives its timeout. */
export function startRun(kind: TaskKind, settings: LoopSettings, onTimeout: (run: ChildRun) => void): ChildRun {
  const id = `${process.pid}.${++counter}`;
  const child = Bun.spawn([...selfCommand(), ...runArguments(kind, settings)], {
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
    detached: true,
    env: { ...(process.env as Record<string, string>), [RUN_MARKER]: id },
  });
  const pid = child.pid;
  // The run's process group, and every descendant that left it (buildout runs its children in groups of their own).
  const signal = (name: NodeJS.Signals) => {
    const targets = [-pid, ...descendantsOf(pid)];
    for (const target of targets) {
      try {
        process.kill(target, name);
      } catch {
        // gone
      }
    }
  };
  const run: ChildRun = {
    kind,
    pid,
    id,
    started: Date.now(),
    signal,
    exited: child.exited.then((code) => {
      clearTimeout(timer);
      clearTimeout(killer);
      return child.signalCode ? 128 + (SIGNAL_NUMBERS[child.signalCode] ?? 0) : code;
    }),
  };
  let killer: Timer | undefined;
  const timer = setTimeout(() => {
    onTimeout(run);
    signal("SIGTERM");
    killer = setTimeout(() => signal("SIGKILL"), 30_000);
    void run.exited.then(() => stopLeftovers(run));
  }, TIMEOUTS[kind] * 1000);
  return run;
}

/** After a run was stopped: what it started that is still alive (it carries the run's marker) is stopped too. */
export async function stopLeftovers(run: ChildRun): Promise<number[]> {
  const left = pidsWithEnvironment([`${RUN_MARKER}=${run.id}`]);
  if (left.length) await terminate(left, 5);
  return left;
}
