/**
 * The structs getProcessInfo and getAllConfigInfo return, key for key and
 * in supervisord's order, with its `description` text.
 */
import type { ProcessConfig } from "../config/types.ts";
import type { RpcValue } from "./codec.ts";
import type { Subprocess } from "../daemon/process.ts";
import { ProcessStates, processStateName } from "../daemon/states.ts";

const MAXINT = 2 ** 31 - 1;

function cappedInt(value: number): number {
  return Math.max(-MAXINT - 1, Math.min(MAXINT, Math.trunc(value)));
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Python's str(timedelta) for whole seconds: `1:02:03`, `1 day, 0:00:05`. */
export function uptime(seconds: number): string {
  const s = Math.max(0, Math.trunc(seconds));
  const days = Math.floor(s / 86400);
  const rest = s % 86400;
  const clock = `${Math.floor(rest / 3600)}:${pad(Math.floor((rest % 3600) / 60))}:${pad(rest % 60)}`;
  return days ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
}

/** strftime('%b %d %I:%M %p') in local time. */
export function stopTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const hour12 = d.getHours() % 12 || 12;
  return `${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${pad(hour12)}:${pad(d.getMinutes())} ${d.getHours() < 12 ? "AM" : "PM"}`;
}

export interface ProcessInfo {
  [key: string]: RpcValue;
  name: string;
  group: string;
  start: number;
  stop: number;
  now: number;
  state: number;
  statename: string;
  spawnerr: string;
  exitstatus: number;
  logfile: string;
  stdout_logfile: string;
  stderr_logfile: string;
  pid: number;
  description: string;
}

export function processInfo(process: Subprocess): ProcessInfo {
  const start = cappedInt(process.laststart);
  const stop = cappedInt(process.laststop);
  const now = cappedInt(Date.now() / 1000);
  const state = process.state;
  const info: ProcessInfo = {
    name: process.name,
    group: process.group,
    start,
    stop,
    now,
    state,
    statename: processStateName(state),
    spawnerr: process.spawnerr ?? "",
    exitstatus: process.exitstatus ?? 0,
    logfile: process.config.stdout_logfile ?? "",
    stdout_logfile: process.config.stdout_logfile ?? "",
    stderr_logfile: process.config.stderr_logfile ?? "",
    pid: process.pid,
    description: "",
  };
  if (state === ProcessStates.RUNNING) {
    info.description = `pid ${info.pid}, uptime ${uptime(now - start)}`;
  } else if (state === ProcessStates.FATAL || state === ProcessStates.BACKOFF) {
    info.description = info.spawnerr || `unknown error (try "tail ${info.name}")`;
  } else if (state === ProcessStates.STOPPED || state === ProcessStates.EXITED) {
    info.description = start ? stopTime(stop) : "Not started";
  }
  return info;
}

function orNone(value: string | number | null): string | number {
  return value === null ? "none" : value === "AUTO" ? "auto" : value;
}

/** One getAllConfigInfo struct. `active` is the running process when its group is in use (its AUTO logs are resolved). */
export function configInfo(
  config: ProcessConfig,
  group: { name: string; priority: number },
  inuse: boolean,
  active?: Subprocess,
): Record<string, RpcValue> {
  const live = active?.config ?? config;
  return {
    autostart: config.autostart,
    directory: orNone(config.directory),
    uid: orNone(config.uid),
    command: config.command,
    exitcodes: config.exitcodes,
    group: group.name,
    group_prio: group.priority,
    inuse,
    killasgroup: config.killasgroup,
    name: config.name,
    process_prio: config.priority,
    redirect_stderr: config.redirect_stderr,
    startretries: Number.isFinite(config.startretries) ? config.startretries : MAXINT,
    startsecs: config.startsecs,
    stdout_capture_maxbytes: config.stdout_capture_maxbytes,
    stdout_events_enabled: config.stdout_events_enabled,
    stdout_logfile: orNone(live.stdout_logfile),
    stdout_logfile_backups: config.stdout_logfile_backups,
    stdout_logfile_maxbytes: config.stdout_logfile_maxbytes,
    stdout_syslog: config.stdout_syslog,
    stopsignal: config.stopsignal,
    stopwaitsecs: config.stopwaitsecs,
    stderr_capture_maxbytes: config.stderr_capture_maxbytes,
    stderr_events_enabled: config.stderr_events_enabled,
    stderr_logfile: orNone(live.stderr_logfile),
    stderr_logfile_backups: config.stderr_logfile_backups,
    stderr_logfile_maxbytes: config.stderr_logfile_maxbytes,
    stderr_syslog: config.stderr_syslog,
    serverurl: orNone(config.serverurl),
  };
}
