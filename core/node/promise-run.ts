/**
 * `slapos node promise` (node-runtime.md §3.14): for each required started
 * partition, run its promises (test mode, forced). Nothing is reported to
 * the master. A promise failure exits 2; a connection error propagates (1).
 */
import { SlapError, messageOf } from "../errors.ts";
import type { NodeRun } from "./context.ts";
import { filterPartitions, onlySelected } from "./instance/filter.ts";
import { Partition } from "./instance/partition.ts";
import { checkPromises } from "./instance/promises.ts";

export async function runPromiseCommand(run: NodeRun, only: string[]): Promise<number> {
  const computer = await run.master.getFullComputerInformation(run.options.computerId);
  const all = computer.getComputerPartitionList();
  onlySelected(all, only);
  let failed = false;
  for (const slap of onlySelected(await filterPartitions(run, all), only.filter((id) => all.some((p) => p.getId() === id)))) {
    const partition = new Partition(run, slap);
    if (partition.requestedState !== "started") continue;
    try {
      await checkPromises(partition, "test", true);
    } catch (error) {
      if (error instanceof SlapError && (error.code === "connection" || error.code === "server")) throw error;
      failed = true;
      run.log.error(`${partition.id}: ${messageOf(error)}`);
    }
  }
  return failed ? 2 : 0;
}
