/**
 * The files the node writes for the supervisor (node-runtime.md §1.2, §1.4):
 * the instance tree's directories, supervisord.conf from the reference
 * template, and one `<group>.conf` per partition group in
 * `etc/supervisord.conf.d/`, byte for byte as slapgrid writes them.
 */
import { chmodSync, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, closeSync, renameSync, statSync, writeSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SlapError } from "../../../core/errors.ts";

export interface SupervisorPaths {
  instanceRoot: string;
  /** INST_ROOT/etc/supervisord.conf */
  config: string;
  /** INST_ROOT/etc/supervisord.conf.d */
  configDir: string;
  /** INST_ROOT/sv.sock, or the legacy INST_ROOT/supervisord.socket when it exists */
  socket: string;
  logfile: string;
  pidfile: string;
}

export interface PathLogger {
  info(message: string): void;
  critical?(message: string): void;
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

/** The instance supervisord.conf (slapos/grid/templates/supervisord.conf.in), with the watchdog command line. */
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

/**
 * slapgrid's updateFile: write only when the bytes differ (then atomically,
 * through a temporary file), and force the mode. Returns whether anything
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
  const temp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(temp, "w", mode);
  try {
    fchmodSync(fd, mode);
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  return true;
}

/** slapgrid's createPrivateDirectory: create if missing, force 0700, refuse when the mode does not stick. */
export function createPrivateDirectory(path: string): void {
  if (!existsSync(path)) mkdirSync(path);
  chmodSync(path, 0o700);
  const mode = statSync(path).mode & 0o777;
  if (mode !== 0o700) throw new SlapError("failure", `Wrong permissions in ${path}: is 0${mode.toString(8)}, should be 0700`);
}

export interface WriteMainConfigOptions {
  watchdogCommand?: string;
  log?: PathLogger;
  /** The supervisor.mainConfig hook, applied to the text before it is written. */
  transform?(text: string): Promise<string>;
}

/**
 * createSupervisordConfiguration: the instance tree's supervisor
 * directories (var 0755, var/log, var/run, etc, etc/supervisord.conf.d
 * 0700) and supervisord.conf (0600). Returns whether the file changed.
 */
export async function createSupervisordConfiguration(instanceRoot: string, options: WriteMainConfigOptions = {}): Promise<boolean> {
  const root = resolve(instanceRoot);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new SlapError("failure", `${root} does not exist.`);
  const paths = supervisorPaths(root, options.log);
  const varDir = join(root, "var");
  if (!existsSync(varDir)) mkdirSync(varDir);
  chmodSync(varDir, 0o755);
  if (!existsSync(join(root, "etc"))) mkdirSync(join(root, "etc"));
  createPrivateDirectory(join(root, "var", "log"));
  createPrivateDirectory(join(root, "var", "run"));
  createPrivateDirectory(join(root, "etc"));
  createPrivateDirectory(paths.configDir);
  let text = supervisordConfText(paths, options.watchdogCommand ?? "");
  if (options.transform) text = await options.transform(text);
  return updateFile(paths.config, text);
}

/**
 * One program of a partition (slapgrid's addProgramToGroup): `id` is its
 * basename (`wrapper`), `name` its process name (`wrapper`, or
 * `daemon-on-watch` for etc/service), `command` an absolute path; `asUser`
 * false runs it as root (managers); `options` override or add lines.
 */
export interface PartitionProgram {
  id: string;
  name: string;
  command: string;
  asUser: boolean;
  options?: Record<string, string>;
}

export interface ProgramIdentity {
  uid: number;
  gid: number;
  /** pw_name and pw_dir of uid. */
  user: string;
  home: string;
}

/** The `[program:x]` block slapgrid writes (program_partition_supervisord.conf.in). */
export function programBlock(group: string, program: PartitionProgram, partitionPath: string, identity: ProgramIdentity): string {
  const id = `${group}_${program.id}`;
  const options: Array<[string, string]> = [
    ["directory", partitionPath],
    ["command", program.command],
    ["process_name", program.name],
    ["autostart", "false"],
    ["autorestart", "false"],
    ["startsecs", "0"],
    ["startretries", "0"],
    ["exitcodes", "0"],
    ["stopsignal", "TERM"],
    ["stopwaitsecs", "60"],
    ["stopasgroup", "true"],
    ["killasgroup", "true"],
    ["user", String(identity.uid)],
    ["group", String(identity.gid)],
    ["serverurl", "AUTO"],
    ["redirect_stderr", "true"],
    ["stdout_logfile", `${partitionPath}/.${id}.log`],
    ["stdout_logfile_maxbytes", "100KB"],
    ["stdout_logfile_backups", "1"],
    ["stderr_logfile", `${partitionPath}/.${id}.log`],
    ["stderr_logfile_maxbytes", "100KB"],
    ["stderr_logfile_backups", "1"],
    ["environment", `USER="${identity.user}",LOGNAME="${identity.user}",HOME="${identity.home}"`],
  ];
  for (const [key, value] of Object.entries(program.options ?? {})) {
    const existing = options.find(([k]) => k === key);
    if (existing) existing[1] = value;
    else options.push([key, value]);
  }
  return `[program:${id}]\n${options.map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
}

/** A whole `<group>.conf`: the group header, then a blank line and a block per program. */
export function groupFileText(
  group: string,
  programs: PartitionProgram[],
  partitionPath: string,
  identity: (program: PartitionProgram) => ProgramIdentity,
): string {
  let text = `[group:${group}]\nprograms=${programs.map((p) => `${group}_${p.id}`).join(",")}\n`;
  for (const program of programs) text += `\n${programBlock(group, program, partitionPath, identity(program))}`;
  return text;
}
