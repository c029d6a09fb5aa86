/** Disk helpers of the node: free space checks and permission-tolerant removal. */
import { chmodSync, existsSync, lstatSync, readdirSync, rmSync, statfsSync } from "node:fs";
import { dirname, join } from "node:path";
import { SlapError } from "../errors.ts";

/** Parse `1000M`-style sizes (K, M, G, T: powers of 1024) into bytes. */
export function parseSize(text: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*$/i.exec(text);
  if (!match) throw new SlapError("config", `${name} is not a size: ${JSON.stringify(text)}`);
  const power = " KMGT".indexOf(match[2].toUpperCase() || " ");
  return Math.floor(Number(match[1]) * 1024 ** power);
}

/** Free bytes for an unprivileged user at the nearest existing ancestor of `path`. */
export function freeSpace(path: string): number {
  let probe = path;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  const stats = statfsSync(probe);
  return stats.bsize * stats.bavail;
}

/** The reference's DiskSpaceError when less than `required` bytes are free. */
export function checkFreeSpace(path: string, required: number, option: string): void {
  const available = freeSpace(path);
  if (available < required) {
    throw new SlapError("failure", `Not enough space for ${path}: available ${available}, required ${required} (option '${option}')`);
  }
}

/** Remove a tree even where modes forbid it (chmod 0700 and retry), never following symlinks out. */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
    return;
  } catch {
    // fall through: open up permissions and retry
  }
  const openUp = (p: string) => {
    const stat = lstatSync(p, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      chmodSync(p, 0o700);
      for (const name of readdirSync(p)) openUp(join(p, name));
    }
  };
  openUp(path);
  rmSync(path, { recursive: true, force: true });
}

/** Empty a folder (keep the folder itself), tolerant of modes. */
export function emptyFolder(path: string): void {
  if (!existsSync(path)) return;
  chmodSync(path, lstatSync(path).mode & 0o7777 | 0o700);
  for (const name of readdirSync(path)) removeTree(join(path, name));
}
