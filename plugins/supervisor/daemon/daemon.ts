/**
 * The daemon's life (supervisord.py main/run): configuration, identity,
 * log, HTTP servers, pidfile, groups, signals, and the ordered shutdown or
 * in-place restart. `runDaemon` resolves when the daemon has shut down.
 */
import { readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import { lookupUser } from "../config/datatypes.ts";
import { loadSupervisorConfig } from "../config/load.ts";
import type { SupervisorConfig } from "../config/types.ts";
import { Dispatcher } from "../rpc/dispatch.ts";
import { supervisorNamespace } from "../rpc/methods.ts";
import { openServers, type RunningServer } from "../rpc/server.ts";
import { MainLog } from "./main-log.ts";
import { SupervisorStates } from "./states.ts";
import { statePath, type DaemonIdentity } from "./state-file.ts";
import { serverUrlOf, Supervisor } from "./supervisor.ts";
import { tapped } from "../tapped.ts";

export interface DaemonOptions {
  configPath: string;
  /** Stay in the foreground and log to stdout too (unless `silent`). */
  nodaemon: boolean;
  /** Set when this process is the detached child of `supervisord` without -n. */
  daemonized?: boolean;
  hooks?: Hooks;
  /** Called once the servers listen and the pidfile is written. */
  ready?(pid: number): void;
  /** The environment children inherit (defaults to this process's). */
  env?: Record<string, string | undefined>;
}

/** Load the configuration with the daemon's hooks applied to every program. */
export function loadWithHooks(path: string, hooks: Hooks | undefined, env?: Record<string, string | undefined>): Promise<SupervisorConfig> {
  return loadSupervisorConfig(path, {
    env,
    programHook: tapped(hooks?.supervisor.configure) ? (definition) => hooks!.supervisor.configure.promise(definition, undefined) : undefined,
  });
}

/** Delete AUTO child logs a previous daemon with the same identifier left (supervisord's clear_autochildlogdir). */
function clearAutoChildLogs(config: SupervisorConfig, log: MainLog): void {
  const pattern = new RegExp(`^.+?---${config.supervisord.identifier.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\S+\\.log\\.?\\d{0,4}$`);
  let names: string[];
  try {
    names = readdirSync(config.supervisord.childlogdir);
  } catch {
    log.warn("Could not clear childlog dir");
    return;
  }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    try {
      rmSync(join(config.supervisord.childlogdir, name), { force: true });
    } catch {
      log.warn(`Failed to clean up '${join(config.supervisord.childlogdir, name)}'`);
    }
  }
}

/** Drop to `[supervisord] user` when root; refuse a different user otherwise. Returns messages to log. */
function setIdentity(config: SupervisorConfig): { critical: string[]; info: string[] } {
  const user = config.supervisord.user;
  const uid = process.getuid?.() ?? -1;
  if (user === null) {
    return uid === 0
      ? {
          critical: [
            "Supervisor is running as root.  Privileges were not dropped because no user is specified in the config file.  If you intend to run as root, you can set user=root in the config file to avoid this message.",
          ],
          info: [],
        }
      : { critical: [], info: [] };
  }
  const passwd = lookupUser(user);
  if (!passwd) throw new SlapError("config", `Error: Can't find username '${user}'`);
  if (passwd.uid === uid) return { critical: [], info: [`Set uid to user ${passwd.uid} succeeded`] };
  if (uid !== 0) throw new SlapError("config", "Error: Can't drop privilege as nonroot user");
  (process as unknown as { initgroups?(user: string, gid: number): void }).initgroups?.(passwd.name, passwd.gid);
  process.setgid?.(passwd.gid);
  process.setuid?.(passwd.uid);
  return { critical: [], info: [`Set uid to user ${passwd.uid} succeeded`] };
}


/** What makes a later daemon "the same configuration", whose processes it may adopt. */
function daemonIdentity(config: SupervisorConfig): DaemonIdentity {
  let path = config.path;
  try {
    path = realpathSync(config.path);
  } catch {
    // keep it as given
  }
  return { config: path, serverurl: serverUrlOf(config), identifier: config.supervisord.identifier };
}

