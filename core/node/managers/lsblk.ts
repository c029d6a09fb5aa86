/**
 * The block devices devperm may hand out: `lsblk --json --output-all`,
 * top-level devices of type `disk` and their children of type `part`
 * (slapos.manager.devperm `_getLsblkDiskList`). A loop device is type
 * `loop`, so it is refused, while the partitions on it are listed.
 */
import type { Logger } from "../../log/logger.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function record(value: Json | undefined): Record<string, Json> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
}

/** lsblk's JSON document, or undefined (logged at INFO, as the reference) when the call or its output failed. */
function lsblkDocument(log: Logger): Record<string, Json> | undefined {
  let parsed: Json;
  try {
    const result = Bun.spawnSync(["lsblk", "--json", "--output-all"], { stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0) throw new Error(`exit ${result.exitCode}: ${result.stderr.toString().trim()}`);
    parsed = JSON.parse(result.stdout.toString()) as Json;
  } catch (error) {
    log.info(`lsblk call failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const document = record(parsed);
  if (!document) log.info("lsblk output not supported");
  return document;
}

/** Paths of the disks and their partitions, in lsblk's order. */
export function lsblkDiskList(log: Logger): string[] {
  const document = lsblkDocument(log);
  if (!document) return [];
  const devices = document.blockdevices;
  if (!Array.isArray(devices)) {
    log.info("lsblk output not supported");
    return [];
  }
  const disks: string[] = [];
  for (const device of devices.map(record)) {
    if (!device || !("path" in device) || !("type" in device)) continue;
    if (device.type === "disk" && typeof device.path === "string") disks.push(device.path);
    if (!Array.isArray(device.children)) continue;
    for (const child of device.children.map(record)) {
      if (child?.type === "part" && typeof child.path === "string") disks.push(child.path);
    }
  }
  return disks;
}
