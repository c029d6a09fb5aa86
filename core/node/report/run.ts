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
import { collectPartitionDocuments, runReportScripts, sendComputerReports, sendUsage, usageJournal } from "./usage.ts";

export async function reportAndCollect(run: NodeRun): Promise<number> {
  const computer = await run.master.getFullComputerInformation(run.options.computerId);
  run.log.info("Aggregating and sending usage reports...");
  const partitions = (await filterPartitions(run, computer.getComputerPartitionList())).map((p) => new Partition(run, p));
  let failed = false;
  for (const partition of partitions) {
    try {
      await run.hooks.report.scripts.promise(partition.job);
      if ((await runReportScripts(partition)).length) failed = true;
    } catch (error) {
      // whatever happens, the other partitions are still processed
      run.log.error(`Cannot run usage script(s) for '${partition.id}': ${messageOf(error)}`);
    }
  }
  const movements: string[] = [];
  for (const partition of partitions) {
    try {
      const found = collectPartitionDocuments(run, partition.id, partition.path);
      // the reference registers the partition once per valid document (setUsage)
      for (let i = 0; i < found.documents; i++) await run.master.registerComputerPartition(run.options.computerId, partition.id);
      movements.push(...found.movements);
    } catch (error) {
      run.log.error(`Cannot run usage script(s) for '${partition.id}': ${messageOf(error)}`);
    }
  }
  await sendComputerReports(run);
  const usageIssues = new Set<string>();
  if (movements.length) {
    try {
      await sendUsage(run, usageJournal(run.options.computerId, movements));
    } catch (error) {
      // the reference blames the last partition it iterated, and keeps it from destruction this run
      const last = partitions[partitions.length - 1];
      if (last) {
        const issue = `Cannot report usage for '${last.id}': ${messageOf(error)}`;
        run.log.info(issue);
        usageIssues.add(last.id);
        await run.master.softwareInstanceError(run.options.computerId, last.id, issue).catch(() => undefined);
      }
    }
  }
  for (const partition of partitions) {
    if (partition.requestedState !== "destroyed") continue;
    try {
      await collectDestroyed(partition, usageIssues.has(partition.id));
    } catch (error) {
      failed = true;
      run.log.error(`Destruction of ${partition.id} failed: ${messageOf(error)}`);
      await run.master.softwareInstanceError(run.options.computerId, partition.id, error instanceof Error ? error.message : String(error)).catch(() => undefined);
    }
  }
  run.log.info("Finished usage reports.");
  return failed ? 1 : 0;
}
