/**
 * Garbage collection of destroyed partitions (node-runtime.md §4 step 7):
 * stop, refresh the certificate, report stopped, let managers act, then —
 * unless the usage report failed, a pre-delete service still runs, or the
 * retention lock holds — run sbin/destroy, remove certificates and the
 * software link, empty the partition's storage folders and the partition
 * folder (the folder itself stays), remove every supervisor file, report
 * destroyed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import { required } from "../../hooks/loader.ts";
import { emptyFolder } from "../disk.ts";
import { isSymlink } from "../paths.ts";
import { cleanEnvironment, ownerToDropTo, runChild } from "../spawn.ts";
import type { Partition } from "../instance/partition.ts";
import { removeAllGroupFiles } from "../instance/programs.ts";
import { retentionAllowsDestruction } from "../instance/retention.ts";
import { passwdByUid } from "../users.ts";

/** `.slapos-report-wait-service-list`: pre-delete services destruction waits for. */
export const WAIT_LIST_FILE = ".slapos-report-wait-service-list";

/** _checkWaitProcessList: is a process named in the wait list RUNNING or STARTING? Unknown names are ignored. */
async function waitingServices(partition: Partition): Promise<string[]> {
  const file = join(partition.path, WAIT_LIST_FILE);
  if (!existsSync(file) || !statSync(file).isFile()) return [];
  const names = readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter(Boolean);
  const running: string[] = [];
  for (const name of names) {
    try {
      const info = (await required(partition.run.hooks.supervisor.call, {
        instanceRoot: partition.run.options.instanceRoot,
        method: "supervisor.getProcessInfo",
        params: [name],
      })) as { statename?: string };
      if (info.statename === "RUNNING" || info.statename === "STARTING") running.push(name);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes("BAD_NAME")) throw error;
      partition.run.log.debug(`BAD process name: '${name}'`);
    }
  }
  return running;
}

/** The partition's folders under instance_storage_home (DATA/<name> → <storage_home>/<name>/<PID>): links removed, folders emptied. */
function cleanStorage(partition: Partition): void {
  const home = String(partition.run.options.raw.instance_storage_home ?? "");
  const data = join(partition.path, "DATA");
  if (!home || !existsSync(data) || !statSync(data).isDirectory()) return;
  for (const name of readdirSync(data)) {
    const link = join(data, name);
    if (lstatSync(link, { throwIfNoEntry: false })) rmSync(link, { force: true, recursive: !isSymlink(link) });
    emptyFolder(join(home, name, partition.id));
  }
}

/** Partition.destroy(): false when destruction must wait (retention). */
async function destroyOnDisk(partition: Partition): Promise<boolean> {
  const { run, path, id } = partition;
  run.log.info(`Destroying Computer Partition ${id}...`);
  if (!retentionAllowsDestruction(path)) {
    run.log.info("Impossible to destroy partition yet because of retention lock.");
    return false;
  }
  const destroyScript = join(path, "sbin", "destroy");
  if (existsSync(destroyScript)) {
    const owner = ownerToDropTo(path);
    const home = passwdByUid(owner?.uid ?? statSync(path).uid)?.home ?? path;
    run.log.debug(`Invoking '${destroyScript}'`);
    const result = await runChild([destroyScript], { cwd: path, env: cleanEnvironment(home), owner, logger: run.log });
    if (result.code !== 0) {
      const message = `Failed to destroy Computer Partition in '${path}'.`;
      run.log.error(message);
      throw new SlapError("failure", `${message}\n${result.output}`, { logTail: result.output });
    }
  }
  const repository = run.options.certificateRepositoryPath;
  if (repository) for (const ext of ["key", "crt"]) rmSync(join(repository, `${id}.${ext}`), { force: true });
  // symlinks first: never follow one out of the partition
  if (isSymlink(join(path, "software_release"))) rmSync(join(path, "software_release"), { force: true });
  cleanStorage(partition);
  emptyFolder(path);
  await removeAllGroupFiles(partition.ref, run.hooks);
  return true;
}

/**
 * Clean one destroyed partition; true when it was freed. `usageIssue`: the
 * usage report of this run failed and named this partition, so its
 * destruction waits for the next report.
 */
export async function collectDestroyed(partition: Partition, usageIssue = false): Promise<boolean> {
  const { run, id } = partition;
  const computer = run.options.computerId;
  await partition.stop();
  await partition.updateCertificates();
  await run.master.partitionState("stopped", computer, id).catch((error) => run.log.debug(`stoppedComputerPartition: ${messageOf(error)}`));
  // managers (prerm) see the partition once it is stopped
  await run.hooks.report.partition.promise(partition.job);
  if (usageIssue) {
    run.log.info(`Ignoring destruction of '${id}', as no report usage was sent`);
    return false;
  }
  if (await run.hooks.report.canDestroy.promise({ partition: partition.job }) === false) return false;
  if ((await waitingServices(partition)).length) {
    run.log.info("There are running processes into the partition, wait until they finish...");
    return false;
  }
  await run.hooks.report.destroy.promise(partition.job);
  if (!(await destroyOnDisk(partition))) return false;
  try {
    await run.master.partitionState("destroyed", computer, id);
  } catch (error) {
    if (!(error instanceof SlapError) || !["not-found", "server"].includes(error.code)) throw error;
    run.log.debug(`Ignored error while trying to inform about destroying Computer Partition '${id}': ${messageOf(error)}`);
  }
  run.log.info(`Partition ${id} destroyed.`);
  return true;
}
