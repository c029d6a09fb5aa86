/**
 * Where things are on a node, and the guard that keeps every write inside
 * software_root and instance_root: a software URL or a partition reference
 * from the master can never name `..`, an absolute path, or go through a
 * symlink out of its root.
 */
import { createHash } from "node:crypto";
import { lstatSync, realpathSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { SlapError } from "../errors.ts";

/** H: lowercase md5 hex of the software release URL (UTF-8), the folder name under software_root. */
export function softwareHash(url: string): string {
  return createHash("md5").update(url, "utf8").digest("hex");
}

const PARTITION_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Refuse a partition id that could leave the instance root. */
export function checkPartitionId(id: string): string {
  if (!PARTITION_ID.test(id) || id === "." || id === ".." || id.includes("..")) {
    throw new SlapError("bad-request", `refusing partition reference ${JSON.stringify(id)}: not a plain folder name`);
  }
  return id;
}

/**
 * `root/child`, refused unless it stays inside root once symlinks are
 * resolved (for the parts that exist).
 */
export function inside(root: string, ...parts: string[]): string {
  const base = resolve(root);
  for (const part of parts) {
    if (isAbsolute(part) || part.split(/[\\/]/).includes("..")) {
      throw new SlapError("bad-request", `refusing path ${JSON.stringify(part)}: it would leave ${base}`);
    }
  }
  const target = join(base, ...parts);
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    return target; // not there yet: its lexical form is inside
  }
  let realBase: string;
  try {
    realBase = realpathSync(base);
  } catch {
    realBase = base;
  }
  const rel = relative(realBase, real);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new SlapError("bad-request", `refusing ${target}: it resolves to ${real}, outside ${realBase}`);
  }
  return target;
}

/** The software folder of a URL: software_root/H. */
export function softwarePath(softwareRoot: string, url: string): string {
  return inside(softwareRoot, softwareHash(url));
}

/** The folder of a partition: instance_root/PID. */
export function partitionPath(instanceRoot: string, partitionId: string): string {
  return inside(instanceRoot, checkPartitionId(partitionId));
}

/** Whether a path is a symlink (without following it). */
export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
