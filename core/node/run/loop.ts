/**
 * The node loop: what cron does for a node, in one long-lived process.
 *
 * - Each kind of run (software, instance, report, format, collect) is due
 *   every interval, plus a random delay (jitter), and is skipped while its
 *   previous run is still going.
 * - The master's computer document is looked at every few seconds; a
 *   change starts the runs it calls for at once (a request → instance, a
 *   supply → software, a destruction → instance then report); a software
 *   release newly built starts an instance run. A run asked for while one
 *   of its kind is going starts when it ends.
 * - While the master does not answer, the runs that need it wait, and it is
 *   looked at with back-off; when it answers again, software and instance
 *   run at once.
 * - SIGTERM/SIGINT: stop scheduling, stop the runs going (TERM to their
 *   process groups, KILL after 10 s), release the pidfile, exit 0. The
 *   partitions' services belong to the supervisor and are not touched.
 *   SIGHUP: read slapos.cfg again. SIGUSR1: software and instance now.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { messageOf } from "../../errors.ts";
import type { Hooks } from "../../hooks/catalogue.ts";
import type { Logger } from "../../log/logger.ts";
import { SlapClient } from "../../slap/client.ts";
import { startRun, stopLeftovers, type ChildRun } from "./children.ts";
import { MasterWatch } from "./master-watch.ts";
import { NEEDS_MASTER, TASK_KINDS, jitterOf, type LoopSettings, type TaskKind } from "./settings.ts";
import { checkSupervisor } from "./supervisor-watch.ts";

interface Task {
  kind: TaskKind;
  /** When it is next due (ms since the epoch); Infinity when off. */
  due: number;
  run?: ChildRun;
  /** Why the next run happens: "every 60 s", "master changed", ... */
  reason: string;
  /** A run asked for while one was going. */
  pending?: string;
}

export interface LoopDependencies {
  hooks: Hooks;
  log: Logger;
  /** Settings from a freshly read slapos.cfg (SIGHUP); throws a one-line error when it is bad. */
  reload(): LoopSettings;
}

const STOP_GRACE_MS = 10_000;

function describe(seconds: number): string {
  return seconds >= 3600 && seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}

