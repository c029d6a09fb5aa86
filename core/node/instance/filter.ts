/**
 * FilterComputerPartitionList (node-runtime.md §3.2), shared by the instance
 * and report runs: partitions whose folder is missing are reported and
 * skipped; free partitions are cleaned of `.slapgrid` and `.timestamp` and
 * skipped without any call to the master.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import type { ComputerPartition } from "../../slap/objects.ts";
import type { NodeRun } from "../context.ts";
import { removeTree } from "../disk.ts";
import { partitionPath } from "../paths.ts";

function isFree(partition: ComputerPartition): boolean {
  let state: string;
  try {
    state = partition.getState();
  } catch {
    return false;
  }
  return state === "destroyed" && !partition.getSoftwareReleaseUrl();
}

export async function filterPartitions(run: NodeRun, partitions: ComputerPartition[]): Promise<ComputerPartition[]> {
  const kept: ComputerPartition[] = [];
  for (const partition of partitions) {
    const id = partition.getId();
    let path: string;
    try {
      path = partitionPath(run.options.instanceRoot, id);
    } catch (error) {
      run.log.error(messageOf(error));
      continue;
    }
    if (!existsSync(path)) {
      const message = `Partition directory ${path} does not exist.`;
      run.log.warning(message);
      await run.master.softwareInstanceError(run.options.computerId, id, message).catch(() => undefined);
      continue;
    }
    if (isFree(partition)) {
      for (const name of [".slapgrid", ".timestamp"]) removeTree(join(path, name));
      const left = readdirSync(path);
      if (!(left.length === 0 || (left.length === 1 && left[0] === ".slapos-resource"))) {
        run.log.warning(`Free partition ${id} contains file(s) in ${path}.`);
      }
      continue;
    }
    kept.push(partition);
  }
  return kept;
}

/** --only-cp: every id must be known to the master. */
export function onlySelected(partitions: ComputerPartition[], only: string[]): ComputerPartition[] {
  if (!only.length) return partitions;
  const known = new Set(partitions.map((p) => p.getId()));
  const unknown = only.filter((id) => !known.has(id)).sort();
  if (unknown.length) {
    throw new SlapError("failure", `Unknown partition${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`);
  }
  return partitions.filter((p) => only.includes(p.getId()));
}
