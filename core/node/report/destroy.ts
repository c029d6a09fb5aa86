/**
 * Garbage collection of destroyed partitions (node-runtime.md §4 step 7):
 * stop, report stopped, let managers act, honour the retention lock and the
 * wait list, run sbin/destroy, remove certificates, empty the folder (the
 * folder itself stays), remove every supervisor file, report destroyed.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import type { NodeRun } from "../context.ts";
import { emptyFolder } from "../disk.ts";
import { cleanEnvironment, ownerToDropTo, runChild } from "../spawn.ts";
import { Partition } from "../instance/partition.ts";
import { removeAllGroupFiles } from "../instance/programs.ts";
import { retentionAllowsDestruction } from "../instance/retention.ts";
import { passwdByUid } from "../users.ts";
import { required } from "../../hooks/loader.ts";

/** Processes named in `.slapos-report-wait-service-list` that still run. */
async function waitingServices(partition: Partition): Promise<string[]> {
  const file = join(partition.path, ".slapos-report-wait-service-list");
  if (!existsSync(file)) return [];
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
    } catch {
      // unknown names are ignored
    }
  }
  return running;
}

/** destroy(): returns false when destruction must wait (retention). */
async function destroyOnDisk(partition: Partition): Promise<boolean> {
  const { run, path, id } = partition;
  if (!retentionAllowsDestruction(path)) {
    run.log.info(`Partition ${id} is locked by its retention delay; destruction postponed.`);
    return false;
  }
  const destroyScript = join(path, "sbin", "destroy");
  if (existsSync(destroyScript)) {
    const owner = ownerToDropTo(path);
    const home = owner ? (passwdByUid(owner.uid)?.home ?? path) : path;
    const result = await runChild([destroyScript], { cwd: path, env: cleanEnvironment(home), owner, logger: run.log });
    if (result.code !== 0) throw new SlapError("failure", `${destroyScript} failed with exit code ${result.code}:\n${result.output}`, { logTail: result.output });
  }
  const repository = run.options.certificateRepositoryPath;
  if (repository) for (const ext of ["key", "crt"]) rmSync(join(repository, `${id}.${ext}`), { force: true });
  rmSync(join(path, "software_release"), { force: true });
  emptyFolder(path);
  await removeAllGroupFiles(partition.ref, run.hooks);
  return true;
}

/** Clean one destroyed partition; returns true when it was freed. */
export async function collectDestroyed(partition: Partition): Promise<boolean> {
  const { run, id } = partition;
  const computer = run.options.computerId;
  await partition.stop();
  try {
    await partition.updateCertificates();
  } catch (error) {
    run.log.debug(`Certificate refresh of ${id} failed: ${messageOf(error)}`);
  }
  await run.master.partitionState("stopped", computer, id).catch(() => undefined);
  await run.hooks.report.partition.promise(partition.job);
  const veto = await run.hooks.report.canDestroy.promise({ partition: partition.job });
  if (veto === false) return false;
  const waiting = await waitingServices(partition);
  if (waiting.length) {
    run.log.info(`Destruction of ${id} waits for: ${waiting.join(", ")}`);
    return false;
  }
  await run.hooks.report.destroy.promise(partition.job);
  if (!(await destroyOnDisk(partition))) return false;
  try {
    await run.master.partitionState("destroyed", computer, id);
  } catch (error) {
    run.log.debug(`destroyedComputerPartition for ${id}: ${messageOf(error)}`);
  }
  run.log.info(`Partition ${id} destroyed.`);
  return true;
}
