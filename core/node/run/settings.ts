/**
 * What `slapos node run` does and how often: from the command line, else
 * the `[node-run]` section of slapos.cfg, else the defaults below (the
 * cron lines of slapos.core's packages: software and instance every
 * minute, report hourly; format daily; collect every minute). Read again
 * on SIGHUP.
 */
import { dirname, join } from "node:path";
import { SLAPOS_DEFAULTS, parseBoolean } from "../../config/defaults.ts";
import type { SlapConfig } from "../../config/slap-config.ts";
import { SlapError } from "../../errors.ts";
import { supervisorSocket } from "../structure.ts";

export type TaskKind = "software" | "instance" | "report" | "format" | "collect";

/** In the order a tick looks at them. */
export const TASK_KINDS: readonly TaskKind[] = ["software", "instance", "report", "format", "collect"];

/** Runs that need the master; they wait while it does not answer. */
export const NEEDS_MASTER: ReadonlySet<TaskKind> = new Set(["software", "instance", "report"]);

/** Seconds between two starts of each run (0: never). */
export const DEFAULT_INTERVALS: Readonly<Record<TaskKind, number>> = {
  software: 60,
  instance: 60,
  report: 3600,
  format: 86400,
  collect: 60,
};

/** The cron lines' `timeout`: a run still going after this is stopped. */
export const TIMEOUTS: Readonly<Record<TaskKind, number>> = {
  software: 24 * 3600,
  instance: 6 * 3600,
  report: 6 * 3600,
  format: 6 * 3600,
  collect: 6 * 3600,
};

export interface LoopSettings {
  configPath: string;
  computerId: string;
  masterUrl: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  instanceRoot: string;
  softwareRoot: string;
  /** The loop's own pidfile. */
  pidfile: string;
  /** Each run logs into `<logDir>/slapos-node-<kind>.log` (console: warnings only); else runs log to the loop's console. */
  logDir?: string;
  intervals: Record<TaskKind, number>;
  /** Seconds between two looks at the master's computer document (and at the supervisor). */
  poll: number;
  /** Longest wait between two looks at a master that does not answer. */
  maxBackoff: number;
  /** Largest random delay added to each scheduled run; undefined: a tenth of its interval, at most 30 s. */
  jitter?: number;
  /**
   * The loop runs under the instance supervisor of this node (configure
   * local without systemd) and relaunches it when its process is gone.
   */
  watchSupervisor: boolean;
  supervisorSocket: string;
}

/** Command-line values, by option name (`software-interval`, ...); undefined when not given. */
export type LoopOptions = Record<string, string | number | boolean | string[] | undefined>;

function seconds(value: unknown, name: string): number {
  const n = Number(String(value).trim());
  if (String(value).trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new SlapError("config", `${name} must be a number of seconds (0 or more), not ${JSON.stringify(value)}`);
  }
  return n;
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host.startsWith("127.") || host === "[::1]";
  } catch {
    return false;
  }
}

/** Merge command line, `[node-run]` and defaults; bad values are one-line config errors. */
export function loopSettings(config: SlapConfig, configPath: string, options: LoopOptions): LoopSettings {
  const key = (name: string) => {
    const value = config.get("slapos", name);
    return value === undefined || value === "" ? undefined : value;
  };
  const missing = ["computer_id", "master_url", "instance_root", "software_root"].filter((k) => key(k) === undefined);
  if (missing.length) throw new SlapError("config", `Missing mandatory parameters: ${missing.join(", ")}`);
  const pick = (name: string): unknown => {
    const cli = options[name];
    if (cli !== undefined && cli !== false) return cli;
    return config.get("node-run", name.replaceAll("-", "_"));
  };
  const intervals = { ...DEFAULT_INTERVALS };
  for (const kind of Object.keys(intervals) as TaskKind[]) {
    const value = pick(`${kind}-interval`);
    if (value !== undefined) intervals[kind] = seconds(value, `${kind}-interval`);
  }
  const masterUrl = key("master_url")!;
  const pollValue = pick("poll-interval");
  const poll = pollValue === undefined ? (isLoopback(masterUrl) ? 5 : 30) : seconds(pollValue, "poll-interval");
  if (poll === 0) throw new SlapError("config", "poll-interval must be more than 0 seconds");
  const backoffValue = pick("max-backoff");
  const jitterValue = pick("jitter");
  const instanceRoot = key("instance_root")!;
  const pidfileInstance = key("pidfile_instance") ?? SLAPOS_DEFAULTS.pidfile_instance;
  const pidfile = (pick("pidfile") as string | undefined) ?? join(dirname(pidfileInstance), "slapos-node-run.pid");
  const logDir = pick("log-dir") as string | undefined;
  const socket = supervisorSocket(instanceRoot);
  const forbid = parseBoolean(
    key("forbid_supervisord_automatic_launch") ?? SLAPOS_DEFAULTS.forbid_supervisord_automatic_launch,
    "forbid_supervisord_automatic_launch",
  );
  return {
    configPath,
    computerId: key("computer_id")!,
    masterUrl,
    keyFile: key("key_file"),
    certFile: key("cert_file"),
    masterCaFile: key("master_ca_file"),
    instanceRoot,
    softwareRoot: key("software_root")!,
    pidfile: String(pidfile),
    logDir: logDir ? String(logDir) : undefined,
    intervals,
    poll,
    maxBackoff: backoffValue === undefined ? 300 : Math.max(poll, seconds(backoffValue, "max-backoff")),
    jitter: jitterValue === undefined ? undefined : seconds(jitterValue, "jitter"),
    watchSupervisor: !forbid && process.env.SUPERVISOR_SERVER_URL === `unix://${socket}`,
    supervisorSocket: socket,
  };
}

/** Largest random delay of a run of this kind. */
export function jitterOf(settings: LoopSettings, kind: TaskKind): number {
  if (settings.jitter !== undefined) return settings.jitter;
  return Math.min(settings.intervals[kind] / 10, 30);
}
