/**
 * Process groups (supervisord's ProcessGroup and EventListenerPool): the
 * processes of one `[group:x]`, `[program:x]` or `[eventlistener:x]`. A
 * pool also buffers the events it subscribed to and hands each one to a
 * READY listener, with supervisord's envelope and serial numbers.
 */
import { closeSync, mkdtempSync, openSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { GroupConfig, ProcessConfig } from "../config/types.ts";
import type { EventBus, SupervisorEvent } from "./events.ts";
import { Subprocess, type ListenerPoolLink, type ProcessHost } from "./process.ts";
import { ListenerStates, ProcessStates, STOPPED_STATES } from "./states.ts";

export interface AutoLogContext {
  childlogdir: string;
  identifier: string;
}

/** supervisord's AUTO log name: `<name>-<channel>---<identifier>-<random>.log` in childlogdir, created empty. */
function autoLog(name: string, channel: string, context: AutoLogContext): string {
  const prefix = `${name}-${channel}---${context.identifier}-`;
  for (let attempt = 0; attempt < 100; attempt++) {
    const suffix = Math.random().toString(36).slice(2, 10);
    const path = join(context.childlogdir, `${prefix}${suffix}.log`);
    try {
      closeSync(openSync(path, "wx", 0o600));
      return path;
    } catch {
      // taken: try another name
    }
  }
  const dir = mkdtempSync(join(context.childlogdir, prefix));
  rmdirSync(dir);
  return `${dir}.log`;
}

/** The process configuration with AUTO log files replaced by real paths (done once per group activation). */
export function resolveAutoLogs(config: ProcessConfig, context: AutoLogContext): ProcessConfig {
  if (config.stdout_logfile !== "AUTO" && config.stderr_logfile !== "AUTO") return config;
  return {
    ...config,
    stdout_logfile: config.stdout_logfile === "AUTO" ? autoLog(config.name, "stdout", context) : config.stdout_logfile,
    stderr_logfile: config.stderr_logfile === "AUTO" ? autoLog(config.name, "stderr", context) : config.stderr_logfile,
  };
}

function byPriority(a: Subprocess, b: Subprocess): number {
  return a.config.priority - b.config.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export class ProcessGroup {
  readonly processes = new Map<string, Subprocess>();

  constructor(
    readonly config: GroupConfig,
    host: ProcessHost,
    autoLogs: AutoLogContext,
  ) {
    for (const process of config.processes) {
      this.processes.set(process.name, new Subprocess(resolveAutoLogs(process, autoLogs), config.name, host));
    }
  }

  get name(): string {
    return this.config.name;
  }

  /** Processes in priority order (supervisord sorts them so). */
  sorted(): Subprocess[] {
    return [...this.processes.values()].sort(byPriority);
  }

  /** Start what autostart asks for, in priority order. */
  autostart(): void {
    for (const process of this.sorted()) if (process.autostartDue()) process.spawn();
  }

  unstopped(): Subprocess[] {
    return [...this.processes.values()].filter((p) => !STOPPED_STATES.includes(p.state));
  }

  /** Shutdown: stop running/starting processes in reverse priority, give up on those in BACKOFF. */
  stopAll(): void {
    for (const process of this.sorted().reverse()) {
      if (process.state === ProcessStates.RUNNING || process.state === ProcessStates.STARTING) process.stop();
      else if (process.state === ProcessStates.BACKOFF) process.giveUp();
    }
  }

  dispose(): void {
    for (const process of this.processes.values()) process.dispose();
  }
}

/** An event listener pool: a group whose processes receive the events it subscribed to. */
export class ListenerPool extends ProcessGroup implements ListenerPoolLink {
  private readonly buffer: SupervisorEvent[] = [];
  private serial = -1;
  private readonly accept = (event: SupervisorEvent) => this.acceptEvent(event, false);

  constructor(
    config: GroupConfig,
    host: ProcessHost,
    autoLogs: AutoLogContext,
    private readonly bus: EventBus,
    private readonly identifier: string,
  ) {
    super(config, host, autoLogs);
    this.log = host.log;
    for (const process of this.processes.values()) process.pool = this;
    for (const type of config.listener!.events) bus.subscribe(type, this.accept);
  }

  private readonly log: ProcessHost["log"];

  private acceptEvent(event: SupervisorEvent, head: boolean): void {
    if (event.serial === undefined) event.serial = this.bus.nextSerial();
    event.poolSerials ??= new Map();
    if (!event.poolSerials.has(this.name)) {
      this.serial = this.serial >= Number.MAX_SAFE_INTEGER ? 0 : this.serial + 1;
      event.poolSerials.set(this.name, this.serial);
    } else {
      this.log.debug(
        `rebuffering event ${event.serial} for pool ${this.name} (buf size=${this.buffer.length}, max=${this.config.listener!.bufferSize})`,
      );
    }
    if (this.buffer.length >= this.config.listener!.bufferSize && this.buffer.length) {
      const discarded = this.buffer.shift()!;
      this.log.error(`pool ${this.name} event buffer overflowed, discarding event ${discarded.serial}`);
    }
    if (head) this.buffer.unshift(event);
    else this.buffer.push(event);
    // Dispatch on the next turn: the event may be raised in the middle of a state change.
    queueMicrotask(() => this.dispatch());
  }

  /** Hand buffered events to READY listeners, oldest first. */
  dispatch(): void {
    while (this.buffer.length) {
      const event = this.buffer.shift()!;
      if (!this.dispatchEvent(event)) {
        this.buffer.unshift(event);
        break;
      }
    }
  }

  private dispatchEvent(event: SupervisorEvent): boolean {
    for (const process of this.processes.values()) {
      if (process.state !== ProcessStates.RUNNING || process.listener?.state !== ListenerStates.READY) continue;
      const envelope = this.envelope(event);
      try {
        process.write(envelope);
      } catch {
        this.log.debug(`epipe occurred while sending event ${event.serial} to listener ${process.name}, listener state unchanged`);
        continue;
      }
      process.listener.sent();
      process.event = event;
      this.log.debug(`event ${event.serial} sent to listener ${process.name}`);
      return true;
    }
    return false;
  }

  private envelope(event: SupervisorEvent): string {
    const length = [...event.payload].length;
    return (
      `ver:3.0 server:${this.identifier} serial:${event.serial} pool:${this.name} ` +
      `poolserial:${event.poolSerials!.get(this.name)} eventname:${event.type} len:${length}\n${event.payload}`
    );
  }

  ready(): void {
    this.dispatch();
  }

  rejected(process: Subprocess, event: SupervisorEvent): void {
    if ([...this.processes.values()].includes(process)) this.acceptEvent(event, true);
  }

  override dispose(): void {
    this.bus.unsubscribe(this.accept);
    super.dispose();
  }
}
