/**
 * The supervisor: the active process groups, the configuration last read,
 * the daemon's mood (RUNNING, RESTARTING, SHUTDOWN) and the ordered
 * shutdown (supervisord.py's Supervisor, without its polling loop); the
 * state file that lets a later daemon adopt the processes, and the
 * adoption of those a previous daemon left.
 */
import type { ProcessExit } from "../../../core/hooks/groups/supervisor.ts";
import type { GroupConfig, ProcessConfig, SupervisorConfig } from "../config/types.ts";
import { Adoption, ExitWatch, retire } from "./adoption.ts";
import { EventBus } from "./events.ts";
import { ListenerPool, ProcessGroup } from "./group.ts";
import type { MainLog } from "./main-log.ts";
import type { ProcessHost } from "./process.ts";
import { bootId, readStat } from "./proc.ts";
import type { PlanContext } from "./spawn-plan.ts";
import { readStateFile, StateWriter, type DaemonIdentity, type StateEntry, type StateFile } from "./state-file.ts";
import { STOPPED_STATES, SupervisorStates } from "./states.ts";

export interface SupervisorOptions {
  log: MainLog;
  config: SupervisorConfig;
  /** Re-read the configuration files (reloadConfig, restart). */
  reload(): Promise<SupervisorConfig>;
  /** process.exited hook; errors are the caller's to swallow. */
  onExit?(info: ProcessExit): void;
  /** The environment children inherit. */
  env?: Record<string, string | undefined>;
  /** Keep a state file there, and adopt at start what a previous daemon of this identity left in it. */
  state?: { path: string; identity: DaemonIdentity };
}

