/**
 * The supervisor programs of a partition (node-runtime.md §1.4, §3.5, §3.6),
 * the one implementation of their files: `etc/run/*` then `etc/service/*`
 * (sorted; a service replaces a runner of the same name and is marked
 * `-on-watch` for the watchdog), written as
 * `etc/supervisord.conf.d/<group>.conf` in the reference's exact layout,
 * plus manager groups `<PID>-<suffix>` (addProgramToGroup).
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Hooks } from "../../hooks/catalogue.ts";
import type { ProgramDefinition } from "../../hooks/groups/supervisor.ts";
import { required } from "../../hooks/loader.ts";
import { supervisorPaths, updateFile } from "../supervisor-files.ts";
import { passwdByUid } from "../users.ts";

export interface PartitionRef {
  id: string;
  path: string;
  instanceRoot: string;
}

/** slapgrid's mark on watched services' process names. */
export const WATCHDOG_MARK = "-on-watch";

/** One program as addProgramToGroup takes it. */
export interface ProgramSpec {
  /** Its basename: the key of `<group>_<id>` (`wrapper`). */
  id: string;
  /** Process name (`wrapper`, `daemon-on-watch`). */
  name: string;
  /** Absolute path (no arguments) or a command line. */
  command: string;
  /** False: run as root (manager programs declared "not as user"). */
  asUser?: boolean;
}

function listSorted(folder: string): string[] {
  try {
    return statSync(folder).isDirectory() ? readdirSync(folder).sort() : [];
  } catch {
    return [];
  }
}

/** The `[program:<group>_<id>]` of slapgrid's template (program_partition_supervisord.conf.in). */
export function programDefinition(group: string, spec: ProgramSpec, partitionPath: string): ProgramDefinition {
  const { uid, gid } = spec.asUser === false ? { uid: 0, gid: 0 } : statSync(partitionPath);
  const user = passwdByUid(uid);
  const name = `${group}_${spec.id}`;
  const log = join(partitionPath, `.${name}.log`);
  return {
    group,
    name,
    options: {
      directory: partitionPath,
      command: spec.command,
      process_name: spec.name,
      autostart: "false",
      autorestart: "false",
      startsecs: "0",
      startretries: "0",
      exitcodes: "0",
      stopsignal: "TERM",
      stopwaitsecs: "60",
      stopasgroup: "true",
      killasgroup: "true",
      user: String(uid),
      group: String(gid),
      serverurl: "AUTO",
      redirect_stderr: "true",
      stdout_logfile: log,
      stdout_logfile_maxbytes: "100KB",
      stdout_logfile_backups: "1",
      stderr_logfile: log,
      stderr_logfile_maxbytes: "100KB",
      stderr_logfile_backups: "1",
      // supervisord has no environment to inherit: a minimal one, as the reference's
      environment: `USER="${user?.name ?? uid}",LOGNAME="${user?.name ?? uid}",HOME="${user?.home ?? partitionPath}"`,
    },
  };
}

/** generateSupervisorConfiguration: the program specs of the partition's own group (etc/run, then etc/service). */
export function partitionProgramSpecs(partitionPath: string): ProgramSpec[] {
  const byName = new Map<string, ProgramSpec>();
  for (const [folder, mark] of [["run", ""], ["service", WATCHDOG_MARK]] as const) {
    for (const name of listSorted(join(partitionPath, "etc", folder))) {
      // a dict keyed by basename: a service replaces a runner of that name, in the runner's place
      byName.set(name, { id: name, name: `${name}${mark}`, command: join(partitionPath, "etc", folder, name) });
    }
  }
  return [...byName.values()];
}

/** The program definitions of a partition's own group, before plugins transform them. */
export function partitionPrograms(partition: PartitionRef): ProgramDefinition[] {
  return partitionProgramSpecs(partition.path).map((spec) => programDefinition(partition.id, spec, partition.path));
}

/** One group file: the group header, then a blank line and a block per program. */
export function groupFile(group: string, programs: ProgramDefinition[]): string {
  const parts = [`[group:${group}]\nprograms=${programs.map((p) => p.name).join(",")}\n`];
  for (const program of programs) {
    const lines = Object.entries(program.options).map(([key, value]) => `${key}=${value}`);
    parts.push(`\n[program:${program.name}]\n${lines.join("\n")}\n`);
  }
  return parts.join("");
}

