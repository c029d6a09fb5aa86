/**
 * Offline mode (node-runtime.md §3.13): the master cannot be reached, so keep
 * what runs running — partitions marked stopped by a legacy
 * `.requested_state` are stopped, then every supervisor program is started.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { messageOf } from "../../errors.ts";
import { required } from "../../hooks/loader.ts";
import type { NodeRun } from "../context.ts";
import { removeOwnGroupFile } from "./programs.ts";

export async function runOffline(run: NodeRun): Promise<number> {
  const answer = await run.hooks.instance.offline.promise({ instanceRoot: run.options.instanceRoot });
  if (answer !== undefined) return answer;
  run.log.info("Processing computer partitions offline...");
  try {
    const root = run.options.instanceRoot;
    // Backwards compatibility: partitions a legacy node marked stopped stay stopped
    for (const name of readdirSync(root)) {
      const marker = join(root, name, ".requested_state");
      if (!existsSync(marker) || !statSync(marker).isFile()) continue;
      const requested = readFileSync(marker, "utf8");
      rmSync(marker, { force: true });
      if (requested !== "stopped") continue;
      if (await removeOwnGroupFile({ id: name, path: join(root, name), instanceRoot: root }, run.hooks)) {
        run.log.info(`Requested stop of ${name}...`);
      }
    }
    await required(run.hooks.supervisor.call, { instanceRoot: root, method: "supervisor.startAllProcesses", params: [false] });
    return 3;
  } catch (error) {
    run.log.error(`Error in offline mode while starting partitions: ${messageOf(error)}`);
    return 1;
  }
}
