/** The typed configuration the daemon runs from, as supervisord's options.py builds it. */
import type { Autorestart } from "./datatypes.ts";

/** One process (a `[program:x]` gives `numprocs` of them). Field names are supervisord's. */
export interface ProcessConfig {
  name: string;
  command: string;
  directory: string | null;
  umask: number | null;
  priority: number;
  autostart: boolean;
  autorestart: Autorestart;
  startsecs: number;
  /** `Infinity` when `startretries=forever` (our extension). */
  startretries: number;
  /** The `user=` value as written, and the uid it names. */
  user: string | null;
  uid: number | null;
  stdout_logfile: string | null;
  stdout_logfile_maxbytes: number;
  stdout_logfile_backups: number;
  stdout_capture_maxbytes: number;
  stdout_events_enabled: boolean;
  stdout_syslog: boolean;
  stderr_logfile: string | null;
  stderr_logfile_maxbytes: number;
  stderr_logfile_backups: number;
  stderr_capture_maxbytes: number;
  stderr_events_enabled: boolean;
  stderr_syslog: boolean;
  stopsignal: number;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  exitcodes: number[];
  redirect_stderr: boolean;
  environment: Record<string, string>;
  serverurl: string | null;
  /** A cgroup directory to start the process in; only plugins set it (supervisor.program hook). */
  cgroup: string | null;
}

export interface ListenerPoolConfig {
  bufferSize: number;
  /** Event type names, upper-case, e.g. PROCESS_STATE_EXITED. */
  events: string[];
  resultHandler: string;
}

/** A process group: a `[group:x]`, a lone `[program:x]`, or an `[eventlistener:x]` pool. */
export interface GroupConfig {
  name: string;
  priority: number;
  processes: ProcessConfig[];
  /** Present for event listener pools. */
  listener?: ListenerPoolConfig;
}

export interface UnixServerConfig {
  family: "unix";
  section: string;
  file: string;
  chmod: number;
  chown: [number, number];
  username: string | null;
  password: string | null;
}

export interface InetServerConfig {
  family: "inet";
  section: string;
  host: string;
  port: number;
  username: string | null;
  password: string | null;
}

export type ServerConfig = UnixServerConfig | InetServerConfig;

export interface SupervisordOptions {
  logfile: string | null;
  logfile_maxbytes: number;
  logfile_backups: number;
  loglevel: number;
  pidfile: string;
  umask: number;
  nodaemon: boolean;
  silent: boolean;
  minfds: number;
  minprocs: number;
  nocleanup: boolean;
  childlogdir: string;
  user: string | null;
  directory: string | null;
  strip_ansi: boolean;
  environment: Record<string, string>;
  identifier: string;
}

export interface CtlOptions {
  serverurl: string;
  username: string | null;
  password: string | null;
  prompt: string;
}

export interface SupervisorConfig {
  /** Absolute path of the main file. */
  path: string;
  /** Its directory (`%(here)s`). */
  here: string;
  supervisord: SupervisordOptions;
  servers: ServerConfig[];
  groups: GroupConfig[];
  ctl: CtlOptions;
  /** Messages supervisord logs once the logger exists (included files, warnings). */
  infos: string[];
  warnings: string[];
}
