/**
 * A partition's programs (node-runtime.md §3.5): `etc/run/*` and
 * `etc/service/*` (the latter watched, `-on-watch`), written as
 * `etc/supervisord.conf.d/<PID>.conf` (and `<PID>-<suffix>.conf` for
 * manager groups), with stale files of the partition removed.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { lookupUser } from "../config/datatypes.ts";
import { groupFileText, supervisorPaths, updateFile, type PartitionProgram, type ProgramIdentity } from "./files.ts";

/** slapgrid's mark on watched services' process names. */
export const WATCHDOG_MARK = "-on-watch";

function listDir(path: string): string[] {
  try {
    return statSync(path).isDirectory() ? readdirSync(path).sort() : [];
  } catch {
    return [];
  }
}

/**
 * generateSupervisorConfiguration: group → programs, from etc/run then
 * etc/service (a service replaces a runner of the same basename but keeps
 * its place, as a Python dict update does). Empty when there is nothing.
 */
export function partitionPrograms(partitionPath: string, partitionId: string): Map<string, PartitionProgram[]> {
  const byId = new Map<string, PartitionProgram>();
  for (const [dir, mark] of [["run", ""], ["service", WATCHDOG_MARK]] as const) {
    const path = join(partitionPath, "etc", dir);
    for (const name of listDir(path)) {
      byId.set(name, { id: name, name: name + mark, command: join(path, name), asUser: true });
    }
  }
  const groups = new Map<string, PartitionProgram[]>();
  if (byId.size) groups.set(partitionId, [...byId.values()]);
  return groups;
}

/** The files of this partition in the conf.d directory: `<PID>.conf` and `<PID>-*` (managers). */
export function partitionFiles(configDir: string, partitionId: string): string[] {
  let names: string[];
  try {
    names = readdirSync(configDir);
  } catch {
    return [];
  }
  return names.filter((f) => f.replace(/\.[^.]*$/, "") === partitionId || f.startsWith(`${partitionId}-`));
}

function identityOf(uid: number, gid: number): ProgramIdentity {
  const user = lookupUser(String(uid));
  return { uid, gid, user: user?.name ?? String(uid), home: user?.home ?? "/" };
}

export interface WriteProgramsOptions {
  partitionId: string;
  partitionPath: string;
  /** Groups to write (manager groups `PID-suffix` included); when absent, found from etc/run and etc/service. */
  groups?: Map<string, PartitionProgram[]>;
  log?: { warning(message: string): void };
}

export interface WriteProgramsResult {
  written: string[];
  removed: string[];
  /** Whether the supervisor must be updated (slapgrid: programs exist or files were removed). */
  needsUpdate: boolean;
}

/**
 * writeSupervisorConfigurationFiles: write each group's file (mode 0600,
 * only when it differs), delete the partition's other files. Programs run
 * as the owner of the partition directory, or root for `asUser: false`.
 */
export function writePartitionPrograms(instanceRoot: string, options: WriteProgramsOptions): WriteProgramsResult {
  const paths = supervisorPaths(instanceRoot);
  const groups = options.groups ?? partitionPrograms(options.partitionPath, options.partitionId);
  if (!options.groups && !groups.size) {
    options.log?.warning(`No runners nor services found for partition '${options.partitionId}'`);
  }
  const owner = statSync(options.partitionPath);
  const remaining = new Set(partitionFiles(paths.configDir, options.partitionId));
  const written: string[] = [];
  for (const [group, programs] of groups) {
    const filename = `${group}.conf`;
    const text = groupFileText(group, programs, options.partitionPath, (p) =>
      p.asUser ? identityOf(owner.uid, owner.gid) : identityOf(0, 0),
    );
    if (updateFile(join(paths.configDir, filename), text)) written.push(filename);
    remaining.delete(filename);
  }
  const removed = [...remaining];
  for (const filename of removed) rmSync(join(paths.configDir, filename), { force: true });
  return { written, removed, needsUpdate: groups.size > 0 || removed.length > 0 };
}

/** removeSupervisorConfigurationFiles: delete every file of the partition; true when there were some. */
export function removePartitionFiles(instanceRoot: string, partitionId: string): boolean {
  const paths = supervisorPaths(instanceRoot);
  const files = partitionFiles(paths.configDir, partitionId);
  for (const filename of files) rmSync(join(paths.configDir, filename), { force: true });
  return files.length > 0;
}

/** Partition.stop's file step: delete only `<PID>.conf`; true when it existed. */
export function removePartitionMainFile(instanceRoot: string, partitionId: string): boolean {
  const path = join(supervisorPaths(instanceRoot).configDir, `${partitionId}.conf`);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  return true;
}
