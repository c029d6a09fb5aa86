/**
 * The loop's own pidfile. Like every node run, a second loop finds the
 * first one there and exits 10. With `--replace` (what configure local's
 * supervisor program uses) it stops the loop that holds it instead
 * (SIGTERM, SIGKILL after 30 s) and takes its place: the loop left running
 * by a supervisor that died is replaced by the one its successor starts.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "../../log/logger.ts";
import { acquirePidfile, type RunLock } from "../pidfile.ts";
import { alive, commandLine, terminate } from "./procs.ts";

function holder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    if (pid === process.pid || !alive(pid) || !commandLine(pid)?.includes("slapos")) return undefined;
    return pid;
  } catch {
    return undefined;
  }
}

/** Take the loop's pidfile; with `replace`, stop the loop holding it first. */
export async function takeLoopPidfile(path: string, replace: boolean, log: Logger): Promise<RunLock> {
  const pid = replace ? holder(path) : undefined;
  if (pid !== undefined) {
    log.info(`replacing the node loop running as pid ${pid}`);
    const killed = await terminate([pid], 30);
    if (killed.length) log.warning(`the former node loop (pid ${pid}) did not stop within 30 s: killed`);
  }
  return acquirePidfile(path);
}
