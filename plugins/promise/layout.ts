/**
 * Where a partition's promises and their state live (node-runtime.md §1.3):
 *
 *     etc/plugin/*.py, *.promise.json     promise plugins and declarations
 *     etc/promise/*                       legacy promise executables
 *     .slapgrid/promise/result/<title>.status.json
 *     .slapgrid/promise/cache/<title>
 *     .slapgrid/promise/log/<title>.log
 *
 * As root, the state folders and what the node writes in them belong to the
 * partition user, who writes there too (Python plugins log themselves).
 */
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { PartitionUser } from "./partition-user.ts";

export interface PromiseFolders {
  plugin: string;
  legacy: string;
  /** .slapgrid/promise */
  state: string;
  result: string;
  cache: string;
  log: string;
}

export function promiseFolders(partitionPath: string): PromiseFolders {
  const state = join(partitionPath, ".slapgrid", "promise");
  return {
    plugin: join(partitionPath, "etc", "plugin"),
    legacy: join(partitionPath, "etc", "promise"),
    state,
    result: join(state, "result"),
    cache: join(state, "cache"),
    log: join(state, "log"),
  };
}

function own(path: string, user: PartitionUser): void {
  if (!user.drop) return;
  try {
    const stat = lstatSync(path);
    if (stat.uid !== user.uid || stat.gid !== user.gid) chownSync(path, user.uid, user.gid);
  } catch {
    // vanished meanwhile
  }
}

/** Make the state folders, owned by the partition user. */
export function prepareFolders(folders: PromiseFolders, user: PartitionUser): void {
  const slapgrid = join(folders.state, "..");
  for (const path of [slapgrid, folders.state, folders.result, folders.cache, folders.log]) {
    if (!existsSync(path)) {
      mkdirSync(path);
      own(path, user);
    } else if (path !== slapgrid) {
      own(path, user);
    }
  }
}

/** Give the partition user what the node wrote in the state folders. */
export function ownState(folders: PromiseFolders, user: PartitionUser): void {
  if (!user.drop) return;
  for (const folder of [folders.result, folders.cache, folders.log]) {
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {
      continue;
    }
    for (const name of names) own(join(folder, name), user);
  }
}

function removeFile(path: string): void {
  try {
    if (statSync(path).isFile()) unlinkSync(path);
  } catch {
    // absent
  }
}

/** Files of older slapos.core versions, removed at every run. */
export function removeDeprecated(folders: PromiseFolders, names: string[]): void {
  for (const file of ["promise_stats.json", "promise_status.json", "global.json", "public.json"]) {
    removeFile(join(folders.state, file));
  }
  for (const name of names) {
    removeFile(join(folders.state, `${name}.timestamp`));
    removeFile(join(folders.state, `${name}.periodicity`));
  }
  rmSync(join(folders.state, "history"), { recursive: true, force: true });
}