/** Run the daemon until it shuts down. Throws (before anything is started) when the configuration or a socket is refused. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const env = options.env ?? { ...process.env };
  let config = await loadWithHooks(options.configPath, options.hooks, env);
  const identity = setIdentity(config);
  const nodaemon = options.nodaemon || config.supervisord.nodaemon;
  const foreground = nodaemon && !options.daemonized;
  const log = new MainLog({
    level: config.supervisord.loglevel,
    file: config.supervisord.logfile
      ? { path: config.supervisord.logfile, maxbytes: config.supervisord.logfile_maxbytes, backups: config.supervisord.logfile_backups }
      : undefined,
    stdout: foreground && !config.supervisord.silent,
  });
  for (const message of identity.critical) log.critical(message);
  for (const message of config.warnings) log.warn(message);
  for (const message of [...identity.info, ...config.infos]) log.info(message);
  if (!config.supervisord.nocleanup) clearAutoChildLogs(config, log);

  const supervisor = new Supervisor({
    log,
    config,
    env,
    reload: async () => {
      const next = await loadWithHooks(options.configPath, options.hooks, env);
      for (const message of next.warnings) log.warn(message);
      for (const message of next.infos) log.info(message);
      config = next;
      return next;
    },
    onExit: tapped(options.hooks?.process.exited) ? (info) => options.hooks!.process.exited.call(info) : undefined,
    state: { path: statePath(config.supervisord.pidfile), identity: daemonIdentity(config) },
  });

  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let servers: RunningServer[] = [];

  let stopInProgress = false;
  const stopAndExit = async (mood: number) => {
    if (stopInProgress) {
      // A shutdown asked for during a restart wins; a restart during a shutdown is ignored.
      if (mood === SupervisorStates.SHUTDOWN) supervisor.mood = SupervisorStates.SHUTDOWN;
      return;
    }
    stopInProgress = true;
    supervisor.beginStop(mood);
    await supervisor.whenStopped();
    stopInProgress = false;
    if (supervisor.mood === SupervisorStates.RESTARTING) {
      log.info("restarting supervisord");
      await supervisor.restartNow();
      return;
    }
    for (const server of servers) server.stop();
    supervisor.dispose();
    supervisor.removeStateFile();
    rmSync(config.supervisord.pidfile, { force: true });
    log.close();
    finished();
  };

  const dispatcher = new Dispatcher(
    {
      supervisor: supervisorNamespace({
        supervisor,
        mainLogPath: () => log.path ?? null,
        // The mood changes at once (later calls get SHUTDOWN_STATE); the stop begins after the answer is sent.
        shutdown: () => {
          supervisor.mood = SupervisorStates.SHUTDOWN;
          setTimeout(() => void stopAndExit(SupervisorStates.SHUTDOWN), 0);
        },
        restart: () => {
          supervisor.mood = SupervisorStates.RESTARTING;
          setTimeout(() => void stopAndExit(SupervisorStates.RESTARTING), 0);
        },
        clearMainLog: () => {
          log.removeFile();
          log.info("reopening log file");
        },
      }),
    },
    () => supervisor.mood,
  );

  servers = await openServers(config.servers, { dispatcher, supervisor, log, mainLogPath: () => log.path ?? null });
  if (options.daemonized) {
    log.info("daemonizing the supervisord process");
    if (config.supervisord.directory) {
      try {
        process.chdir(config.supervisord.directory);
        log.info(`set current directory: '${config.supervisord.directory}'`);
      } catch (error) {
        log.critical(`can't chdir into '${config.supervisord.directory}': ${(error as Error).message}`);
      }
    }
    process.umask(config.supervisord.umask);
  }
  try {
    writeFileSync(config.supervisord.pidfile, `${process.pid}\n`);
    log.info(`supervisord started with pid ${process.pid}`);
  } catch {
    log.critical(`could not write pidfile ${config.supervisord.pidfile}`);
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (signal === "SIGHUP") {
      if (supervisor.mood === SupervisorStates.SHUTDOWN) {
        log.warn("ignored SIGHUP indicating restart request (shutdown in progress)");
        return;
      }
      log.warn("received SIGHUP indicating restart request");
      void stopAndExit(SupervisorStates.RESTARTING);
    } else if (signal === "SIGUSR2") {
      log.info("received SIGUSR2 indicating log reopen request");
      supervisor.reopenLogs();
    } else {
      log.warn(`received ${signal} indicating exit request`);
      void stopAndExit(SupervisorStates.SHUTDOWN);
    }
  };
  const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGQUIT", "SIGHUP", "SIGUSR2"];
  for (const signal of signals) process.on(signal, onSignal);
  // Nothing may take the daemon (and the services under it) down: log and go on.
  const onUnexpected = (error: unknown) => log.critical(`unexpected error, ignored: ${(error as Error)?.stack ?? error}`);
  process.on("uncaughtException", onUnexpected);
  process.on("unhandledRejection", onUnexpected);

  supervisor.start();
  options.ready?.(process.pid);
  await done;
  for (const signal of signals) process.off(signal, onSignal);
  process.off("uncaughtException", onUnexpected);
  process.off("unhandledRejection", onUnexpected);
}
