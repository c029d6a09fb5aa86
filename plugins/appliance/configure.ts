/**
 * `slapos configure local`: from nothing (or from a former run) to a
 * running node with its own master. Every check comes first (place, options,
 * port); then the files, the partitions, the services, the waits, the demo,
 * and a summary of what runs and what changed.
 */
import { existsSync, readlinkSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { CommandContext } from "../../core/cli/command.ts";
import { SlapConfig } from "../../core/config/slap-config.ts";
import { SlapError } from "../../core/errors.ts";
import { acquirePidfile } from "../../core/node/pidfile.ts";
import { commandLine, pidFromFile } from "../../core/node/run/procs.ts";
import { selfCommand } from "../../core/node/self.ts";
import { createStructure } from "../../core/node/structure.ts";
import { SlapClient } from "../../core/slap/client.ts";
import { standaloneDefinition } from "../format/api.ts";
import { deployDemo, writeDemo } from "./demo.ts";
import { formatPartitions } from "./format.ts";
import { defaultBase, type Layout } from "./layout.ts";
import { describeHolder, portHolder } from "./port.ts";
import { LOOP_PROGRAM, MASTER_PROGRAM, applyPrograms, launchFromNothing, programInfo, restartProgram, startIfStopped, supervisorRunning } from "./services.ts";
import { checkPlace, mergeSettings, readState, type ApplianceSettings, type ApplianceState, type Options } from "./settings.ts";
import { installUnits, systemdRunning, unitActive } from "./systemd.ts";
import { applianceProgramsText, baseSlaposCfg, masterUrl, rootProxyCfg, rootSlaposCfg, shacacheFolder, wrapperText } from "./texts.ts";
import { printSummary, shown } from "./summary.ts";
import { Writer, refuseEdited } from "./writer.ts";

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** How the node's services run slapos: as root, an installed /opt/slapos/bin/slapos; else this binary. */
function slaposCommand(layout: Layout): string[] {
  if (layout.mode === "root") {
    const installed = join(layout.dirs!.buildoutDir, "bin", "slapos");
    if (existsSync(installed)) return [installed];
  }
  return selfCommand();
}

/** The port must be free, or held by this node's own master. */
async function checkPort(layout: Layout, settings: ApplianceSettings): Promise<"free" | "ours"> {
  const holder = await portHolder(settings.ip, settings.port);
  if (!holder) return "free";
  if (holder.commandLine?.includes(" proxy start ") && holder.commandLine.includes(layout.proxyCfg)) return "ours";
  throw new SlapError("config", describeHolder(settings.ip, settings.port, holder));
}

/** The configuration files (guarded: the user may edit them). */
function configFiles(layout: Layout, settings: ApplianceSettings, systemd: boolean): Array<{ path: string; content: string }> {
  if (layout.mode === "base") return [{ path: layout.slaposCfg, content: baseSlaposCfg(layout, settings) }];
  return [
    { path: layout.slaposCfg, content: rootSlaposCfg(layout, settings, systemd) },
    { path: layout.proxyCfg, content: rootProxyCfg(layout, settings) },
  ];
}

function writeFiles(writer: Writer, layout: Layout, settings: ApplianceSettings, configs: Array<{ path: string; content: string }>, slapos: string[]): void {
  writer.directory(layout.configDir);
  writer.directory(layout.logDir, 0o750);
  writer.directory(layout.runDir);
  writer.directory(layout.softwareRoot);
  writer.directory(layout.instanceRoot);
  for (const { path, content } of configs) writer.file(path, content, { guarded: true });
  if (settings.shacache) for (const sub of ["data", "dir"]) writer.directory(join(shacacheFolder(layout), sub), 0o750);
  if (layout.mode === "base") {
    const user = userInfo().username;
    writer.file(layout.definition!, standaloneDefinition({ partitionCount: settings.partitions, ipv4: "127.0.0.1", ipv6: "::1", user }));
    writer.link(layout.clientCfg, "slapos.cfg");
    writer.file(layout.wrapper!, wrapperText(layout, slapos), { mode: 0o755 });
    // The reference's rule (~/.slapos/slapos-client.cfg → the node's slapos.cfg, when absent), for the default folder only.
    if (layout.base === defaultBase()) writer.link(join(process.env.HOME || homedir(), ".slapos", "slapos-client.cfg"), layout.slaposCfg);
  } else {
    writer.link(layout.clientCfg, layout.slaposCfg);
  }
}

/** Whether the executable a process runs was replaced (or removed) since it started. */
function binaryReplaced(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`).endsWith(" (deleted)");
  } catch {
    return false;
  }
}

/** What the master reads from its configuration file ([slapproxy], and the computer id), to tell whether it must restart. */
function masterSection(layout: Layout): string {
  try {
    const config = SlapConfig.load(layout.proxyCfg);
    return JSON.stringify([config.items("slapproxy"), config.get("slapos", "computer_id")]);
  } catch {
    return "";
  }
}

async function waitFor(what: string, seconds: number, check: () => Promise<boolean>, hint: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new SlapError("failure", `${what} did not come up within ${seconds} s: ${hint}`);
}

/** Services without systemd: the node's supervisor runs the master and the loop. */
async function startWithSupervisor(
  ctx: CommandContext,
  layout: Layout,
  writer: Writer,
  slapos: string[],
  settings: ApplianceSettings,
  masterChanged: boolean,
): Promise<string[]> {
  const actions: string[] = [];
  await createStructure(
    { instanceRoot: layout.instanceRoot, softwareRoot: layout.softwareRoot, masterUrl: masterUrl(settings), computerId: "local_computer", withWatchdog: true },
    ctx.hooks,
    ctx.log,
  );
  const home = process.env.HOME || homedir();
  writer.file(layout.applianceConf, applianceProgramsText(layout, { slapos, path: process.env.PATH || DEFAULT_PATH, home }), { mode: 0o600 });
  const changed = (path: string) => writer.changes.some((c) => c.path === path);
  if (await supervisorRunning(layout)) {
    const updated = changed(layout.applianceConf) ? await applyPrograms(layout, ctx.log) : [];
    for (const name of updated) actions.push(`restarted ${name} (its program changed)`);
    if (masterChanged && !updated.includes(MASTER_PROGRAM)) {
      await restartProgram(layout, MASTER_PROGRAM);
      actions.push(`restarted ${MASTER_PROGRAM} (${shown(layout, layout.proxyCfg)} changed)`);
    }
    if (changed(layout.slaposCfg) && !updated.includes(LOOP_PROGRAM)) {
      await restartProgram(layout, LOOP_PROGRAM);
      actions.push(`restarted ${LOOP_PROGRAM} (${shown(layout, layout.slaposCfg)} changed)`);
    }
    // After a rebuild (installer/setup run again): master and loop take the new binary; the supervisor keeps
    // the former one (restarting it would restart every partition) until --stop.
    for (const name of [MASTER_PROGRAM, LOOP_PROGRAM]) {
      if (updated.includes(name) || actions.some((a) => a.startsWith(`restarted ${name} `))) continue;
      const pid = (await programInfo(layout, name))?.pid;
      if (pid && binaryReplaced(pid)) {
        await restartProgram(layout, name);
        actions.push(`restarted ${name} (its binary was replaced)`);
      }
    }
    await startIfStopped(layout, [MASTER_PROGRAM, LOOP_PROGRAM]);
  } else {
    await launchFromNothing(layout, ctx.log);
    actions.push("started the supervisor, the master and the node loop");
  }
  return actions;
}

async function configure(ctx: CommandContext, layout: Layout, options: Options): Promise<number> {
  const state = readState(layout);
  const place = checkPlace(layout, state);
  const settings = mergeSettings(options, layout, state);
  const systemd = layout.mode === "root" && systemdRunning();
  await checkPort(layout, settings);
  // Two configure local on one node at once: the second exits 10, as node runs do.
  const lock = acquirePidfile(join(layout.runDir, "configure-local.pid"));
  try {
    return await configureLocked(ctx, layout, options, state, place, settings, systemd);
  } finally {
    lock.release();
  }
}

async function configureLocked(
  ctx: CommandContext,
  layout: Layout,
  options: Options,
  state: ApplianceState | undefined,
  place: "fresh" | "ours" | "installer",
  settings: ApplianceSettings,
  systemd: boolean,
): Promise<number> {
  const log = ctx.log;
  const timeout = Number(options.timeout ?? 600);
  const slapos = slaposCommand(layout);

  const writer = new Writer(state?.written);
  const configs = configFiles(layout, settings, systemd);
  refuseEdited(writer, configs, state?.written);
  const masterBefore = masterSection(layout);
  writeFiles(writer, layout, settings, configs, slapos);
  const demoUrl = options.demo ? writeDemo(writer, layout) : undefined;
  const saveState = () => {
    const next: ApplianceState = { version: 1, mode: layout.mode, settings, written: { ...state?.written, ...writer.written } };
    new Writer().file(layout.stateFile, JSON.stringify(next, null, 2) + "\n", { mode: 0o600 });
  };
  // From here on the place is ours: a failure below leaves a node a re-run can repair.
  saveState();
  if (place === "installer") log.info(`taking over the default configuration written by install.sh in ${layout.configDir}`);

  let formatted = await formatPartitions(layout);
  let actions: string[];
  if (systemd) {
    const restart = writer.changes.some((c) => c.path === layout.slaposCfg || c.path === layout.proxyCfg);
    await installUnits(writer, slapos.join(" "), layout.configDir, restart);
    actions = ["started slapos-proxy, slapos-node-supervisord and slapos-node (systemd)"];
  } else {
    if (layout.mode === "root") log.warning("systemd is not running: the master and the node loop run under the node's supervisor (run configure local again after a reboot)");
    actions = await startWithSupervisor(ctx, layout, writer, slapos, settings, masterSection(layout) !== masterBefore);
  }
  saveState();

  const url = masterUrl(settings);
  const client = new SlapClient({ masterUrl: url, timeout: 5 });
  const logHint = systemd ? "see journalctl -u slapos-proxy" : `see ${layout.logDir}/slapos-proxy.log`;
  await waitFor(`the master on ${url}`, 120, async () => Boolean(await client.getRunId()), logHint);
  if (formatted === 2) formatted = await formatPartitions(layout);
  if (formatted !== 0) throw new SlapError("failure", `slapos node format could not post the partitions to ${url}: see ${layout.logDir}/slapos-node-format.log`);
  const loopUp = systemd
    ? () => unitActive("slapos-node.service")
    : async () => {
        // Up once it has taken its pidfile (before supervisord's startsecs make it RUNNING).
        const info = await programInfo(layout, LOOP_PROGRAM);
        return info !== undefined && ["STARTING", "RUNNING"].includes(info.statename) && pidFromFile(layout.loopPidfile) === info.pid;
      };
  await waitFor("the node loop", 120, loopUp, systemd ? "see journalctl -u slapos-node" : `see ${layout.logDir}/${LOOP_PROGRAM}.log`);

  let demo: string | undefined;
  if (demoUrl) {
    demo = await deployDemo({
      layout,
      masterUrl: url,
      softwareUrl: demoUrl,
      log,
      timeout,
      poke: () => {
        const pid = pidFromFile(layout.loopPidfile);
        if (pid !== undefined && commandLine(pid)?.includes("node run")) process.kill(pid, "SIGUSR1");
      },
    });
  }
  const masterPid = systemd ? undefined : (await programInfo(layout, MASTER_PROGRAM))?.pid;
  printSummary(layout, settings, { actions, supervision: systemd ? "systemd" : "supervisor", masterPid }, writer, state, demo);
  return 0;
}

export { configure };
