/**
 * `slapos node instance` (node-runtime.md §3.1): every partition the master
 * lists, in its order, each isolated from the others' failures; the master
 * becoming unreachable switches to offline mode (exit 3); a summary at the
 * end; exit 1 for failures, 2 for promise-only failures, 0 otherwise.
 */
import { SlapError, messageOf } from "../../errors.ts";
import type { NodeRun } from "../context.ts";
import { filterPartitions, onlySelected } from "./filter.ts";
import { runOffline } from "./offline.ts";
import { processPartition, type InstanceRunOptions } from "./process.ts";
import type { Computer, ComputerPartition } from "../../slap/objects.ts";
import { Partition } from "./partition.ts";

/** Errors that mean "the master is gone", not "this partition failed". */
export function masterUnreachable(error: unknown): boolean {
  return error instanceof SlapError && (error.code === "connection" || error.code === "server");
}

function typeOf(partition: ComputerPartition): string {
  try {
    return partition.getType();
  } catch {
    return "(not ready)";
  }
}

export async function processPartitions(run: NodeRun, options: InstanceRunOptions & { only: string[] }): Promise<number> {
  run.log.info("Processing computer partitions...");
  let computer: Computer;
  try {
    computer = await run.master.getFullComputerInformation(run.options.computerId);
  } catch (error) {
    if (!masterUnreachable(error)) throw error;
    run.log.error(`Cannot reach the master: ${messageOf(error)}; running offline.`);
    return runOffline(run);
  }
  const all = computer.getComputerPartitionList();
  onlySelected(all, options.only); // validates --only-cp against the master's list
  const partitions = onlySelected(await filterPartitions(run, all), options.only.filter((id) => all.some((p) => p.getId() === id)));
  const jobs = partitions.map((p) => new Partition(run, p).job);
  const keep = new Set((await run.hooks.instance.list.promise(jobs)).map((j) => j.id));
  process.env.SLAPGRID_INSTANCE_ROOT = run.options.instanceRoot;

  const failures: string[] = [];
  const promiseFailures: string[] = [];
  for (const partition of partitions.filter((p) => keep.has(p.getId()))) {
    try {
      await processPartition(run, partition, options);
    } catch (error) {
      if (masterUnreachable(error)) {
        run.log.error(`Connection to the master lost: ${messageOf(error)}; running offline.`);
        return runOffline(run);
      }
      const text = error instanceof Error ? error.message : String(error);
      if (error instanceof SlapError && error.code === "promise") {
        run.log.error(text);
        promiseFailures.push(`  ${partition.getId()}[${typeOf(partition)}]: ${text}`);
      } else {
        run.log.error(`Problem while processing partition ${partition.getId()}: ${messageOf(error)}`);
        failures.push(`  ${partition.getId()}[${typeOf(partition)}]: ${text}`);
      }
      const job = jobs.find((j) => j.id === partition.getId())!;
      await run.hooks.instance.error.promise({ partition: job, error }).catch(() => undefined);
      try {
        await run.master.softwareInstanceError(run.options.computerId, partition.getId(), text);
      } catch (reportError) {
        run.log.error(`Problem while reporting error, continuing: ${messageOf(reportError)}`);
      }
    }
  }
  run.log.info("Finished computer partitions.");
  run.log.info("=".repeat(80));
  // one record per line, as the reference logs them
  if (failures.length) run.log.info("Error while processing the following partitions:");
  for (const line of failures) run.log.info(line);
  if (promiseFailures.length) run.log.info("Error with promises for the following partitions:");
  for (const line of promiseFailures) run.log.info(line);
  run.hooks.instance.summary.call({ processed: [...keep], errors: failures, promiseErrors: promiseFailures });
  return failures.length ? 1 : promiseFailures.length ? 2 : 0;
}
