/**
 * When the loop runs as a program of the node's own supervisor (configure
 * local without systemd), nothing else would restart that supervisor if
 * it died: the loop, left running as an orphan, does. It relaunches it only
 * when the daemon's process is gone (a daemon that is alive but slow is
 * left alone). The new daemon adopts what the dead one recorded in its
 * state file (`supervisord.processes.json`, see the supervisor plugin's
 * README): the master keeps its pid and port, the partitions' services and
 * this loop go on. Only an orphan master or watchdog the state file does
 * not record (the file was lost) is stopped first, since the new daemon
 * would start it again beside the orphan (which would keep the port).
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Hooks } from "../../hooks/catalogue.ts";
import { required } from "../../hooks/loader.ts";
import type { Logger } from "../../log/logger.ts";
import { pidFromFile, pidsWithEnvironment, terminate } from "./procs.ts";
import type { LoopSettings } from "./settings.ts";

/** Programs of the appliance that a new supervisor would start again beside an orphan it does not adopt. */
export const RESTARTED_PROGRAMS = ["slapos-proxy", "watchdog"];

/**
 * The pids a dead daemon recorded in its state file (beside its pidfile:
 * `supervisord.pid` → `supervisord.processes.json`): the ones the next
 * daemon considers adopting (it checks each is still that process). A
 * missing, unreadable or foreign file records nothing.
 */
export function recordedPids(pidfile: string): Set<number> {
  try {
    const path = join(dirname(pidfile), `${basename(pidfile).replace(/\.pid$/, "")}.processes.json`);
    const state = JSON.parse(readFileSync(path, "utf8")) as { processes?: Array<{ pid?: unknown }> };
    return new Set((state.processes ?? []).map((entry) => entry.pid).filter((pid): pid is number => typeof pid === "number"));
  } catch {
    return new Set();
  }
}

/** Whether an error is an XML-RPC fault (the daemon answered) rather than no answer at all. */
function isFault(error: unknown): boolean {
  return typeof (error as { faultCode?: unknown })?.faultCode === "number";
}

export type SupervisorCheck = "running" | "unresponsive" | "relaunched";

export async function checkSupervisor(settings: LoopSettings, hooks: Hooks, log: Logger): Promise<SupervisorCheck> {
  const instanceRoot = settings.instanceRoot;
  const ask = () => hooks.supervisor.call.promise({ instanceRoot, method: "supervisor.getState", params: [] });
  try {
    await ask();
    return "running";
  } catch (error) {
    if (isFault(error)) return "running"; // it answers (perhaps shutting down on purpose)
  }
  const pidfile = join(instanceRoot, "var", "run", "supervisord.pid");
  if (pidFromFile(pidfile) !== undefined) {
    log.warning(`the supervisor on ${settings.supervisorSocket} does not answer, but its process is alive: waiting`);
    return "unresponsive";
  }
  log.warning(`the supervisor on ${settings.supervisorSocket} is gone: relaunching it`);
  const url = `SUPERVISOR_SERVER_URL=unix://${settings.supervisorSocket}`;
  const recorded = recordedPids(pidfile);
  for (const name of RESTARTED_PROGRAMS) {
    const all = pidsWithEnvironment([url, `SUPERVISOR_PROCESS_NAME=${name}`]);
    const orphans = all.filter((pid) => !recorded.has(pid));
    if (all.length > orphans.length) log.info(`${name} (pid ${all.filter((pid) => recorded.has(pid)).join(", ")}) is left for the new supervisor to adopt`);
    if (!orphans.length) continue;
    log.info(`stopping ${name} (pid ${orphans.join(", ")}), left by the supervisor that died`);
    await terminate(orphans, 10);
  }
  await required(hooks.supervisor.launch, { instanceRoot, configPath: join(instanceRoot, "etc", "supervisord.conf") });
  return "relaunched";
}
