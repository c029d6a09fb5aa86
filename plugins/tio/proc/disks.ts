/**
 * Disk usage of the mounted physical filesystems, as psutil's
 * disk_partitions() and disk_usage() give them to the reference: devices
 * of /proc/self/mounts whose filesystem type is a real one (not `nodev` in
 * /proc/filesystems, zfs excepted), the first mount of each device, and
 * statfs figures.
 */
import { readFileSync, statfsSync } from "node:fs";

export interface DiskUsage {
  device: string;
  mountpoint: string;
  /** Bytes. */
  total: number;
  used: number;
  free: number;
}

/** /proc/self/mounts escapes space, tab, newline and backslash as octal (\040). */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

function physicalTypes(procRoot: string): Set<string> {
  const types = new Set<string>();
  for (const line of readFileSync(`${procRoot}/filesystems`, "latin1").split("\n")) {
    const [flag, name] = line.split("\t");
    if (flag === "" && name) types.add(name.trim());
    else if (flag === "nodev" && name?.trim() === "zfs") types.add("zfs");
  }
  return types;
}

/** statfs of a path, psutil's way: used counts the root-reserved blocks, free does not. */
export function usageOf(path: string): { total: number; used: number; free: number } {
  const s = statfsSync(path);
  // Bun's StatFs has no frsize on every platform; bsize is the fragment size on Linux.
  const unit = (s as { frsize?: number }).frsize ?? s.bsize;
  const total = s.blocks * unit;
  return { total, used: total - s.bfree * unit, free: s.bavail * unit };
}

/** One entry per distinct physical device, in mount order; mounts that fail statfs are skipped. */
export function readDisks(procRoot = "/proc"): DiskUsage[] {
  const types = physicalTypes(procRoot);
  const seen = new Set<string>();
  const out: DiskUsage[] = [];
  for (const line of readFileSync(`${procRoot}/self/mounts`, "latin1").split("\n")) {
    const [rawDevice, rawMountpoint, fstype] = line.split(" ");
    if (!rawDevice || !rawMountpoint) continue;
    const device = unescapeMount(rawDevice);
    if (device === "" || device === "none" || !types.has(fstype) || seen.has(device)) continue;
    seen.add(device);
    const mountpoint = unescapeMount(rawMountpoint);
    try {
      out.push({ device, mountpoint, ...usageOf(mountpoint) });
    } catch {
      // A mount we may not look into (another user's FUSE mount) is left out, as psutil's caller would fail on it.
    }
  }
  return out;
}
