/**
 * `configure local --stop` and `--status`: stop what configure local
 * started (the node loop, the supervisor with the partitions' processes,
 * the master — partitions and data stay), and show what runs.
 */
import { SlapError } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { pidFromFile } from "../../core/node/run/procs.ts";
import { SlapClient } from "../../core/slap/client.ts";
import type { Layout } from "./layout.ts";
import { LOOP_PROGRAM, MASTER_PROGRAM, allPrograms, stopAll, supervisorRunning } from "./services.ts";
import { readState, type ApplianceState } from "./settings.ts";
import { SERVICES, stopUnits, systemdRunning, unitActive } from "./systemd.ts";
import { masterUrl } from "./texts.ts";

function configured(layout: Layout): ApplianceState {
  const state = readState(layout);
  if (!state) throw new SlapError("config", `no node set up by slapos configure local in ${layout.base ?? layout.configDir}`);
  return state;
}

const useSystemd = (layout: Layout) => layout.mode === "root" && systemdRunning();

export async function stopNode(layout: Layout, log: Logger): Promise<number> {
  configured(layout);
  if (useSystemd(layout)) {
    await stopUnits();
    process.stdout.write(`stopped ${SERVICES.join(", ")} (partitions and data are kept)\n`);
    return 0;
  }
  const report = await stopAll(layout, log);
  const parts: string[] = [];
  if (report.loop !== undefined) parts.push(`the node loop (pid ${report.loop})`);
  if (report.supervisor !== undefined) parts.push(`the supervisor (pid ${report.supervisor}) with the master and the partitions' processes`);
  if (report.leftovers.length) parts.push(`${report.leftovers.length} process(es) a former supervisor had left (pid ${report.leftovers.join(", ")})`);
  const where = layout.base ?? layout.configDir;
  process.stdout.write(parts.length ? `stopped ${parts.join(", ")}; ${where} is kept\n` : `nothing of ${where} was running\n`);
  return 0;
}

async function masterAnswers(url: string): Promise<boolean> {
  try {
    return Boolean(await new SlapClient({ masterUrl: url, timeout: 3 }).getRunId());
  } catch {
    return false;
  }
}

/** Prints what runs; exit 0 when master, supervisor and loop all do, 3 otherwise (as `systemctl status`). */
export async function showStatus(layout: Layout): Promise<number> {
  const state = configured(layout);
  const url = masterUrl(state.settings);
  const lines = [`node        ${layout.base ? `${layout.base} (base folder)` : `${layout.configDir} (root mode)`}`];
  const master = await masterAnswers(url);
  let healthy = master;
  if (useSystemd(layout)) {
    lines.push(`master      ${url}/ ${master ? "answers" : "does not answer"}`);
    for (const unit of SERVICES) {
      const active = await unitActive(unit);
      healthy &&= active;
      lines.push(`${unit.padEnd(11)} ${active ? "active" : "inactive"}`);
    }
  } else {
    const running = await supervisorRunning(layout);
    const programs = running ? await allPrograms(layout) : [];
    const show = (name: string) => programs.find((p) => p.name === name && p.group === name);
    const masterProgram = show(MASTER_PROGRAM);
    const loop = show(LOOP_PROGRAM);
    lines.push(`master      ${url}/ ${master ? "answers" : "does not answer"}${masterProgram ? ` (${masterProgram.statename}, pid ${masterProgram.pid})` : ""}`);
    lines.push(`supervisor  ${layout.supervisorSocket} ${running ? `running (pid ${pidFromFile(layout.supervisorPidfile) ?? "?"})` : "not running"}`);
    lines.push(`node loop   ${loop ? `${loop.statename}${loop.pid ? ` (pid ${loop.pid})` : ""}` : "not running"}`);
    // STARTING: up, inside supervisord's startsecs (the loop holds its pidfile by then).
    healthy &&= running && ["RUNNING", "STARTING"].includes(loop?.statename ?? "");
    const partitions = programs.filter((p) => p.group !== MASTER_PROGRAM && p.group !== LOOP_PROGRAM && p.name !== "watchdog");
    for (const p of partitions) lines.push(`partition   ${p.group}:${p.name} ${p.statename}${p.pid ? ` (pid ${p.pid})` : ""}`);
  }
  process.stdout.write(lines.join("\n") + "\n");
  return healthy ? 0 : 3;
}
