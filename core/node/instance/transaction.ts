/**
 * The requested-instance transaction (node-runtime.md §3.10): while a
 * partition's buildout runs, every instance it requests is appended to
 * `.slapos-request-transaction-<PID>` (the file is created empty when the
 * request recipe first builds its partition object); after a successful
 * started/stopped processing the list goes to the master with
 * `updateComputerPartitionRelatedInstanceList`, so the master can tell which
 * children the partition still wants. The file is removed when the next
 * processing of the partition starts.
 */
import { accessSync, appendFileSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../errors.ts";
import { dumps } from "../../slap/marshal/encode.ts";
import type { Partition } from "./partition.ts";

/** `.slapos-request-transaction-<PID>` */
export function transactionFileName(partitionId: string): string {
  return `.slapos-request-transaction-${partitionId}`;
}

/** Start of a processing: forget the previous run's list. */
export function resetTransaction(partitionPath: string, partitionId: string): void {
  rmSync(join(partitionPath, transactionFileName(partitionId)), { force: true });
}

/**
 * What the slap library does inside buildout (`_updateTransactionFile`),
 * for request recipes: with no reference, create the file empty if the
 * partition folder is writable and the file is absent; with a reference,
 * append it as a line. Only while a node runs (SLAPGRID_INSTANCE_ROOT set);
 * errors are ignored, as the reference's.
 */
export function recordRequestedInstance(
  partitionId: string,
  reference?: string,
  instanceRoot = process.env.SLAPGRID_INSTANCE_ROOT ?? "",
): void {
  if (!instanceRoot || !partitionId || partitionId.includes("/")) return;
  const path = join(instanceRoot, partitionId, transactionFileName(partitionId));
  try {
    if (reference === undefined) {
      accessSync(join(instanceRoot, partitionId), constants.W_OK);
      if (!existsSync(path)) writeFileSync(path, "");
    } else {
      appendFileSync(path, `${reference}\n`);
    }
  } catch {
    // the reference ignores OSError here
  }
}

/** _endInstallationTransaction: send the list when the file exists; a master without the feature (404) is only warned about. */
export async function endTransaction(partition: Partition): Promise<void> {
  const path = join(partition.path, transactionFileName(partition.id));
  if (!existsSync(path)) return;
  const references = readFileSync(path, "utf8").split("\n").filter(Boolean);
  const { run } = partition;
  await run.hooks.instance.transaction.promise({ partition: partition.job, references });
  try {
    await run.master.post("updateComputerPartitionRelatedInstanceList", [
      ["computer_id", run.options.computerId],
      ["computer_partition_id", partition.id],
      ["instance_reference_xml", dumps(references)],
    ]);
  } catch (error) {
    if (!(error instanceof SlapError && error.code === "not-found")) throw error;
    run.log.warning(
      `NotFoundError: ${error.message}. \nCannot send requested instance list to master. Please check if this feature is implemented on SlapOS Master.`,
    );
  }
}
