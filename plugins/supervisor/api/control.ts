/**
 * What the node asks of a running supervisor (node-runtime.md §1.4, §3.6):
 * make sure it runs (launchSupervisord), apply new program files
 * (updateSupervisor: reloadConfig, then remove/re-add only the groups that
 * changed). The files themselves are core's (core/node/supervisor-files.ts,
 * core/node/instance/programs.ts).
 */
import { accessSync, constants, existsSync } from "node:fs";
import { SlapError } from "../../../core/errors.ts";
import { launchDetached } from "../daemon/launch.ts";
import { RUNNING_STATES } from "../daemon/states.ts";
import { RpcClient, RpcConnectionError } from "../rpc/client.ts";
import { RpcFault, type RpcValue } from "../rpc/codec.ts";
import { Faults } from "../rpc/faults.ts";
import { supervisorPaths } from "../../../core/node/supervisor-files.ts";

export interface ControlLog {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  critical(message: string): void;
}

const quiet: ControlLog = { debug() {}, info() {}, warning() {}, critical() {} };

/** Python's %r of a group name, as slapgrid's log lines show it. */
function repr(name: string): string {
  return `'${name}'`;
}

/** A client of the supervisor on `socket` (a path). */
export function supervisorClient(socket: string): { call(method: string, ...params: RpcValue[]): Promise<RpcValue> } {
  const client = new RpcClient(`unix://${socket}`);
  return { call: (method, ...params) => client.call(`supervisor.${method}`, ...params) };
}

/**
 * updateSupervisor (= supervisorctl update): reloadConfig, then stop and
 * remove the removed groups (removal retried 10 times, 1 s apart), stop,
 * remove and re-add the changed ones, add the added ones. Nothing is
 * started here, and groups that did not change are not touched.
 */
export async function updateSupervisor(socket: string, log: ControlLog = quiet): Promise<{ added: string[]; changed: string[]; removed: string[] }> {
  log.debug("Updating supervisord");
  const rpc = supervisorClient(socket);
  const [[added, changed, removed]] = (await rpc.call("reloadConfig")) as string[][][];
  for (const name of removed) {
    const results = (await rpc.call("stopProcessGroup", name)) as Array<{ status: number }>;
    if (results.some((r) => r.status === Faults.FAILED)) log.warning(`Problem while stopping process ${repr(name)}, will try later`);
    else log.info(`Stopped ${repr(name)}`);
    for (let attempt = 0; ; attempt++) {
      try {
        await rpc.call("removeProcessGroup", name);
        break;
      } catch (error) {
        if (attempt === 9) throw error;
        await Bun.sleep(1000);
      }
    }
    log.info(`Removed ${repr(name)}`);
  }
  for (const name of changed) {
    await rpc.call("stopProcessGroup", name);
    log.info(`Stopped ${repr(name)}`);
    await rpc.call("removeProcessGroup", name);
    await rpc.call("addProcessGroup", name);
    log.info(`Updated ${repr(name)}`);
  }
  for (const name of added) {
    await rpc.call("addProcessGroup", name);
    log.info(`Updated ${repr(name)}`);
  }
  log.debug("Supervisord updated");
  return { added, changed, removed };
}

/** _updateWatchdog: a watchdog not running is re-read from the configuration and re-added. */
async function updateWatchdog(socket: string): Promise<void> {
  const rpc = supervisorClient(socket);
  let running = false;
  let present = true;
  try {
    const info = (await rpc.call("getProcessInfo", "watchdog")) as { state: number };
    running = RUNNING_STATES.includes(info.state);
  } catch (error) {
    if (!(error instanceof RpcFault && error.faultCode === Faults.BAD_NAME)) throw error;
    present = false;
  }
  if (running) return;
  if (present) await rpc.call("removeProcessGroup", "watchdog");
  await rpc.call("reloadConfig");
  try {
    await rpc.call("addProcessGroup", "watchdog");
  } catch (error) {
    if (!(error instanceof RpcFault && (error.faultCode === Faults.BAD_NAME || error.faultCode === Faults.ALREADY_ADDED))) throw error;
  }
}

/** getState of the daemon on `socket`: its state code, or undefined when nothing answers. */
export async function supervisorState(socket: string): Promise<number | undefined> {
  try {
    const state = (await supervisorClient(socket).call("getState")) as { statecode: number };
    return state.statecode;
  } catch (error) {
    if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) return -1;
    if (error instanceof RpcConnectionError) return undefined;
    throw error;
  }
}

export interface LaunchSupervisordOptions {
  log?: ControlLog;
  /** slapos.cfg, so the daemon loads the same plugins. */
  slaposConfig?: string;
  /** argv prefix that runs slapos (defaults to this executable). */
  command?: string[];
}

/**
 * launchSupervisord: if the daemon answers RUNNING, re-add a watchdog that
 * is not running and return; while it shuts down, wait (2·n s, 5 tries);
 * otherwise start it with an empty environment and wait until it answers.
 */
export async function launchSupervisord(instanceRoot: string, options: LaunchSupervisordOptions = {}): Promise<void> {
  const log = options.log ?? quiet;
  const paths = supervisorPaths(instanceRoot, { info: (m) => log.info(m) });
  const fresh = `${paths.instanceRoot}/sv.sock`;
  if (paths.socket !== fresh && existsSync(fresh) && readable(fresh)) {
    log.critical(`We have two supervisord running ! Stopping the one using ${fresh} to keep using legacy ${paths.socket} instead`);
    const rpc = supervisorClient(fresh);
    await rpc.call("stopAllProcesses");
    await rpc.call("shutdown");
  }
  if (existsSync(paths.socket)) {
    for (let attempt = 1; attempt < 6; attempt++) {
      const state = await supervisorState(paths.socket);
      if (state === undefined) break;
      if (state === 1) {
        log.debug("Supervisord already running.");
        await updateWatchdog(paths.socket);
        return;
      }
      if (state === -1) {
        log.info("Supervisor in shutdown procedure, will check again later.");
        await Bun.sleep(2000 * (attempt + 1));
        continue;
      }
      log.warning(`Unknown supervisord state ${state}. Will try to start.`);
      break;
    }
  }
  log.info("Launching supervisord with clean environment.");
  try {
    await launchDetached({ configPath: paths.config, slaposConfig: options.slaposConfig, env: {}, command: options.command });
  } catch (error) {
    log.warning(`Supervisord unknown problem: ${(error as Error).message}`);
    throw new SlapError("failure", `Failed to launch supervisord:\n${(error as Error).message}`, { cause: error });
  }
  for (let attempt = 1; attempt < 6; attempt++) {
    if ((await supervisorState(paths.socket)) === 1) return;
    await Bun.sleep(200 * attempt);
  }
  log.warning("Issue while checking supervisord.");
}

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
