/** Running a partition's promises through the promise engine's hook. */
import { join } from "node:path";
import { SlapError } from "../../errors.ts";
import { required } from "../../hooks/loader.ts";
import type { Partition } from "./partition.ts";

/** Run promises; a failure is a `promise` SlapError carrying the reference's PromiseError text. */
export async function checkPromises(partition: Partition, mode: "anomaly" | "test", force: boolean): Promise<void> {
  const { run } = partition;
  const repository = run.options.certificateRepositoryPath;
  const result = await required(run.hooks.promise.check, {
    partitionId: partition.id,
    partitionPath: partition.path,
    softwarePath: partition.softwarePath,
    computerId: run.options.computerId,
    masterUrl: run.options.masterUrl,
    certFile: repository ? join(repository, `${partition.id}.crt`) : undefined,
    keyFile: repository ? join(repository, `${partition.id}.key`) : undefined,
    mode,
    force,
    timeout: run.options.promiseTimeout,
    // the engine calls this at most once per run; with the partition's certificate, as the reference
    bang: (message: string) => partition.partitionClient().softwareInstanceBang(run.options.computerId, partition.id, message),
  });
  if (result.error) throw new SlapError("promise", result.error);
}