export class NodeLoop {
  private readonly tasks = new Map<TaskKind, Task>();
  private master!: MasterWatch;
  private tickTimer?: Timer;
  private lookTimer?: Timer;
  private stopping = false;
  private finished!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.finished = resolve));
  private readonly log: Logger;
  private looking = false;
  /** Instance runs once the software run asked for with it ends (the reason). */
  private instanceAfterSoftware?: { reason: string; since: number };
  /** When a destruction was seen: report once an instance run started since then has stopped the partition. */
  private reportAfter?: number;

  constructor(
    private settings: LoopSettings,
    private readonly deps: LoopDependencies,
  ) {
    this.log = deps.log;
    this.master = this.masterWatch();
    const now = Date.now();
    for (const kind of TASK_KINDS) {
      const interval = settings.intervals[kind];
      // Format runs once a day, not at start: configure local and node boot format before the loop starts.
      const first = kind === "format" ? interval : 0;
      this.tasks.set(kind, { kind, due: interval > 0 ? now + (first + this.jitter(kind)) * 1000 : Infinity, reason: "start" });
    }
  }

  private masterWatch(): MasterWatch {
    const s = this.settings;
    const client = new SlapClient({ masterUrl: s.masterUrl, keyFile: s.keyFile, certFile: s.certFile, caFile: s.masterCaFile, timeout: 30 });
    return new MasterWatch(client, s.computerId, s.poll, s.maxBackoff);
  }

  private jitter(kind: TaskKind): number {
    return Math.random() * jitterOf(this.settings, kind);
  }

  /** Run until SIGTERM/SIGINT. */
  async run(): Promise<void> {
    const s = this.settings;
    const every = TASK_KINDS.map((k) => `${k} ${s.intervals[k] ? `every ${describe(s.intervals[k])}` : "off"}`).join(", ");
    this.log.info(`node loop started (pid ${process.pid}): ${every}; master ${s.masterUrl} looked at every ${describe(s.poll)}`);
    const onStop = (name: string) => () => void this.stop(name);
    const handlers: Array<[NodeJS.Signals, () => void]> = [
      ["SIGTERM", onStop("SIGTERM")],
      ["SIGINT", onStop("SIGINT")],
      ["SIGHUP", () => this.reload()],
      ["SIGUSR1", () => this.asked()],
    ];
    for (const [signal, handler] of handlers) process.on(signal, handler);
    try {
      await this.look();
      this.tick();
      await this.done;
    } finally {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    }
  }

  /** SIGUSR1: software and instance now; a master not known to answer is looked at first (it may just have started). */
  private asked(): void {
    if (this.master.state === "up") this.trigger(["software", "instance"], "asked (SIGUSR1)");
    else void this.look(true);
  }

  /**
   * Start the runs asked for now (or when the one going ends). Asked for
   * together, instance waits for the software run: a partition of a release
   * being supplied would only fail before it is built.
   */
  trigger(kinds: TaskKind[], reason: string): void {
    if (this.stopping) return;
    const chain = kinds.includes("software") && kinds.includes("instance") && this.settings.intervals.software > 0;
    for (const kind of kinds) {
      const task = this.tasks.get(kind)!;
      if (this.settings.intervals[kind] === 0) continue; // turned off stays off
      if (chain && kind === "instance") this.instanceAfterSoftware = { reason, since: Date.now() };
      else if (task.run) task.pending = reason;
      else {
        task.due = Date.now();
        task.reason = reason;
      }
    }
    this.tick();
  }

  /** Look at the master (and the supervisor); `asked`: SIGUSR1 came, start software and instance if it answers. */
  private async look(asked = false): Promise<void> {
    if (this.stopping || this.looking) return;
    this.looking = true;
    clearTimeout(this.lookTimer);
    let next = this.settings.poll;
    try {
      if (this.settings.watchSupervisor) {
        try {
          await checkSupervisor(this.settings, this.deps.hooks, this.log);
        } catch (error) {
          this.log.error(`relaunching the supervisor failed: ${messageOf(error)}`);
        }
      }
      const wasDown = this.master.state === "down";
      const firstLook = this.master.state === "unknown";
      const look = await this.master.look();
      next = look.next;
      if (!look.up) {
        if (!wasDown && !firstLook) this.log.warning(`the master does not answer (${look.error}); runs that need it wait, next look in ${look.next.toFixed(1)} s`);
        else if (firstLook) this.log.info(`waiting for the master (${look.error})`);
        else this.log.debug(`the master still does not answer; next look in ${look.next.toFixed(1)} s`);
      } else if (look.recovered) {
        this.log.info("the master answers again");
        this.trigger(["software", "instance"], asked ? "asked (SIGUSR1)" : "master answers again");
      } else if (asked || look.runs.length) {
        // Report after the instance run that stops the destroyed partitions.
        if (look.runs.includes("report")) this.reportAfter ??= Date.now();
        const runs = look.runs.filter((k) => k !== "report");
        if (asked) this.trigger([...new Set<TaskKind>(["software", "instance", ...runs])], "asked (SIGUSR1)");
        else this.trigger(runs, "master changed");
      }
    } finally {
      this.looking = false;
      if (!this.stopping) this.lookTimer = setTimeout(() => void this.look(), Math.min(next * 1000, 2 ** 31 - 1));
    }
  }

  /** Start what is due, and sleep until the next due time. */
  private tick(): void {
    clearTimeout(this.tickTimer);
    if (this.stopping) return;
    const now = Date.now();
    let next = Infinity;
    for (const task of this.tasks.values()) {
      if (task.due <= now) this.due(task, now);
      next = Math.min(next, task.due);
    }
    // setTimeout holds 2^31-1 ms at most (a longer wait would fire at once): wake up and look again.
    if (next !== Infinity) this.tickTimer = setTimeout(() => this.tick(), Math.min(Math.max(0, next - Date.now()), 2 ** 31 - 1));
  }

  private due(task: Task, now: number): void {
    const interval = this.settings.intervals[task.kind];
    const reason = task.reason;
    // Run or skipped, the task is next due one interval on.
    task.due = interval > 0 ? now + (interval + this.jitter(task.kind)) * 1000 : Infinity;
    task.reason = `every ${describe(interval)}`;
    if (task.run) {
      this.log.debug(`node ${task.kind}: still running (pid ${task.run.pid}), skipped`);
    } else if (NEEDS_MASTER.has(task.kind) && this.master.state === "down") {
      this.log.debug(`node ${task.kind}: waits for the master`);
    } else {
      this.start(task, reason);
    }
  }

  private completedSoftware(): number {
    try {
      return readdirSync(this.settings.softwareRoot).filter((name) => existsSync(join(this.settings.softwareRoot, name, ".completed"))).length;
    } catch {
      return 0;
    }
  }

  private start(task: Task, reason: string): void {
    const before = task.kind === "software" ? this.completedSoftware() : 0;
    const run = startRun(task.kind, this.settings, (r) => this.log.error(`node ${r.kind}: still running after its timeout, stopping it (pid ${r.pid})`));
    task.run = run;
    this.log.info(`node ${task.kind}: started (pid ${run.pid}; ${reason})`);
    void run.exited.then((code) => this.ended(task, run, code, before));
  }

  private ended(task: Task, run: ChildRun, code: number, completedBefore: number): void {
    task.run = undefined;
    const seconds = ((Date.now() - run.started) / 1000).toFixed(1);
    const where = this.settings.logDir ? ` (log: ${join(this.settings.logDir, `slapos-node-${task.kind}.log`)})` : "";
    if (code === 0) this.log.info(`node ${task.kind}: done in ${seconds} s`);
    else if (code === 10) this.log.info(`node ${task.kind}: another run holds its pidfile, not run`);
    else if (this.stopping) this.log.info(`node ${task.kind}: stopped (exit ${code})`);
    else this.log.warning(`node ${task.kind}: exit ${code} after ${seconds} s${where}`);
    if (this.stopping) return;
    if (task.kind === "software") {
      const built = this.completedSoftware() > completedBefore;
      // Only a software run started since the request counts (not one that was already going).
      const after = this.instanceAfterSoftware && run.started >= this.instanceAfterSoftware.since ? this.instanceAfterSoftware : undefined;
      if (after) this.instanceAfterSoftware = undefined;
      if (built || after) this.trigger(["instance"], built ? "software release built" : `${after!.reason}, after software`);
    }
    if (task.kind === "instance" && this.reportAfter !== undefined && run.started >= this.reportAfter) {
      this.reportAfter = undefined;
      this.trigger(["report"], "partition destroyed");
    }
    if (task.pending) {
      const reason = task.pending;
      task.pending = undefined;
      task.due = Date.now();
      task.reason = reason;
    }
    this.tick();
  }

  private reload(): void {
    let next: LoopSettings;
    try {
      next = this.deps.reload();
    } catch (error) {
      this.log.error(`SIGHUP: ${this.settings.configPath} not reloaded, the former settings stay: ${messageOf(error)}`);
      return;
    }
    const before = this.settings;
    this.settings = next;
    const masterChanged = before.masterUrl !== next.masterUrl || before.computerId !== next.computerId || before.poll !== next.poll;
    if (masterChanged) this.master = this.masterWatch();
    const now = Date.now();
    for (const kind of TASK_KINDS) {
      const task = this.tasks.get(kind)!;
      if (before.intervals[kind] === next.intervals[kind]) continue;
      task.due = next.intervals[kind] > 0 ? now + this.jitter(kind) * 1000 : Infinity;
      task.reason = "settings reloaded";
    }
    this.log.info(`SIGHUP: ${next.configPath} reloaded`);
    if (masterChanged) void this.look();
    this.tick();
  }

  /** Stop scheduling, stop the runs going, resolve run(). */
  async stop(signal: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.tickTimer);
    clearTimeout(this.lookTimer);
    const going = [...this.tasks.values()].flatMap((t) => (t.run ? [t.run] : []));
    this.log.info(`${signal}: stopping the node loop${going.length ? ` and ${going.map((r) => `node ${r.kind} (pid ${r.pid})`).join(", ")}` : ""}`);
    for (const run of going) run.signal("SIGTERM");
    const killer = setTimeout(() => going.forEach((run) => run.signal("SIGKILL")), STOP_GRACE_MS);
    await Promise.all(going.map((run) => run.exited));
    clearTimeout(killer);
    for (const run of going) {
      const left = await stopLeftovers(run);
      if (left.length) this.log.info(`node ${run.kind}: stopped ${left.length} process(es) it had left (pid ${left.join(", ")})`);
    }
    this.finished();
  }
}
