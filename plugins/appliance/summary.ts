/**
 * What configure local prints when the node is up: where it is, what runs
 * (with pids), what this run changed (settings, files, services), the
 * demo's URL, and what to do next.
 */
import { relative } from "node:path";
import { pidFromFile } from "../../core/node/run/procs.ts";
import { selfCommand } from "../../core/node/self.ts";
import type { Layout } from "./layout.ts";
import { settingChanges, type ApplianceSettings, type ApplianceState } from "./settings.ts";
import { masterUrl } from "./texts.ts";
import type { Writer } from "./writer.ts";

export interface Outcome {
  /** Services started or restarted, as sentences. */
  actions: string[];
  supervision: "supervisor" | "systemd";
  masterPid?: number;
}

/** A path as the summary shows it: relative to the base folder when inside it. */
export function shown(layout: Layout, path: string): string {
  return layout.base && path.startsWith(`${layout.base}/`) ? relative(layout.base, path) : path;
}

export function printSummary(
  layout: Layout,
  settings: ApplianceSettings,
  outcome: Outcome,
  writer: Writer,
  state: ApplianceState | undefined,
  demo: string | undefined,
): void {
  const lines: string[] = [];
  const where = layout.mode === "base" ? `${layout.base} (base folder)` : `${layout.configDir} (root mode)`;
  lines.push(`slapos node ready: ${where}`);
  lines.push(`  master      ${masterUrl(settings)}/${outcome.masterPid ? ` (pid ${outcome.masterPid})` : ""}`);
  if (outcome.supervision === "supervisor") {
    const supervisor = pidFromFile(layout.supervisorPidfile);
    lines.push(`  supervisor  ${layout.supervisorSocket}${supervisor ? ` (pid ${supervisor})` : ""}`);
    lines.push(`  node loop   pid ${pidFromFile(layout.loopPidfile) ?? "?"}, runs logged in ${layout.logDir}`);
  } else {
    lines.push("  services    slapos-proxy, slapos-node-supervisord, slapos-node (systemd)");
  }
  const changes = [...settingChanges(state?.settings, settings), ...writer.changes.map((c) => `${c.what} ${shown(layout, c.path)}`), ...outcome.actions];
  if (!state) lines.push("  changed     everything (new node)");
  else lines.push(`  changed     ${changes.length ? changes.join("\n              ") : "nothing"}`);
  if (demo) lines.push(`  demo        ${demo} answers (instance "hello")`);
  const slapos = layout.wrapper ?? "slapos";
  const self = selfCommand().join(" ");
  const base = layout.mode === "base" ? ` --base ${layout.base}` : "";
  const next: Array<[string, string]> = [
    [`${slapos} node status`, "the partitions' processes"],
    [`${slapos} request NAME SOFTWARE_URL`, "deploy a software release"],
    [`${self} configure local${base} --status`, "what runs"],
    [`${self} configure local${base} --stop`, "stop it all (partitions and data are kept)"],
  ];
  const width = Math.max(...next.map(([command]) => command.length));
  lines.push("", "Next:", ...next.map(([command, what]) => `  ${command.padEnd(width)}  ${what}`));
  process.stdout.write(lines.join("\n") + "\n");
}

