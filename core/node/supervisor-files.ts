/**
 * The instance supervisor's files, the one implementation of their on-disk
 * format (node-runtime.md §1.2, §1.4): where they are (socket choice
 * included), `etc/supervisord.conf` from the reference template, the
 * watchdog line, and slapgrid's `updateFile` (rewrite only when the bytes
 * differ, atomically, then force the mode). The node runs and the supervisor
 * plugin's `node supervisord` both write through here.
 */
import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SlapError } from "../errors.ts";
import { selfCommand } from "./self.ts";

export interface SupervisorPaths {
  instanceRoot: string;
  /** INST_ROOT/etc/supervisord.conf */
  config: string;
  /** INST_ROOT/etc/supervisord.conf.d */
  configDir: string;
  /** INST_ROOT/sv.sock, or the legacy INST_ROOT/supervisord.socket when it exists */
  socket: string;
  /** INST_ROOT/var/log/supervisord.log */
  logfile: string;
  /** INST_ROOT/var/run/supervisord.pid */
  pidfile: string;
}

export interface PathLogger {
  info(message: string): void;
}

/** The reference's socket choice: the legacy `supervisord.socket` wins when it exists. */
export function supervisorPaths(instanceRoot: string, log?: PathLogger): SupervisorPaths {
  const root = resolve(instanceRoot);
  const legacy = join(root, "supervisord.socket");
  let socket = join(root, "sv.sock");
  if (existsSync(legacy)) {
    log?.info(`Using legacy supervisor socket path ${legacy}`);
    socket = legacy;
  }
  return {
    instanceRoot: root,
    config: join(root, "etc", "supervisord.conf"),
    configDir: join(root, "etc", "supervisord.conf.d"),
    socket,
    logfile: join(root, "var", "log", "supervisord.log"),
    pidfile: join(root, "var", "run", "supervisord.pid"),
  };
}

/** The instance supervisord.conf (slapos/grid/templates/supervisord.conf.in), byte for byte. */
export function supervisordConfText(paths: SupervisorPaths, watchdogCommand = ""): string {
  return `[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = ${paths.configDir}/*.conf

[supervisorctl]
serverurl = unix://${paths.socket}

[supervisord]
loglevel = info
logfile = ${paths.logfile}
logfile_maxbytes = 50MB
nodaemon = false
pidfile = ${paths.pidfile}
logfile-backups = 10
# Do not set minfds. select() does not support file descriptors
# greater than 1023.
# minfds = 

[unix_http_server]
file=${paths.socket}
chmod=0700

[eventlistener:watchdog]
command=${watchdogCommand}
events=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL
`;
}

export interface WatchdogLineOptions {
  masterUrl: string;
  computerId: string;
  instanceRoot: string;
  certificateRepositoryPath?: string;
  /** argv prefix that runs slapos (defaults to this executable). */
  command?: string[];
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * slapgrid's _getWatchdogLine with our binary instead of
 * /opt/slapos/bin/slapos-watchdog: its two spaces after the master URL
 * kept, the certificate option only when set. Single quotes inside a value
 * are escaped (the reference does not, and breaks on them).
 */
export function watchdogCommand(options: WatchdogLineOptions): string {
  const parts = [...(options.command ?? selfCommand()), "node", "watchdog", `--master-url ${quote(options.masterUrl)} `];
  if (options.certificateRepositoryPath) parts.push(`--certificate-repository-path ${quote(options.certificateRepositoryPath)}`);
  parts.push(`--computer-id ${quote(options.computerId)}`, `--instance-root ${quote(options.instanceRoot)}`);
  return parts.join(" ");
}

/**
 * slapgrid's updateFile: write only when the bytes differ — atomically,
 * through a temporary file renamed over the old one, so a crash never
 * leaves half a file — then force the mode. Returns whether anything
 * changed (content or mode).
 */
export function updateFile(path: string, content: string, mode = 0o600): boolean {
  const bytes = Buffer.from(content);
  if (existsSync(path)) {
    let same = false;
    try {
      same = readFileSync(path).equals(bytes);
    } catch {
      same = false;
    }
    if (same) {
      if ((statSync(path).mode & 0o7777) === mode) return false;
      chmodSync(path, mode);
      return true;
    }
  }
  const temporary = join(dirname(path), `.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  const fd = openSync(temporary, "w", mode);
  try {
    fchmodSync(fd, mode);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
  return true;
}

/** slapgrid's createPrivateDirectory: create if missing, force 0700, refuse when the mode does not stick. */
export function createPrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true }); // no EEXIST race between two runs
  chmodSync(path, 0o700);
  const mode = statSync(path).mode & 0o777;
  if (mode !== 0o700) throw new SlapError("failure", `Wrong permissions in ${path}: is 0${mode.toString(8)}, should be 0700`);
}

export interface SupervisordConfigurationOptions {
  /** The watchdog's command line; empty for `node supervisord` (the reference's default). */
  watchdogCommand?: string;
  log?: PathLogger;
  /** The supervisor.mainConfig hook, applied to the text before it is written. */
  transform?(text: string): Promise<string>;
}

/**
 * createSupervisordConfiguration: the instance tree's supervisor folders
 * (var 0755; var/log, var/run, etc, etc/supervisord.conf.d 0700) and
 * supervisord.conf (0600), in the reference's order. Returns whether the
 * file changed.
 */
export async function createSupervisordConfiguration(instanceRoot: string, options: SupervisordConfigurationOptions = {}): Promise<boolean> {
  const root = resolve(instanceRoot);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new SlapError("failure", `${root} does not exist.`);
  const paths = supervisorPaths(root, options.log);
  const varDir = join(root, "var");
  // recursive: two node runs starting at once on a fresh node must not race on EEXIST
  mkdirSync(varDir, { recursive: true });
  chmodSync(varDir, 0o755);
  mkdirSync(join(root, "etc"), { recursive: true });
  createPrivateDirectory(join(root, "var", "log"));
  createPrivateDirectory(join(root, "var", "run"));
  createPrivateDirectory(join(root, "etc"));
  createPrivateDirectory(paths.configDir);
  let text = supervisordConfText(paths, options.watchdogCommand ?? "");
  if (options.transform) text = await options.transform(text);
  return updateFile(paths.config, text);
}
