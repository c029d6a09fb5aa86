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
import { TIMEOUTS, type LoopSettings, type TaskKind } from "./settings.ts";

export interface ChildRun {
  kind: TaskKind;
  pid: number;
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

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Start a run; it is stopped (TERM, then KILL 30 s later) if it outlives its timeout. */
export function startRun(kind: TaskKind, settings: LoopSettings, onTimeout: (run: ChildRun) => void): ChildRun {
  const child = Bun.spawn([...selfCommand(), ...runArguments(kind, settings)], {
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
    detached: true,
    env: process.env as Record<string, string>,
  });
  const pid = child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      try {
        process.kill(pid, name);
      } catch {
        // gone
      }
    }
  };
  const run: ChildRun = {
    kind,
    pid,
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
  }, TIMEOUTS[kind] * 1000);
  return run;
}
