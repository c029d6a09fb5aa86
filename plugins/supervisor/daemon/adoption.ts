/**
 * Adoption: a daemon that starts finds, in the state file a previous
 * daemon of the same configuration left (see state-file.ts), the
 * processes that daemon started and that still run, and takes them over
 * instead of starting second copies. An entry is adopted only when
 * everything matches: same boot, same configuration (file, server URL,
 * identifier), a previous daemon that is gone, and for the process: alive,
 * same start time (so not a reused pid), same real uid, and, when its
 * environment can be read, the SUPERVISOR_PROCESS_NAME, _GROUP_NAME and
 * _SERVER_URL the daemon gave it.
 *
 * Adopted processes are not our children: no exit notification. An
 * ExitWatch looks at them (one read of /proc/<pid>/stat each) once a
 * second, ten times a second while one is being stopped, and only while
 * there are adopted processes; our own children are never polled.
 */
import type { ProcessConfig } from "../config/types.ts";
import { cleanAfterStop, descendants } from "./leftovers.ts";
import { bootId, environOf, readStat, realUid, sameProcess } from "./proc.ts";
import type { DaemonIdentity, StateEntry, StateFile } from "./state-file.ts";

interface AdoptionLog {
  info(message: string): void;
  warn(message: string): void;
}

function sameIdentity(a: DaemonIdentity, b: DaemonIdentity): boolean {
  return a.config === b.config && a.serverurl === b.serverurl && a.identifier === b.identifier;
}

/** Why an entry's process is not the one the previous daemon started (null: it is). */
export function mismatch(entry: StateEntry): string | null {
  const stat = readStat(entry.pid);
  if (!stat) return "it is gone";
  if (stat.start !== entry.start) return "its pid now belongs to another process";
  const uid = realUid(entry.pid);
  if (uid !== entry.uid) return `it runs as uid ${uid}, not ${entry.uid}`;
  const environ = environOf(entry.pid);
  if (environ) {
    const markers = [`SUPERVISOR_PROCESS_NAME=${entry.name}`, `SUPERVISOR_GROUP_NAME=${entry.group}`];
    if (entry.serverurl !== null) markers.push(`SUPERVISOR_SERVER_URL=${entry.serverurl}`);
    const missing = markers.find((m) => !environ.includes(m));
    if (missing) return `its environment has no ${missing}`;
  }
  return null;
}

/**
 * How a process is started, in one string: what decides whether a running
 * process is the one the configuration describes (command, environment,
 * directory, user, umask, stderr redirection, server URL, cgroup). Other
 * options (stop signal, autorestart, logs) apply to an adopted process as
 * they are now.
 */
export function spawnFingerprint(config: ProcessConfig, serverurl: string | null): string {
  const what = [config.command, config.environment, config.directory, config.uid, config.umask, config.redirect_stderr, serverurl, config.cgroup];
  return Bun.hash(JSON.stringify(what)).toString(16);
}

const key = (group: string, name: string) => `${group}\0${name}`;

/** The entries of a previous daemon's state file that this daemon may adopt. */
export class Adoption {
  private readonly candidates = new Map<string, StateEntry>();

  constructor(previous: StateFile | undefined, identity: DaemonIdentity, private readonly log: AdoptionLog) {
    if (!previous?.processes.length) return;
    const count = previous.processes.length;
    if (previous.boot !== bootId()) {
      log.info(`state file of a previous boot: nothing to adopt`);
      return;
    }
    if (!sameIdentity(previous.identity, identity)) {
      log.warn(
        `state file of a supervisord with another configuration (${previous.identity.config}, ${previous.identity.serverurl ?? "no server"}): ` +
          `its ${count} process(es) are not adopted`,
      );
      return;
    }
    if (previous.daemon.pid !== process.pid && sameProcess(previous.daemon.pid, previous.daemon.start)) {
      log.warn(`the supervisord that wrote the state file (pid ${previous.daemon.pid}) still runs: nothing adopted`);
      return;
    }
    for (const entry of previous.processes) this.candidates.set(key(entry.group, entry.name), entry);
  }

  /** The entry of this process when it may be adopted (taken out of the candidates). */
  take(group: string, name: string): StateEntry | undefined {
    const entry = this.candidates.get(key(group, name));
    if (!entry) return undefined;
    this.candidates.delete(key(group, name));
    const why = mismatch(entry);
    if (why === null) return entry;
    if (why !== "it is gone") this.log.info(`not adopting '${name}' (pid ${entry.pid}): ${why}`);
    return undefined;
  }

  /** Entries nobody took whose process still runs: the configuration no longer describes them. */
  unclaimed(): StateEntry[] {
    const out = [...this.candidates.values()].filter((entry) => mismatch(entry) === null);
    this.candidates.clear();
    return out;
  }
}

/**
 * Stop a process of a previous daemon that the configuration no longer
 * has: its stop signal to it and its descendants, SIGKILL after its
 * stopwaitsecs. Resolves once nothing more will be sent.
 */
export function retire(entry: StateEntry, exclude: Set<number>, log: AdoptionLog): Promise<void> {
  const root = readStat(entry.pid);
  if (!root || root.start !== entry.start) return Promise.resolve();
  log.info(`stopping '${entry.name}' (pid ${entry.pid}), started by a previous supervisord: the configuration has no such program now`);
  return cleanAfterStop({
    pid: entry.pid,
    noted: [root, ...descendants(entry.pid)],
    marker: { name: entry.name, group: entry.group, serverurl: entry.serverurl },
    exclude,
    deadline: Date.now() + entry.stopwaitsecs * 1000,
    stopsignal: entry.stopsignal,
    log,
  });
}

interface Watched {
  start: string;
  urgent: boolean;
  gone: () => void;
}

/** Notices when adopted processes (not our children) end: a look at /proc, 1 s apart (0.1 s while one is stopping). */
export class ExitWatch {
  private readonly watched = new Map<number, Watched>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private period = 0;

  /** Call `gone` once, when `pid` (started at `start`) has ended. */
  add(pid: number, start: string, gone: () => void): void {
    this.watched.set(pid, { start, urgent: false, gone });
    this.arm();
  }

  remove(pid: number): void {
    this.watched.delete(pid);
    if (!this.watched.size) this.disarm();
  }

  /** Look more often while the process is being stopped (a stop or a shutdown waits for it). */
  hurry(pid: number, urgent: boolean): void {
    const entry = this.watched.get(pid);
    if (!entry || entry.urgent === urgent) return;
    entry.urgent = urgent;
    this.arm();
  }

  /** Whether it is still there; when not, `gone` is called now. */
  check(pid: number): boolean {
    const entry = this.watched.get(pid);
    if (!entry) return false;
    if (sameProcess(pid, entry.start)) return true;
    this.remove(pid);
    entry.gone();
    return false;
  }

  get size(): number {
    return this.watched.size;
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.period = 0;
  }

  private arm(): void {
    if (!this.watched.size) return this.disarm();
    const period = [...this.watched.values()].some((w) => w.urgent) ? 100 : 1000;
    if (this.timer !== undefined && period >= this.period) return;
    this.disarm();
    this.period = period;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.period = 0;
      for (const pid of [...this.watched.keys()]) this.check(pid);
      this.arm();
    }, period);
  }

  dispose(): void {
    this.watched.clear();
    this.disarm();
  }
}