function sameProcess(a: ProcessConfig, b: ProcessConfig): boolean {
  for (const key of Object.keys(a) as Array<keyof ProcessConfig>) {
    const x = a[key];
    const y = b[key];
    if (x === "AUTO" || y === "AUTO") continue;
    if (JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

/** supervisord's ProcessGroupConfig.__eq__. */
export function sameGroup(a: GroupConfig, b: GroupConfig): boolean {
  if (a.name !== b.name || a.priority !== b.priority) return false;
  if (JSON.stringify(a.listener ?? null) !== JSON.stringify(b.listener ?? null)) return false;
  if (a.processes.length !== b.processes.length) return false;
  return a.processes.every((p, i) => sameProcess(p, b.processes[i]));
}

export function serverUrlOf(config: SupervisorConfig): string | null {
  const unix = config.servers.find((s) => s.family === "unix");
  if (unix && unix.family === "unix") return `unix://${unix.file}`;
  const inet = config.servers.find((s) => s.family === "inet");
  if (inet && inet.family === "inet") return `http://${inet.host || "localhost"}:${inet.port}`;
  return null;
}

export class Supervisor {
  readonly log: MainLog;
  readonly events = new EventBus();
  readonly groups = new Map<string, ProcessGroup>();
  config: SupervisorConfig;
  mood: number = SupervisorStates.RUNNING;
  private readonly host: ProcessHost;
  private readonly options: SupervisorOptions;
  private stopping = false;
  private tickTimers: Array<ReturnType<typeof setTimeout>> = [];
  /** Resolved when a shutdown or restart has stopped every process. */
  private stoppedCallbacks: Array<() => void> = [];
  /** Leftover cleanups still waiting to send SIGKILL. */
  private readonly cleanups = new Set<Promise<void>>();
  /** Adopted processes: not our children, so watched. */
  readonly exitWatch = new ExitWatch();
  private readonly stateWriter: StateWriter | undefined;
  /** The previous daemon's processes, until the first start has adopted them. */
  private adoption: Adoption | undefined;
  private firstStart = true;
  /** Processes of a previous daemon that the configuration no longer has, while they are being stopped. */
  private readonly retiring = new Set<StateEntry>();

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.log = options.log;
    this.config = options.config;
    const env = options.env ?? { ...process.env };
    const inForce = () => this.config;
    this.host = {
      log: this.log,
      events: this.events,
      mood: () => this.mood,
      planContext: (group: string): PlanContext => ({ group, env, serverurl: serverUrlOf(this.config) }),
      // The configuration in force: a restart in place (reload, SIGHUP) replaces it.
      get stripAnsi() {
        return inForce().supervisord.strip_ansi;
      },
      exited: (info) => {
        try {
          options.onExit?.(info);
        } catch (error) {
          this.log.error(`process.exited hook failed: ${(error as Error).message}`);
        }
      },
      pending: (work) => {
        this.cleanups.add(work);
        void work.finally(() => this.cleanups.delete(work));
      },
      supervisedPids: () => this.supervisedPids(),
      changed: () => this.stateWriter?.schedule(),
      exitWatch: this.exitWatch,
    };
    const state = options.state;
    if (state) {
      const daemon = { pid: process.pid, start: readStat(process.pid)?.start ?? "" };
      const boot = bootId();
      this.stateWriter = new StateWriter(
        state.path,
        (): StateFile => ({ version: 1, boot, daemon, identity: state.identity, processes: this.stateEntries() }),
        this.log,
      );
    }
  }

  private supervisedPids(): Set<number> {
    const pids = new Set<number>();
    for (const group of this.groups.values()) for (const p of group.processes.values()) if (p.pid) pids.add(p.pid);
    return pids;
  }

  /** What the state file lists: every process with a pid, and those of a previous daemon being stopped. */
  private stateEntries(): StateEntry[] {
    const entries: StateEntry[] = [];
    for (const group of this.groups.values()) {
      for (const process of group.processes.values()) {
        const entry = process.stateEntry();
        if (entry) entries.push(entry);
      }
    }
    return [...entries, ...this.retiring];
  }

  /** Activate every configured group (adopting, the first time, what a previous daemon left) and start what autostarts. */
  start(): void {
    if (this.firstStart && this.options.state) {
      const { state: previous, problem } = readStateFile(this.options.state.path);
      if (problem) this.log.warn(`state file not used: ${problem}`);
      this.adoption = new Adoption(previous, this.options.state.identity, this.log);
    }
    this.firstStart = false;
    for (const config of this.config.groups) this.addProcessGroup(config);
    this.retireUnclaimed();
    this.stateWriter?.write();
    this.events.notify({ type: "SUPERVISOR_STATE_CHANGE_RUNNING", payload: "" });
    this.startTicks();
  }

  /** Adopt the processes of this group that a previous daemon left running. */
  private adoptInto(group: ProcessGroup): void {
    if (!this.adoption) return;
    for (const process of group.sorted()) {
      const entry = this.adoption.take(group.name, process.name);
      if (!entry) continue;
      process.adopt(entry);
      if (entry.state === "STOPPING") {
        this.log.info(`stopping ${process.name}: the previous supervisord was stopping it`);
        process.stop();
      } else if (group instanceof ListenerPool) {
        // Its place in the READY/RESULT exchange died with the previous daemon.
        this.log.info(`restarting event listener ${process.name}: the previous supervisord held its protocol state`);
        process.replace();
      } else if (!process.startedAsConfigured()) {
        this.log.info(`restarting ${process.name}: its configuration changed while no supervisord ran`);
        process.replace();
      }
    }
  }

  /** What the previous daemon ran that the configuration no longer has: stopped. */
  private retireUnclaimed(): void {
    const adoption = this.adoption;
    this.adoption = undefined;
    if (!adoption) return;
    for (const entry of adoption.unclaimed()) {
      this.retiring.add(entry);
      const work = retire(entry, this.supervisedPids(), this.log).finally(() => {
        this.retiring.delete(entry);
        this.stateWriter?.schedule();
      });
      this.host.pending(work);
    }
  }

  /** Groups in priority order. */
  sortedGroups(): ProcessGroup[] {
    return [...this.groups.values()].sort(
      (a, b) => a.config.priority - b.config.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
  }

  addProcessGroup(config: GroupConfig): boolean {
    if (this.groups.has(config.name)) return false;
    const autoLogs = { childlogdir: this.config.supervisord.childlogdir, identifier: this.config.supervisord.identifier };
    const group = config.listener
      ? new ListenerPool(config, this.host, autoLogs, this.events, this.config.supervisord.identifier)
      : new ProcessGroup(config, this.host, autoLogs);
    this.groups.set(config.name, group);
    this.adoptInto(group);
    this.events.notify({ type: "PROCESS_GROUP_ADDED", payload: `groupname:${config.name}\n` });
    if (this.mood > SupervisorStates.RESTARTING) queueMicrotask(() => group.autostart());
    this.startTicks();
    return true;
  }

  /** Remove a group whose processes are all stopped; false when some still run. */
  removeProcessGroup(name: string): boolean {
    const group = this.groups.get(name);
    if (!group) return false;
    if (group.unstopped().length) return false;
    group.dispose();
    this.groups.delete(name);
    this.events.notify({ type: "PROCESS_GROUP_REMOVED", payload: `groupname:${name}\n` });
    return true;
  }

  /** Re-read the configuration; returns [added, changed, removed] group names. Throws on a bad file. */
  async reloadConfig(): Promise<[string[], string[], string[]]> {
    const next = await this.options.reload();
    this.config = next;
    return this.diffToActive();
  }

  diffToActive(): [string[], string[], string[]] {
    const next = new Map(this.config.groups.map((g) => [g.name, g]));
    const added = this.config.groups.filter((g) => !this.groups.has(g.name)).map((g) => g.name);
    const removed = [...this.groups.keys()].filter((name) => !next.has(name));
    const changed = this.config.groups
      .filter((g) => this.groups.has(g.name) && !sameGroup(g, this.groups.get(g.name)!.config))
      .map((g) => g.name);
    return [added, changed, removed];
  }

  /** Begin a shutdown (mood SHUTDOWN) or restart (RESTARTING): stop groups one at a time, highest priority value first. */
  beginStop(mood: number): void {
    this.mood = mood;
    if (this.stopping) return;
    this.stopping = true;
    this.events.notify({ type: "SUPERVISOR_STATE_CHANGE_STOPPING", payload: "" });
    const queue = this.sortedGroups();
    let lastReport = 0;
    const report = setInterval(() => {
      const unstopped = [...this.groups.values()].flatMap((g) => g.unstopped());
      if (unstopped.length && Date.now() - lastReport >= 3000) {
        lastReport = Date.now();
        this.log.info(`waiting for ${unstopped.map((p) => p.name).join(", ")} to die`);
      }
    }, 3000);
    const next = () => {
      while (queue.length) {
        const group = queue[queue.length - 1];
        group.stopAll();
        const unstopped = group.unstopped();
        if (!unstopped.length) {
          queue.pop();
          continue;
        }
        let pending = unstopped.length;
        for (const process of unstopped) {
          process.watch(() => {
            if (!STOPPED_STATES.includes(process.state)) return false;
            pending -= 1;
            if (pending === 0) queueMicrotask(next);
            return true;
          });
        }
        return;
      }
      clearInterval(report);
      this.stopping = false;
      const callbacks = this.stoppedCallbacks;
      this.stoppedCallbacks = [];
      for (const callback of callbacks) callback();
    };
    queueMicrotask(next);
  }

  /** Wait until a stop begun with beginStop has finished, leftover cleanups included. */
  async whenStopped(): Promise<void> {
    if (this.stopping) await new Promise<void>((resolve) => this.stoppedCallbacks.push(resolve));
    await Promise.all([...this.cleanups]);
  }

  /** After a restart's stop: drop every group, re-read the configuration, start again. */
  async restartNow(): Promise<void> {
    for (const name of [...this.groups.keys()]) {
      this.groups.get(name)!.dispose();
      this.groups.delete(name);
    }
    this.events.clear();
    this.stopTicks();
    try {
      this.config = await this.options.reload();
    } catch (error) {
      this.log.error(`restart: configuration refused, keeping the previous one: ${(error as Error).message}`);
    }
    this.mood = SupervisorStates.RUNNING;
    this.start();
  }

  /** TICK_5/60/3600 events, only while some listener subscribes to them: one timer per period, set to the next boundary. */
  private startTicks(): void {
    if (this.tickTimers.length) return;
    [5, 60, 3600].forEach((period, index) => {
      const type = `TICK_${period}`;
      if (!this.events.wants(type)) return;
      const arm = () => {
        const now = Date.now() / 1000;
        const next = (Math.floor(now / period) + 1) * period;
        this.tickTimers[index] = setTimeout(() => {
          this.events.notify({ type, payload: `when:${next}` });
          arm();
        }, (next - now) * 1000);
      };
      arm();
    });
  }

  stopTicks(): void {
    for (const timer of this.tickTimers) if (timer) clearTimeout(timer);
    this.tickTimers = [];
  }

  reopenLogs(): void {
    this.log.info("supervisord logreopen");
    this.log.reopen();
    for (const group of this.groups.values()) {
      for (const process of group.processes.values()) {
        process.stdout.close();
        process.stderr.close();
      }
    }
  }

  /** A clean shutdown: every process is stopped, nothing is left to adopt. */
  removeStateFile(): void {
    this.stateWriter?.remove();
  }

  dispose(): void {
    this.stopTicks();
    this.exitWatch.dispose();
    for (const group of this.groups.values()) group.dispose();
  }
}
