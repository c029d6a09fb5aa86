/**
 * The daemon's record of the processes it started, so that the next daemon
 * of the same configuration can adopt them if this one dies (kill -9,
 * OOM killer). A small JSON file beside the pidfile (`supervisord.pid` →
 * `supervisord.processes.json`), rewritten atomically (temporary file,
 * then rename) after every change of a process's pid or state, at most
 * once per turn of the event loop; removed at a clean shutdown.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** One process that was running when the file was written. */
export interface StateEntry {
  group: string;
  name: string;
  pid: number;
  /** Start time from /proc/<pid>/stat (clock ticks since boot). */
  start: string;
  /** Real uid the process runs as. */
  uid: number;
  /** SUPERVISOR_SERVER_URL in its environment (null: none). */
  serverurl: string | null;
  /** When the daemon started it (seconds since the epoch): getProcessInfo's `start`. */
  laststart: number;
  state: "STARTING" | "RUNNING" | "STOPPING";
  /** Fingerprint of how it was started (command, environment, directory, user, ...). */
  spawn: string;
  /** The output pipes the daemon made for it (`pipe:[inode]`), to read again after adoption. */
  pipes: string[];
  /** How to stop it should the configuration no longer describe it. */
  stopsignal: number;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
}

/** What makes two daemons "the same configuration". */
export interface DaemonIdentity {
  /** The configuration file (absolute, symlinks resolved). */
  config: string;
  serverurl: string | null;
  identifier: string;
}

export interface StateFile {
  version: 1;
  /** /proc/sys/kernel/random/boot_id: start times mean nothing after a reboot. */
  boot: string;
  daemon: { pid: number; start: string };
  identity: DaemonIdentity;
  processes: StateEntry[];
}

/** Where a daemon with this pidfile keeps its state file. */
export function statePath(pidfile: string): string {
  const name = basename(pidfile);
  return join(dirname(pidfile), `${name.endsWith(".pid") ? name.slice(0, -4) : name}.processes.json`);
}

function validEntry(value: unknown): value is StateEntry {
  const e = value as StateEntry;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof e.group === "string" &&
    typeof e.name === "string" &&
    Number.isInteger(e.pid) &&
    e.pid > 0 &&
    typeof e.start === "string" &&
    Number.isInteger(e.uid) &&
    (e.serverurl === null || typeof e.serverurl === "string") &&
    typeof e.laststart === "number" &&
    ["STARTING", "RUNNING", "STOPPING"].includes(e.state) &&
    typeof e.spawn === "string" &&
    Array.isArray(e.pipes) &&
    e.pipes.every((p) => typeof p === "string") &&
    Number.isInteger(e.stopsignal) &&
    typeof e.stopwaitsecs === "number" &&
    typeof e.stopasgroup === "boolean" &&
    typeof e.killasgroup === "boolean"
  );
}

/** The file a previous daemon left, or a reason it cannot be used. Never throws. */
export function readStateFile(path: string): { state?: StateFile; problem?: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {};
  }
  try {
    const state = JSON.parse(text) as StateFile;
    if (state?.version !== 1) return { problem: `${path}: unknown version` };
    const identity = state.identity;
    if (typeof identity?.config !== "string" || typeof identity.identifier !== "string") return { problem: `${path}: no identity` };
    if (!Array.isArray(state.processes) || !state.processes.every(validEntry)) return { problem: `${path}: bad process entry` };
    if (typeof state.boot !== "string" || !Number.isInteger(state.daemon?.pid) || typeof state.daemon.start !== "string") {
      return { problem: `${path}: no daemon record` };
    }
    return { state };
  } catch (error) {
    return { problem: `${path}: ${(error as Error).message}` };
  }
}

/** Rewrites the state file after changes, once per turn of the event loop, and only when its content changed. */
export class StateWriter {
  private scheduled = false;
  private last = "";
  private failed = false;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly build: () => StateFile,
    private readonly log: { critical(message: string): void; info(message: string): void },
  ) {}

  /** Something changed: write after the current job (a burst of changes gives one write). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.write();
    });
  }

  write(): void {
    if (this.closed) return;
    const text = JSON.stringify(this.build());
    if (text === this.last) return;
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, text);
      renameSync(temporary, this.path);
      this.last = text;
      if (this.failed) this.log.info(`state file ${this.path} written again`);
      this.failed = false;
    } catch (error) {
      rmSync(temporary, { force: true });
      if (!this.failed) this.log.critical(`could not write state file ${this.path}: ${(error as Error).message} (processes would not be adopted after a crash)`);
      this.failed = true;
    }
  }

  /** A clean shutdown: nothing is left to adopt. */
  remove(): void {
    this.closed = true;
    rmSync(this.path, { force: true });
  }
}
