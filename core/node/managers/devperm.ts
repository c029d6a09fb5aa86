/**
 * The `devperm` manager (node-runtime.md §3.12, slapos.manager.devperm): a
 * partition lists block devices in `.slapos-disk-permission`
 * (`[{"disk": "/dev/…"}]`, e.g. for a VM's raw disk); at `instance` and
 * `instanceTearDown` each one, symlinks resolved, that is allowed by
 * `[manager:devperm] allowed-disk-for-vm` (when the option exists) and that
 * `lsblk` lists as a disk or a partition is given to the partition's owner,
 * group `disk`.
 */
import { chownSync, existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { SlapConfig } from "../../config/slap-config.ts";
import { SlapError } from "../../errors.ts";
import type { PartitionJob } from "../../hooks/groups/instance.ts";
import type { Logger } from "../../log/logger.ts";
import { pyRepr, pyStr } from "../../slap/python-repr.ts";
import type { PyValue } from "../../slap/marshal/values.ts";
import { passwdByUid } from "../users.ts";
import { lsblkDiskList } from "./lsblk.ts";
import { pythonRealpath } from "./python-realpath.ts";

/** The partition's request, relative to its folder. */
export const DISK_PERMISSION_FILE = ".slapos-disk-permission";

/**
 * `allowed-disk-for-vm` of the manager's section, one path a line; undefined
 * when the option is absent (then every lsblk disk is allowed). As the
 * reference, the section is any whose name is `manager` + one character +
 * `devperm` (`[manager:devperm]`), the last one of the file winning.
 */
export function allowedDiskList(config: SlapConfig | undefined): string[] | undefined {
  let allowed: string[] | undefined;
  for (const section of config?.sections() ?? []) {
    if (!section.startsWith("manager") || section.slice("manager".length + 1) !== "devperm") continue;
    const value = config!.get(section, "allowed-disk-for-vm");
    allowed = value === undefined ? undefined : value.split(/\r\n|\r|\n/).map((line) => line.trim()).filter(Boolean);
  }
  return allowed;
}

/** gid of the group `disk` (grp.getgrnam("disk")). */
function diskGroupId(): number {
  const line = existsSync("/etc/group") ? readFileSync("/etc/group", "utf8").split("\n").find((l) => l.split(":")[0] === "disk") : undefined;
  let gid = line === undefined ? NaN : Number(line.split(":")[2]);
  if (!Number.isInteger(gid)) {
    const nss = Bun.spawnSync(["getent", "group", "disk"], { stdout: "pipe", stderr: "ignore" });
    gid = nss.exitCode === 0 ? Number(nss.stdout.toString().split(":")[2]) : NaN;
  }
  if (!Number.isInteger(gid)) throw new SlapError("config", "devperm: the group 'disk' does not exist");
  return gid;
}

/** The requested entries, or undefined (warned) when the file is not a JSON list. */
function readRequest(file: string, log: Logger): PyValue[] | undefined {
  try {
    // a FIFO or a folder put there by the partition would block or fail the read
    if (!statSync(file).isFile()) throw new Error("not a regular file");
    const parsed = JSON.parse(readFileSync(file, "utf8")) as PyValue;
    // [BUG] fixed: the reference iterates whatever JSON it got and crashes the partition on a non-list
    if (!Array.isArray(parsed)) throw new Error("not a JSON list");
    return parsed;
  } catch (error) {
    log.warning(`Bad disk configuration file: ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** Manager.instance / Manager.instanceTearDown of slapos.manager.devperm (the same work). */
export function devpermPartition(partition: PartitionJob, allowed: string[] | undefined, log: Logger): void {
  const file = join(partition.path, DISK_PERMISSION_FILE);
  if (!existsSync(file)) return;
  const request = readRequest(file, log);
  if (!request) return;
  const lsblk = lsblkDiskList(log);
  for (const entry of request) {
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      // [BUG] fixed: the reference calls entry.get() and crashes the partition on a non-object entry
      log.warning(`Disk entry is not an object: ${pyRepr(entry)}`);
      continue;
    }
    const value = (entry as Record<string, PyValue>).disk;
    if (value === undefined || value === null) {
      log.warning(`Disk is None: ${pyRepr(request)} `);
      continue;
    }
    const disk = pythonRealpath(pyStr(value));
    if (allowed !== undefined && !allowed.includes(disk)) {
      log.warning(`Disk ${disk} not in allowed disk list ${allowed.join(", ")}`);
      continue;
    }
    if (!lsblk.includes(disk)) {
      log.warning(`Disk ${pyRepr(disk)} is not detected by lsblk list ${pyRepr(lsblk)}`);
      continue;
    }
    const uid = statSync(partition.path).uid;
    if (statSync(disk).uid === uid) continue;
    log.warning(`Transfer ownership of ${disk} to ${passwdByUid(uid)?.name ?? uid}`);
    chownSync(disk, uid, diskGroupId());
  }
}

/** Tap devperm on `instance.setup` and `instance.tearDown` (the reference's instance() calls instanceTearDown()). */
export function devpermManager(config: SlapConfig | undefined, log: Logger): (partition: PartitionJob) => void {
  const allowed = allowedDiskList(config);
  return (partition) => devpermPartition(partition, allowed, log);
}
