/** Hooks of `slapos node instance` (node-runtime.md §3, §9). */
import { bail, notify, series, waterfall } from "../declare.ts";

export interface PartitionJob {
  /** e.g. slappart3 */
  id: string;
  /** INST_ROOT/slappart3 */
  path: string;
  softwareRelease?: string;
  requestedState: "started" | "stopped" | "destroyed";
  parameters: Record<string, unknown>;
}

export function createInstanceHooks() {
  return {
    instance: {
      list: waterfall<PartitionJob[]>("partitions to process → list (filtering, --only-cp)"),
      setup: series<PartitionJob>("before a partition is processed (manager.instance)"),
      shouldProcess: bail<
        { partition: PartitionJob; timestamp?: string; stored?: string; periodicity: number; develop: boolean; forceStop: boolean },
        boolean
      >("decide whether a partition needs processing; undefined keeps the timestamp rule"),
      upToDate: series<PartitionJob>("a started partition was skipped as up to date"),
      certificates: series<PartitionJob>("write the partition's certificate and key"),
      buildoutProfile: waterfall<string, PartitionJob>("instance buildout.cfg text with the slapgrid tail → text"),
      install: series<PartitionJob>("after the instance buildout ran"),
      start: series<PartitionJob>("start the partition's services"),
      stop: series<PartitionJob>("stop the partition's services"),
      firewall: series<{ partition: PartitionJob; ipList: string[]; drop: boolean }>("apply firewall rules"),
      state: series<{ partition: PartitionJob; state: "started" | "stopped" | "error"; log?: string }>(
        "report a partition state to the master",
      ),
      transaction: series<{ partition: PartitionJob; references: string[] }>("instances requested during the run"),
      error: series<{ partition: PartitionJob; error: unknown }>("a partition failed"),
      tearDown: series<PartitionJob>("end of a partition's processing, always (manager.instanceTearDown)"),
      offline: bail<{ instanceRoot: string }, number>("master unreachable: run offline; return the exit code"),
      summary: notify<{ processed: string[]; errors: string[]; promiseErrors: string[] }>("end of the run"),
    },
  };
}
