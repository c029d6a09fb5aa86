/**
 * The `portredir` manager (node-runtime.md §3.12, §8.47): at the end of
 * every processed partition (`instance.tearDown`, up-to-date ones
 * included), the redirections of `<partition>/.slapos-port-redirect` run as
 * socat programs of the supervisor group `<PID>-socat`; those never started
 * are started. An empty list deletes `<PID>-socat.conf` and the group.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../errors.ts";
import type { PartitionJob } from "../../hooks/groups/instance.ts";
import { required } from "../../hooks/loader.ts";
import type { NodeRun } from "../context.ts";
import { programDefinition, writeProgramFiles } from "../instance/programs.ts";
import { supervisorPaths } from "../supervisor-files.ts";
import { firstIpv6, socatPrograms } from "./portredir-entries.ts";

/** The partition's redirection list (slapos.manager.portredir's port_redirect_filename). */
export const PORT_REDIRECT_FILE = ".slapos-port-redirect";

/** socat from the node's PATH, as the reference's which('socat'); asked only when an entry is valid. */
function socatPath(): string {
  const path = Bun.which("socat");
  if (!path) throw new SlapError("failure", "portredir: socat not found in PATH (install socat, e.g. apt-get install socat)");
  return path;
}

/**
 * No redirection file: a `<PID>-socat` group left from an earlier list is
 * removed (the reference kept its socat programs running until the
 * partition was processed again).
 */
async function dropStaleGroup(run: NodeRun, partition: PartitionJob, group: string): Promise<void> {
  const instanceRoot = run.options.instanceRoot;
  const file = join(supervisorPaths(instanceRoot).configDir, `${group}.conf`);
  if (!existsSync(file)) return;
  rmSync(file, { force: true });
  run.log.info(`portredir: ${partition.id}: no ${PORT_REDIRECT_FILE}, port redirections removed`);
  await run.hooks.supervisor.write.promise({ instanceRoot, written: [], removed: [file] });
}

/** Manager.instanceTearDown(partition) of slapos.manager.portredir. */
export async function portredirTearDown(run: NodeRun, partition: PartitionJob): Promise<void> {
  const { id, path } = partition;
  const group = `${id}-socat`;
  const file = join(path, PORT_REDIRECT_FILE);
  if (!existsSync(file)) return dropStaleGroup(run, partition, group);
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    // as the reference: a broken file changes nothing
    run.log.warning(`portredir: ${partition.id}: bad port redirection config file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (!Array.isArray(entries)) {
    run.log.warning(`portredir: ${partition.id}: bad port redirection config file ${file}: not a JSON list`);
    return;
  }
  const warn = (message: string) => run.log.warning(`portredir: ${id}: ${PORT_REDIRECT_FILE} ${message}`);
  const programs = socatPrograms(entries, socatPath, firstIpv6(partition.parameters), warn);
  const definitions = programs.map((program) => programDefinition(group, { id: program.name, name: program.name, command: program.command, asUser: program.asUser }, path));
  const ref = { id, path, instanceRoot: run.options.instanceRoot };
  // the generic generate+write, as the reference: the partition's own group is written again too; no socat program → the file goes
  await writeProgramFiles(ref, run.hooks, run.log, { [group]: definitions });
  for (const program of programs) {
    const processName = `${group}:${program.name}`;
    const call = (method: string, params: unknown[]) => required(run.hooks.supervisor.call, { instanceRoot: run.options.instanceRoot, method, params });
    const info = (await call("supervisor.getProcessInfo", [processName])) as { start?: number };
    if (info.start === 0) await call("supervisor.startProcess", [processName, false]);
  }
}
