/**
 * One supervised process and its state machine, as supervisord's
 * Subprocess (process.py): STOPPED → STARTING → RUNNING → EXITED, BACKOFF
 * and FATAL on failed starts, STOPPING on a stop. The same transitions,
 * log lines and events, but driven by events instead of a polling loop:
 * the child's exit (Bun's exit notification), and one timer at a time for
 * startsecs, the back-off delay and stopwaitsecs. A process a previous
 * daemon started can be adopted (adopt()): see adoption.ts.
 */
import type { ProcessExit } from "../../../core/hooks/groups/supervisor.ts";
import type { ProcessConfig } from "../config/types.ts";
import { signalName } from "../config/datatypes.ts";
import { processStatePayload, type EventBus, type SupervisorEvent } from "./events.ts";
import { spawnFingerprint, type ExitWatch } from "./adoption.ts";
import { cleanAfterStop, descendants, type ProcEntry } from "./leftovers.ts";
import { listenerFor } from "./listener-link.ts";
import type { ListenerProtocol } from "./listener-protocol.ts";
import type { MainLog } from "./main-log.ts";
import { OutputChannel, pump } from "./output.ts";
import { closeFd, closePipes, outputPipes, pipeName, pumpFd, reopenOutputs, type OutputPipe } from "./pipes.ts";
import { readStat, sameProcess } from "./proc.ts";
import { planSpawn, SpawnProblem, type PlanContext, type SpawnPlan } from "./spawn-plan.ts";
import type { StateEntry } from "./state-file.ts";
import { ListenerStates, ProcessStates, processStateName, SupervisorStates } from "./states.ts";

/** What a process needs from the daemon around it. */
export interface ProcessHost {
  log: MainLog;
  events: EventBus;
  mood(): number;
  planContext(group: string): PlanContext;
  stripAnsi: boolean;
  /** Tell plugins (process.exited hook); must not throw. */
  exited(info: ProcessExit): void;
  /** Pids of every supervised process, never touched by leftover cleanup. */
  supervisedPids(): Set<number>;
  /** A leftover cleanup in progress, which a shutdown waits for. */
  pending(work: Promise<void>): void;
  /** A process's pid or state changed (the state file is rewritten). */
  changed(): void;
  /** Watches adopted processes, which are not our children. */
  exitWatch: ExitWatch;
}

/** Who the current pid is: what the state file records about it. */
interface Identity {
  start: string;
  uid: number;
  serverurl: string | null;
  spawn: string;
  /** Its output pipes (pipeName), for the state file. */
  pipes: string[];
  /** Set when a previous daemon started it: not our child. */
  adopted: boolean;
}

/** What an event listener process needs from its pool. */
export interface ListenerPoolLink {
  ready(process: Subprocess): void;
  rejected(process: Subprocess, event: SupervisorEvent): void;
}

/** The longest back-off delay with startretries=forever, in seconds. */
const FOREVER_MAX_DELAY = 60;

/** Reads one output stream until it ends, chunk by chunk. */
type Reader = (sink: (chunk: Uint8Array) => void) => Promise<void>;

type Child = Bun.Subprocess<"pipe", "pipe" | "ignore", "pipe" | "ignore">;

/** What an adopted process's exit is reported as: the daemon cannot know its exit status. */
const ADOPTED_EXIT = "exit status unknown: adopted from a previous supervisord";

export class Subprocess {
  state: number = ProcessStates.STOPPED;
  pid = 0;
  laststart = 0;
  laststop = 0;
  backoff = 0;
  spawnerr: string | null = null;
  exitstatus: number | null = null;
  killing = false;
  administrativeStop = false;
  /** Current event (listeners only). */
  event: SupervisorEvent | undefined;
  listener: ListenerProtocol | undefined;
  readonly stdout: OutputChannel;
  readonly stderr: OutputChannel;

  private child: Child | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopDeadline = 0;
  private noted: ProcEntry[] = [];
  private readonly waiters = new Set<() => void>();
  private identity: Identity | undefined;
  /** Start again once stopped (an adopted process that must be replaced). */
  private respawnAfterStop = false;

