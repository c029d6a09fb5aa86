/** Running a partition's promises through the promise engine's hook. */
import { SlapError } from "../../errors.ts";
import { required } from "../../hooks/loader.ts";
import type { Partition } from "./partition.ts";

/** Run promises; a failure is a `promise` SlapError carrying the reference's PromiseError text. */
export async function checkPromises(partition: Partition, mode: "anomaly" | "test", force: boolean): Promise<void> {
  const { run } = partition;
  let banged = false;
  const result = await required(run.hooks.promise.check, {
    partitionId: partition.id,
    partitionPath: partition.path,
    softwarePath: partition.softwarePath,
    mode,
    force,
    timeout: run.options.promiseTimeout,
    bang: async (message: string) => {
      if (banged) return;
      banged = true;
      await run.master.softwareInstanceBang(run.options.computerId, partition.id, message);
    },
  });
  if (result.error) throw new SlapError("promise", result.error);
}
