/**
 * The supervisor programs of a partition (node-runtime.md §1.4, §3.5):
 * `etc/run/*` then `etc/service/*` (sorted; a service replaces a runner of
 * the same name and is marked `-on-watch` for the watchdog), written as
 * `etc/supervisord.conf.d/<group>.conf` in the reference's exact layout.
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Hooks } from "../../hooks/catalogue.ts";
import type { ProgramDefinition } from "../../hooks/groups/supervisor.ts";
import { updateFile } from "../structure.ts";
import { passwdByUid } from "../users.ts";

export interface PartitionRef {
  id: string;
  path: string;
  instanceRoot: string;
}

function listSorted(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).sort();
}

/** The program definitions of a partition's own group, before plugins transform them. */
export function partitionPrograms(partition: PartitionRef): ProgramDefinition[] {
  const { uid, gid } = statSync(partition.path);
  const user = passwdByUid(uid);
  const byName = new Map<string, ProgramDefinition>();
  for (const [folder, suffix] of [["run", ""], ["service", "-on-watch"]] as const) {
    for (const name of listSorted(join(partition.path, "etc", folder))) {
      const log = join(partition.path, `.${partition.id}_${name}.log`);
      byName.set(name, {
        group: partition.id,
        name: `${partition.id}_${name}`,
        options: {
          directory: partition.path,
          command: join(partition.path, "etc", folder, name),
          process_name: `${name}${suffix}`,
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
          environment: `USER="${user?.name ?? uid}",LOGNAME="${user?.name ?? uid}",HOME="${user?.home ?? partition.path}"`,
        },
      });
    }
  }
  return [...byName.values()];
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

function confDirectory(instanceRoot: string): string {
  return join(instanceRoot, "etc", "supervisord.conf.d");
}

/** Files of this partition in supervisord.conf.d: `PID.conf` and `PID-*.conf`. */
export function partitionConfFiles(partition: PartitionRef): string[] {
  const folder = confDirectory(partition.instanceRoot);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name === `${partition.id}.conf` || (name.startsWith(`${partition.id}-`) && name.endsWith(".conf")))
    .map((name) => join(folder, name));
}

/**
 * Generate, transform (hooks), write the partition's group files and delete
 * its other ones; tell the supervisor when anything changed.
 */
export async function writeProgramFiles(partition: PartitionRef, hooks: Hooks, log: { warning(m: string): void }): Promise<boolean> {
  const own = partitionPrograms(partition);
  if (!own.length) log.warning(`No runners nor services found for partition '${partition.id}'`);
  const transformed: ProgramDefinition[] = [];
  for (const program of own) transformed.push(await hooks.supervisor.program.promise(program, undefined));
  const groups = await hooks.supervisor.programs.promise(own.length ? { [partition.id]: transformed } : {}, { partitionId: partition.id });
  const written: string[] = [];
  const keep = new Set<string>();
  for (const [group, programs] of Object.entries(groups)) {
    if (!programs.length) continue;
    const path = join(confDirectory(partition.instanceRoot), `${group}.conf`);
    keep.add(path);
    if (updateFile(path, groupFile(group, programs), 0o600)) written.push(path);
  }
  const removed = partitionConfFiles(partition).filter((path) => !keep.has(path));
  for (const path of removed) rmSync(path, { force: true });
  if (written.length || removed.length) {
    await hooks.supervisor.write.promise({ instanceRoot: partition.instanceRoot, written, removed });
  }
  return written.length > 0 || removed.length > 0;
}

/** stop(): delete only PID.conf and update the supervisor (which stops the group). */
export async function removeOwnGroupFile(partition: PartitionRef, hooks: Hooks): Promise<boolean> {
  const path = join(confDirectory(partition.instanceRoot), `${partition.id}.conf`);
  if (!existsSync(path)) return false;
  rmSync(path, { force: true });
  await hooks.supervisor.write.promise({ instanceRoot: partition.instanceRoot, written: [], removed: [path] });
  return true;
}

/** Remove every supervisor file of the partition (destruction). */
export async function removeAllGroupFiles(partition: PartitionRef, hooks: Hooks): Promise<void> {
  const removed = partitionConfFiles(partition);
  for (const path of removed) rmSync(path, { force: true });
  if (removed.length) await hooks.supervisor.write.promise({ instanceRoot: partition.instanceRoot, written: [], removed });
}
