/**
 * The `prerm` manager (node-runtime.md §3.12): when `node report` is about
 * to destroy a partition whose retention allows it, the scripts of its
 * `etc/prerm/` run first, under the supervisor as group `<PID>-prerm`, and
 * destruction waits (`.slapos-report-wait-service-list`) until they end.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { required } from "../../hooks/loader.ts";
import type { PartitionJob } from "../../hooks/groups/instance.ts";
import type { NodeRun } from "../context.ts";
import { programDefinition, writeProgramFiles } from "../instance/programs.ts";
import { freezeRetentionDate, retentionAuthorized } from "../instance/retention.ts";
import { writeOwnFile } from "../own-files.ts";
import { WAIT_LIST_FILE } from "../report/destroy.ts";

/** Manager.report(partition) of slapos.manager.prerm. */
export async function prermReport(run: NodeRun, partition: PartitionJob): Promise<void> {
  const { id, path } = partition;
  const ref = { id, path, instanceRoot: run.options.instanceRoot };
  freezeRetentionDate(path);
  if (!retentionAuthorized(path)) return;
  const folder = join(path, "etc", "prerm");
  if (!existsSync(folder)) return;
  // listdir order, as the reference
  const wrappers = readdirSync(folder).filter((name) => statSync(join(folder, name)).isFile());
  if (!wrappers.length) return;
  const group = `${id}-prerm`;
  run.log.info("Adding pre-delete scripts to supervisord...");
  const programs = wrappers.map((name) => programDefinition(group, { id: name, name, command: join(folder, name) }, path));
  // the generic generate+write: the partition's own group is written again too (not started)
  await writeProgramFiles(ref, run.hooks, run.log, { [group]: programs });
  let list = "";
  for (const name of wrappers) {
    const processName = `${group}:${name}`;
    list += `${processName}\n`;
    const call = (method: string, params: unknown[]) => required(run.hooks.supervisor.call, { instanceRoot: run.options.instanceRoot, method, params });
    const info = (await call("supervisor.getProcessInfo", [processName])) as { start?: number };
    if (info.start === 0) {
      run.log.info(`Starting pre-delete process '${name}'...`);
      await call("supervisor.startProcess", [processName, false]);
    }
  }
  writeOwnFile(join(path, WAIT_LIST_FILE), list);
}
