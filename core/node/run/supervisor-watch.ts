/**
 * When the loop runs as a program of the node's own supervisor (configure
 * local without systemd), nothing else would restart that supervisor if
 * it died: the loop, left running as an orphan, does. It relaunches it only
 * when the daemon's process is gone (a daemon that is alive but slow is
 * left alone), after stopping the processes of the dead daemon that the new
 * one will start again (the master, which would otherwise keep the port,
 * and the watchdog). The partitions' services are left running: their
 * .timestamp is unchanged, so nothing is redeployed. The new supervisor
 * starts a new loop (`node run --replace`), which takes over from this one.
 */
import { join } from "node:path";
import type { Hooks } from "../../hooks/catalogue.ts";
import { required } from "../../hooks/loader.ts";
import type { Logger } from "../../log/logger.ts";
import { pidFromFile, pidsWithEnvironment, terminate } from "./procs.ts";
import type { LoopSettings } from "./settings.ts";

/** Programs of the appliance that a new supervisor starts again, so their orphans must go first. */
export const RESTARTED_PROGRAMS = ["slapos-proxy", "watchdog"];

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
  if (pidFromFile(join(instanceRoot, "var", "run", "supervisord.pid")) !== undefined) {
    log.warning(`the supervisor on ${settings.supervisorSocket} does not answer, but its process is alive: waiting`);
    return "unresponsive";
  }
  log.warning(`the supervisor on ${settings.supervisorSocket} is gone: relaunching it`);
  const url = `SUPERVISOR_SERVER_URL=unix://${settings.supervisorSocket}`;
  for (const name of RESTARTED_PROGRAMS) {
    const orphans = pidsWithEnvironment([url, `SUPERVISOR_PROCESS_NAME=${name}`]);
    if (!orphans.length) continue;
    log.info(`stopping ${name} (pid ${orphans.join(", ")}), left by the supervisor that died`);
    await terminate(orphans, 10);
  }
  await required(hooks.supervisor.launch, { instanceRoot, configPath: join(instanceRoot, "etc", "supervisord.conf") });
  return "relaunched";
}