  constructor(
    readonly config: ProcessConfig,
    readonly group: string,
    private readonly host: ProcessHost,
    /** Set for event listeners, by their pool. */
    public pool?: ListenerPoolLink,
  ) {
    const context = {
      log: host.log,
      events: host.events,
      stripAnsi: host.stripAnsi,
      name: config.name,
      group,
      pid: () => this.pid,
    };
    const channel = (name: "stdout" | "stderr") =>
      new OutputChannel(
        name,
        config[`${name}_logfile`],
        config[`${name}_logfile_maxbytes`],
        config[`${name}_logfile_backups`],
        config[`${name}_events_enabled`],
        context,
      );
    this.stdout = channel("stdout");
    this.stderr = channel("stderr");
  }

  get name(): string {
    return this.config.name;
  }

  private get log(): MainLog {
    return this.host.log;
  }

  /** Call `check` after every state change until it returns true (RPC calls that wait). */
  watch(check: () => boolean): () => void {
    const run = () => {
      if (check()) this.waiters.delete(run);
    };
    this.waiters.add(run);
    run();
    return () => this.waiters.delete(run);
  }

  private changeState(state: number, expected = true): void {
    const old = this.state;
    if (state === old) return;
    this.state = state;
    if (state === ProcessStates.BACKOFF) this.backoff += 1;
    const type = `PROCESS_STATE_${processStateName(state)}`;
    if (this.host.events.wants(type)) {
      const extras: Array<[string, string | number]> = [];
      if (state === ProcessStates.STARTING || state === ProcessStates.BACKOFF) extras.push(["tries", this.backoff]);
      else if (state === ProcessStates.EXITED) extras.push(["expected", expected ? 1 : 0], ["pid", this.pid]);
      else if (state === ProcessStates.RUNNING || state === ProcessStates.STOPPING || state === ProcessStates.STOPPED) {
        extras.push(["pid", this.pid]);
      }
      this.host.events.notify({ type, payload: processStatePayload(this.name, this.group, processStateName(old), extras) });
    }
    this.host.changed();
    for (const waiter of [...this.waiters]) waiter();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private later(seconds: number, action: () => void): void {
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      action();
    }, Math.max(0, seconds * 1000));
  }

  private recordSpawnerr(message: string): void {
    this.spawnerr = message;
    this.log.info(`spawnerr: ${message}`);
  }

  /** Start the process; it must not be running. Returns the pid, or undefined when it could not start. */
  spawn(): number | undefined {
    if (this.pid) {
      this.log.warn(`process '${this.name}' already running`);
      return undefined;
    }
    this.clearTimer();
    this.killing = false;
    this.respawnAfterStop = false;
    this.spawnerr = null;
    this.exitstatus = null;
    this.administrativeStop = false;
    this.laststart = Date.now() / 1000;
    this.changeState(ProcessStates.STARTING);

    let child: Child;
    let pipes: OutputPipe[] | undefined;
    let plan: SpawnPlan;
    try {
      plan = planSpawn(this.config, this.host.planContext(this.group));
      pipes = outputPipes(this.config.redirect_stderr ? 1 : 2);
      // Our own pipes: the write ends as stdout/stderr, the read ends as fd 3/4 (pipes.ts says why).
      const stdio: ["pipe", "pipe" | number, "pipe" | "ignore" | number, ...number[]] = pipes
        ? ["pipe", pipes[0].write, pipes[1]?.write ?? "ignore", ...pipes.map((pipe) => pipe.read)]
        : ["pipe", "pipe", this.config.redirect_stderr ? "ignore" : "pipe"];
      const previousUmask = plan.umask === null ? undefined : process.umask(plan.umask);
      try {
        child = Bun.spawn(plan.cmd, {
          cwd: plan.cwd,
          env: plan.env,
          // With redirect_stderr the shell sends stderr to stdout: no second pipe to read.
          stdio,
          detached: true,
          argv0: plan.cmd[0] === plan.filename ? plan.argv0 : undefined,
          uid: plan.uid,
          gid: plan.gid,
          cgroup: plan.cgroup,
        }) as unknown as Child;
      } finally {
        if (previousUmask !== undefined) process.umask(previousUmask);
      }
    } catch (error) {
      if (pipes) closePipes(pipes);
      const message =
        error instanceof SpawnProblem
          ? error.message
          : `couldn't exec ${this.config.command}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      if (!(error instanceof SpawnProblem) || error.kind === "child") {
        const channel = this.config.redirect_stderr || !this.stderr.file ? this.stdout : this.stderr;
        channel.note(`supervisor: ${message}\nsupervisor: child process was not spawned\n`);
      }
      this.recordSpawnerr(message);
      this.changeState(ProcessStates.BACKOFF);
      this.afterBackoff();
      return undefined;
    }

    this.child = child;
    this.pid = child.pid;
    const start = readStat(child.pid)?.start;
    const serverurl = plan.env.SUPERVISOR_SERVER_URL ?? null;
    this.identity = start
      ? {
          start,
          uid: this.config.uid ?? process.getuid?.() ?? 0,
          serverurl,
          spawn: spawnFingerprint(this.config, serverurl),
          pipes: (pipes ?? []).map((pipe) => pipeName(pipe.read)).filter((name) => name !== undefined),
          adopted: false,
        }
      : undefined;
    this.host.changed();
    this.log.info(`spawned: '${this.name}' with pid ${child.pid}`);
    if (pipes) {
      for (const pipe of pipes) closeFd(pipe.write);
      this.attachOutput(
        (sink) => pumpFd(pipes[0].read, sink),
        pipes[1] ? (sink) => pumpFd(pipes[1].read, sink) : undefined,
      );
    } else {
      this.attachOutput(
        (sink) => pump(child.stdout as ReadableStream<Uint8Array>, sink),
        this.config.redirect_stderr ? undefined : (sink) => pump(child.stderr as ReadableStream<Uint8Array>, sink),
      );
    }
    const pid = child.pid;
    child.exited.then(
      () => {
        const signal = child.signalCode;
        this.finish(pid, child.exitCode, typeof signal === "number" ? signalName(signal) : signal);
      },
      () => this.finish(pid, null, null),
    );
    if (this.config.startsecs === 0) this.becomeRunning();
    else this.later(this.config.startsecs + 0.001, () => this.becomeRunning());
    return pid;
  }

  /** Read the process's output: stdout (fed to the listener protocol for a listener) and stderr when separate. */
  private attachOutput(stdout: Reader | undefined, stderr: Reader | undefined, protocol = true): void {
    const pool = this.pool;
    if (stdout && pool && protocol) {
      const listener = listenerFor(this, pool, this.log);
      this.listener = listener;
      void stdout((chunk) => {
        this.stdout.write(chunk);
        listener.feed(chunk);
        if (listener.state === ListenerStates.READY) pool.ready(this);
      });
    } else if (stdout) {
      void stdout((chunk) => this.stdout.write(chunk));
    }
    if (stderr) void stderr((chunk) => this.stderr.write(chunk));
  }

  private becomeRunning(): void {
    if (this.state !== ProcessStates.STARTING) return;
    this.backoff = 0;
    this.changeState(ProcessStates.RUNNING);
    this.log.info(
      `success: ${this.name} entered RUNNING state, process has stayed up for > than ${this.config.startsecs} seconds (startsecs)`,
    );
    // A listener that was READY before startsecs passed may now get the events buffered meanwhile.
    this.pool?.ready(this);
  }

  /** In BACKOFF: retry after `backoff` seconds, or give up when the retries are spent. */
  private afterBackoff(): void {
    if (this.state !== ProcessStates.BACKOFF) return;
    if (this.backoff > this.config.startretries) {
      this.giveUp();
      this.log.info(`gave up: ${this.name} entered FATAL state, too many start retries too quickly`);
      return;
    }
    const delay = Number.isFinite(this.config.startretries) ? this.backoff : Math.min(this.backoff, FOREVER_MAX_DELAY);
    this.later(delay, () => {
      if (this.state === ProcessStates.BACKOFF && this.host.mood() > SupervisorStates.RESTARTING) this.spawn();
    });
  }

  giveUp(): void {
    this.clearTimer();
    this.backoff = 0;
    this.changeState(ProcessStates.FATAL);
  }

  /** Administrative stop: the stop signal now, SIGKILL after stopwaitsecs. Returns an error message or null. */
  stop(): string | null {
    this.administrativeStop = true;
    this.respawnAfterStop = false;
    return this.kill(this.config.stopsignal);
  }

  /** Send a signal meant to end the process (supervisord's kill). */
  kill(sig: number): string | null {
    if (this.state === ProcessStates.BACKOFF) {
      this.log.debug(`Attempted to kill ${this.name}, which is in BACKOFF state.`);
      this.clearTimer();
      this.changeState(ProcessStates.STOPPED);
      return null;
    }
    if (!this.pid) {
      const message = `attempted to kill ${this.name} with sig ${signalName(sig)} but it wasn't running`;
      this.log.debug(message);
      return message;
    }
    const asGroup = this.state === ProcessStates.STOPPING ? this.config.killasgroup : this.config.stopasgroup;
    this.log.debug(`killing ${this.name} (pid ${this.pid}) ${asGroup ? "process group " : ""}with signal ${signalName(sig)}`);
    if (this.state !== ProcessStates.STOPPING) {
      this.noted = descendants(this.pid);
      this.stopDeadline = Date.now() + this.config.stopwaitsecs * 1000;
    }
    this.killing = true;
    this.changeState(ProcessStates.STOPPING);
    const pid = this.pid;
    if (this.identity?.adopted) this.host.exitWatch.hurry(pid, true);
    this.later(this.config.stopwaitsecs, () => {
      if (this.state === ProcessStates.STOPPING && this.pid === pid) {
        this.log.warn(`killing '${this.name}' (${pid}) with SIGKILL`);
        this.kill(9);
      }
    });
    if (this.adoptedGone()) {
      this.log.debug(`unable to signal ${this.name} (pid ${pid}), it probably just exited on its own`);
      return null;
    }
    try {
      process.kill(asGroup ? -pid : pid, sig);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ESRCH") {
        this.log.debug(`unable to signal ${this.name} (pid ${pid}), it probably just exited on its own: ${(error as Error).message}`);
        return null;
      }
      const message = `unknown problem killing ${this.name} (${pid}):${(error as Error).message}`;
      this.log.critical(message);
      this.clearTimer();
      this.changeState(ProcessStates.UNKNOWN);
      this.killing = false;
      return message;
    }
    return null;
  }

  /** A signal not meant to end it (signalProcess). */
  signal(sig: number): string | null {
    if (!this.pid) {
      const message = `attempted to send ${this.name} sig ${signalName(sig)} but it wasn't running`;
      this.log.debug(message);
      return message;
    }
    this.log.debug(`sending ${this.name} (pid ${this.pid}) sig ${signalName(sig)}`);
    if (this.adoptedGone()) return null;
    try {
      process.kill(this.pid, sig);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return null;
      const message = `unknown problem sending sig ${this.name} (${this.pid}):${(error as Error).message}`;
      this.log.critical(message);
      this.changeState(ProcessStates.UNKNOWN);
      return message;
    }
    return null;
  }

  /**
   * An adopted process's pid may have ended since the last look (and, in
   * theory, been reused): look now, before signalling it. When it has
   * ended, its exit is handled on the next microtask.
   */
  private adoptedGone(): boolean {
    const identity = this.identity;
    if (!identity?.adopted || sameProcess(this.pid, identity.start)) return false;
    const pid = this.pid;
    queueMicrotask(() => this.host.exitWatch.check(pid));
    return true;
  }

  /** Write to the process's stdin (sendProcessStdin, events to listeners). */
  write(data: string | Uint8Array): void {
    const stdin = this.child?.stdin;
    if (!this.pid || this.killing || !stdin) throw Object.assign(new Error("Process already closed"), { code: "EPIPE" });
    stdin.write(data);
    // A listener that just died: the flush fails later; the exit notification handles the rest.
    const flushed = stdin.flush();
    if (flushed instanceof Promise) flushed.catch(() => undefined);
  }

  /** The child was reaped: supervisord's finish(). */
  private finish(pid: number, exitCode: number | null, signalCode: string | null): void {
    if (pid !== this.pid) return;
    this.clearTimer();
    const adopted = this.identity?.adopted === true;
    if (adopted) this.host.exitWatch.remove(pid);
    const es = exitCode ?? -1;
    const how =
      exitCode !== null
        ? `exit status ${exitCode}`
        : signalCode
          ? `terminated by ${signalCode}`
          : adopted
            ? ADOPTED_EXIT
            : "unknown termination cause";
    const now = Date.now() / 1000;
    this.laststop = now;
    const tooQuickly = now > this.laststart ? now - this.laststart < this.config.startsecs : false;
    const expectedExit = this.config.exitcodes.includes(es);
    const wasStopping = this.killing;
    let entered: ProcessExit["state"];
    if (this.killing) {
      this.killing = false;
      this.exitstatus = es;
      this.changeState(ProcessStates.STOPPED);
      entered = "STOPPED";
      const message = `stopped: ${this.name} (${how})`;
      if (expectedExit || adopted) this.log.info(message);
      else this.log.warn(message);
    } else if (tooQuickly) {
      this.exitstatus = null;
      this.spawnerr = "Exited too quickly (process log may have details)";
      this.changeState(ProcessStates.BACKOFF);
      entered = "BACKOFF";
      this.log.warn(`exited: ${this.name} (${how}; not expected)`);
    } else {
      this.backoff = 0;
      this.exitstatus = es;
      if (this.state === ProcessStates.STARTING) this.changeState(ProcessStates.RUNNING);
      if (expectedExit) {
        this.changeState(ProcessStates.EXITED, true);
        this.log.info(`exited: ${this.name} (${how}; expected)`);
      } else {
        this.spawnerr = adopted && exitCode === null ? ADOPTED_EXIT : `Bad exit code ${es}`;
        this.changeState(ProcessStates.EXITED, false);
        this.log.warn(`exited: ${this.name} (${how}; not expected)`);
      }
      entered = "EXITED";
    }
    this.pid = 0;
    this.child = undefined;
    this.identity = undefined;
    this.listener = undefined;
    const event = this.event;
    this.event = undefined;
    if (event && this.pool) this.pool.rejected(this, event);
    if (wasStopping) this.cleanLeftovers(pid);
    this.noted = [];
    this.host.changed();
    this.host.exited({
      group: this.group,
      name: this.name,
      pid,
      exitCode,
      signal: signalCode,
      expected: entered === "STOPPED" || (entered === "EXITED" && expectedExit),
      state: entered,
    });
    if (this.state === ProcessStates.BACKOFF) this.afterBackoff();
    else if (this.state === ProcessStates.EXITED) this.afterExit();
    else if (this.state === ProcessStates.STOPPED && this.respawnAfterStop) {
      this.respawnAfterStop = false;
      this.later(0, () => {
        if (this.state === ProcessStates.STOPPED && this.host.mood() > SupervisorStates.RESTARTING) this.spawn();
      });
    }
  }

  /**
   * Take over a process a previous daemon started (adoption.ts checked
   * that it is that very process): RUNNING (or STARTING within its
   * startsecs) with its pid and start time, its output read again, its
   * exit noticed by the ExitWatch.
   */
  adopt(entry: StateEntry): void {
    this.clearTimer();
    this.killing = false;
    this.spawnerr = null;
    this.exitstatus = null;
    this.administrativeStop = false;
    this.backoff = 0;
    const pid = entry.pid;
    this.pid = pid;
    this.laststart = entry.laststart;
    this.identity = { start: entry.start, uid: entry.uid, serverurl: entry.serverurl, spawn: entry.spawn, pipes: entry.pipes, adopted: true };
    this.host.exitWatch.add(pid, entry.start, () => this.finish(pid, null, null));
    const outputs = reopenOutputs(pid, entry.pipes);
    const reader = (fd: number | undefined): Reader | undefined => (fd === undefined ? undefined : (sink) => pumpFd(fd, sink));
    this.attachOutput(reader(outputs.stdout), reader(outputs.stderr), false);
    this.log.info(
      `adopted: '${this.name}' with pid ${pid}, started by a previous supervisord` +
        (outputs.stdout === undefined ? " (its stdout is not a pipe of ours: its output is not read)" : ""),
    );
    const now = Date.now() / 1000;
    const left = entry.laststart + this.config.startsecs - now;
    if (entry.state === "STARTING" && left > 0) {
      this.changeState(ProcessStates.STARTING);
      this.later(left, () => this.becomeRunning());
    } else {
      this.changeState(ProcessStates.RUNNING);
    }
  }

  /** Whether the process now running was started from the same command, environment, directory and user as the configuration says. */
  startedAsConfigured(): boolean {
    const identity = this.identity;
    const serverurl = this.config.serverurl ?? this.host.planContext(this.group).serverurl;
    return identity !== undefined && identity.spawn === spawnFingerprint(this.config, serverurl);
  }

  /** Stop the process, then start it again (an adopted process that must not stay as it is). */
  replace(): void {
    this.stop();
    this.respawnAfterStop = this.state === ProcessStates.STOPPING;
  }

  /** What the state file records about this process while it runs (undefined: nothing to record). */
  stateEntry(): StateEntry | undefined {
    const identity = this.identity;
    if (!this.pid || !identity) return undefined;
    const state =
      this.state === ProcessStates.STOPPING ? "STOPPING" : this.state === ProcessStates.STARTING ? "STARTING" : "RUNNING";
    return {
      group: this.group,
      name: this.name,
      pid: this.pid,
      start: identity.start,
      uid: identity.uid,
      serverurl: identity.serverurl,
      laststart: this.laststart,
      state,
      spawn: identity.spawn,
      pipes: identity.pipes,
      stopsignal: this.config.stopsignal,
      stopwaitsecs: this.config.stopwaitsecs,
      stopasgroup: this.config.stopasgroup,
      killasgroup: this.config.killasgroup,
    };
  }

  /** EXITED: restart according to autorestart (on the next turn of the event loop). */
  private afterExit(): void {
    const restart =
      this.config.autorestart === "true" ||
      (this.config.autorestart === "unexpected" && !this.config.exitcodes.includes(this.exitstatus ?? -1));
    if (!restart) return;
    this.later(0, () => {
      if (this.state === ProcessStates.EXITED && this.host.mood() > SupervisorStates.RESTARTING) this.spawn();
    });
  }

  /** After a stop: what the process left behind gets the stop signal, then SIGKILL at the deadline. */
  private cleanLeftovers(pid: number): void {
    const work = cleanAfterStop({
      pid,
      noted: this.noted,
      marker: { name: this.name, group: this.group, serverurl: this.host.planContext(this.group).serverurl },
      exclude: this.host.supervisedPids(),
      deadline: this.stopDeadline,
      stopsignal: this.config.stopsignal,
      log: this.log,
    });
    this.host.pending(work);
  }

  /** Is the daemon allowed to start this process on its own (autostart)? */
  autostartDue(): boolean {
    return this.state === ProcessStates.STOPPED && !this.laststart && this.config.autostart;
  }

  /** Forget timers and close files when the group is removed. */
  dispose(): void {
    this.clearTimer();
    if (this.identity?.adopted) this.host.exitWatch.remove(this.pid);
    this.stdout.close();
    this.stderr.close();
    this.waiters.clear();
  }
}
