/**
 * `slapos node report` (node-runtime.md §4): usage scripts and reports of
 * every partition, then the destruction of partitions the master wants
 * destroyed. Software is never destroyed here. Exit 1 if a script or a
 * destruction failed, else 0.
 */
import { messageOf } from "../../errors.ts";
import type { NodeRun } from "../context.ts";
import { filterPartitions } from "../instance/filter.ts";
import { Partition } from "../instance/partition.ts";
import { collectDestroyed } from "./destroy.ts";
import { collectPartitionUsage, runReportScripts, sendComputerReports, sendUsage, usageJournal } from "./usage.ts";

export async function reportAndCollect(run: NodeRun): Promise<number> {
  const computer = await run.master.getFullComputerInformation(run.options.computerId);
  const partitions = (await filterPartitions(run, computer.getComputerPartitionList())).map((p) => new Partition(run, p));
  let failed = false;
  const movements: string[] = [];
  const usageIssues = new Set<string>();
  let last: Partition | undefined;
  for (const partition of partitions) {
    last = partition;
    await run.hooks.report.scripts.promise(partition.job);
    if ((await runReportScripts(partition)).length) failed = true;
    movements.push(...collectPartitionUsage(run, partition.id, partition.path));
  }
  try {
    await sendComputerReports(run);
    if (movements.length) await sendUsage(run, usageJournal(run.options.computerId, movements));
  } catch (error) {
    run.log.error(`Usage report failed: ${messageOf(error)}`);
    if (last) {
      usageIssues.add(last.id);
      await run.master.softwareInstanceError(run.options.computerId, last.id, messageOf(error)).catch(() => undefined);
    }
  }
  for (const partition of partitions) {
    if (partition.requestedState !== "destroyed" || usageIssues.has(partition.id)) continue;
    try {
      await collectDestroyed(partition);
    } catch (error) {
      failed = true;
      run.log.error(`Destruction of ${partition.id} failed: ${messageOf(error)}`);
      await run.master.softwareInstanceError(run.options.computerId, partition.id, messageOf(error)).catch(() => undefined);
    }
  }
  return failed ? 1 : 0;
}
