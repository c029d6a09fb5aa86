/**
 * The instance root's own structure (node-runtime.md §1.2, §1.4, §2.1 step 1):
 * both roots must exist; etc/ (0700), etc/supervisord.conf.d/ (0700),
 * var/ (0755), var/log/ and var/run/ (0700), and etc/supervisord.conf in the
 * reference's layout, rewritten only when its bytes change.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../errors.ts";
import type { Hooks } from "../hooks/catalogue.ts";
import type { Logger } from "../log/logger.ts";
import { selfCommand } from "./self.ts";

export interface StructureOptions {
  instanceRoot: string;
  softwareRoot: string;
  masterUrl: string;
  computerId: string;
  certificateRepositoryPath?: string;
  /** Empty for `node supervisord`, the watchdog line for node runs. */
  withWatchdog: boolean;
}

/** The socket the node talks to: legacy `supervisord.socket` when it exists, else `sv.sock`. */
export function supervisorSocket(instanceRoot: string): string {
  const legacy = join(instanceRoot, "supervisord.socket");
  return existsSync(legacy) ? legacy : join(instanceRoot, "sv.sock");
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** The watchdog's command line, laid out as the reference's (including its double space). */
export function watchdogCommand(options: StructureOptions): string {
  const self = selfCommand().join(" ");
  const certificate = options.certificateRepositoryPath
    ? ` --certificate-repository-path ${quote(options.certificateRepositoryPath)}`
    : "";
  return `${self} node watchdog --master-url ${quote(options.masterUrl)} ${certificate} --computer-id ${quote(options.computerId)} --instance-root ${quote(options.instanceRoot)}`;
}

export function supervisordConf(options: StructureOptions): string {
  const root = options.instanceRoot;
  const socket = supervisorSocket(root);
  return `[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = ${root}/etc/supervisord.conf.d/*.conf

[supervisorctl]
serverurl = unix://${socket}

[supervisord]
loglevel = info
logfile = ${root}/var/log/supervisord.log
logfile_maxbytes = 50MB
nodaemon = false
pidfile = ${root}/var/run/supervisord.pid
logfile-backups = 10
# Do not set minfds. select() does not support file descriptors
# greater than 1023.
# minfds = 

[unix_http_server]
file=${socket}
chmod=0700

[eventlistener:watchdog]
command=${options.withWatchdog ? watchdogCommand(options) : ""}
events=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL
`;
}

function ensureDirectory(path: string, mode: number, force: boolean): void {
  if (!existsSync(path)) mkdirSync(path, { recursive: true, mode });
  if (force || (statSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
}

/** Write a file only when its bytes differ, then force its mode. Returns whether it changed. */
export function updateFile(path: string, content: string, mode: number): boolean {
  const changed = !existsSync(path) || readFileSync(path, "utf8") !== content;
  if (changed) writeFileSync(path, content);
  chmodSync(path, mode);
  return changed;
}

/** checkEnvironmentAndCreateStructure: refuse missing roots, create the instance root's skeleton. */
export async function createStructure(options: StructureOptions, hooks: Hooks, log: Logger): Promise<string> {
  for (const root of [options.softwareRoot, options.instanceRoot]) {
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new SlapError("failure", `${root} does not exist.`);
  }
  const root = options.instanceRoot;
  ensureDirectory(join(root, "etc"), 0o700, true);
  ensureDirectory(join(root, "etc", "supervisord.conf.d"), 0o700, false);
  ensureDirectory(join(root, "var"), 0o755, true);
  ensureDirectory(join(root, "var", "log"), 0o700, false);
  ensureDirectory(join(root, "var", "run"), 0o700, false);
  const path = join(root, "etc", "supervisord.conf");
  const text = await hooks.supervisor.mainConfig.promise(supervisordConf(options), { instanceRoot: root });
  if (updateFile(path, text, 0o600)) log.debug(`Wrote ${path}`);
  return path;
}