/** Files of this partition in supervisord.conf.d: `PID.<ext>` and `PID-*` (managers). */
export function partitionConfFiles(partition: PartitionRef): string[] {
  const folder = supervisorPaths(partition.instanceRoot).configDir;
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.replace(/\.[^.]*$/, "") === partition.id || name.startsWith(`${partition.id}-`))
    .map((name) => join(folder, name));
}

export interface WrittenGroups {
  written: string[];
  removed: string[];
  /** The reference updates the supervisor when there are groups or removed files, changed or not. */
  needsUpdate: boolean;
}

/** writeSupervisorConfigurationFiles' disk part: write each group (0600, only when it differs), delete the partition's other files. */
export function writeGroupFiles(partition: PartitionRef, groups: Record<string, ProgramDefinition[]>): WrittenGroups {
  const folder = supervisorPaths(partition.instanceRoot).configDir;
  const written: string[] = [];
  const keep = new Set<string>();
  for (const [group, programs] of Object.entries(groups)) {
    if (!programs.length) continue;
    const path = join(folder, `${group}.conf`);
    keep.add(path);
    if (updateFile(path, groupFile(group, programs), 0o600)) written.push(path);
  }
  const removed = partitionConfFiles(partition).filter((path) => !keep.has(path));
  for (const path of removed) rmSync(path, { force: true });
  return { written, removed, needsUpdate: keep.size > 0 || removed.length > 0 };
}

/**
 * updateSupervisorConfiguration: generate the partition's programs (plus
 * `extra` manager groups), pass them through the hooks, write them, and
 * bring the supervisor up to date. True when files changed.
 */
export async function writeProgramFiles(
  partition: PartitionRef,
  hooks: Hooks,
  log: { warning(m: string): void },
  extra: Record<string, ProgramDefinition[]> = {},
): Promise<boolean> {
  const own = partitionPrograms(partition);
  if (!own.length) log.warning(`No runners nor services found for partition '${partition.id}'`);
  const transformed: ProgramDefinition[] = [];
  for (const program of own) transformed.push(await hooks.supervisor.program.promise(program, undefined));
  const groups = await hooks.supervisor.programs.promise(
    { ...(own.length ? { [partition.id]: transformed } : {}), ...extra },
    { partitionId: partition.id },
  );
  const result = writeGroupFiles(partition, groups);
  if (result.needsUpdate) {
    await hooks.supervisor.write.promise({ instanceRoot: partition.instanceRoot, written: result.written, removed: result.removed });
  }
  return result.written.length > 0 || result.removed.length > 0;
}

/** Partition.start: write the programs, then startProcessGroup(PID, wait=false); BAD_NAME means nothing to start. */
export async function startPartitionGroup(partition: PartitionRef, hooks: Hooks, log: { info(m: string): void; warning(m: string): void }): Promise<boolean> {
  await writeProgramFiles(partition, hooks, log);
  try {
    await required(hooks.supervisor.call, { instanceRoot: partition.instanceRoot, method: "supervisor.startProcessGroup", params: [partition.id, false] });
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes("BAD_NAME")) throw error;
    log.info(`Nothing to start on ${partition.id}...`);
    return false;
  }
  log.info(`Requested start of ${partition.id}...`);
  return true;
}

/** stop(): delete only PID.conf and update the supervisor (which stops the group). True when it existed. */
export async function removeOwnGroupFile(partition: PartitionRef, hooks: Hooks): Promise<boolean> {
  const path = join(supervisorPaths(partition.instanceRoot).configDir, `${partition.id}.conf`);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  await hooks.supervisor.write.promise({ instanceRoot: partition.instanceRoot, written: [], removed: [path] });
  return true;
}

/** removeSupervisorConfigurationFiles: every supervisor file of the partition (destruction). */
export async function removeAllGroupFiles(partition: PartitionRef, hooks: Hooks): Promise<boolean> {
  const removed = partitionConfFiles(partition);
  for (const path of removed) rmSync(path, { force: true });
  if (removed.length) await hooks.supervisor.write.promise({ instanceRoot: partition.instanceRoot, written: [], removed });
  return removed.length > 0;
}
