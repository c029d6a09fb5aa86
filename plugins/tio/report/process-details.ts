/**
 * What the monitor report adds about a process that still runs: psutil's
 * name(), cmdline(), username() and create time (local time), read from
 * /proc.
 */
import { existsSync } from "node:fs";
import { processName, readCmdline, readProcess } from "../proc/process.ts";
import { CLOCK_TICKS, readCpuTimes } from "../proc/system.ts";
import { localUsers } from "../sample/attribution.ts";

let uidNames: Map<number, string> | undefined;

/** The user name of a uid (psutil falls back to the number). */
export function userName(uid: number): string {
  if (!uidNames) {
    uidNames = new Map();
    for (const [name, id] of localUsers()) if (!uidNames.has(id)) uidNames.set(id, name);
  }
  return uidNames.get(uid) ?? String(uid);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `%Y-%m-%d %H:%M:%S` in local time. */
export function localTimestamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function processDetails(pid: number, procRoot = "/proc"): { name: string; command: string[]; user: string; date: string } | undefined {
  if (!(pid > 0) || !existsSync(`${procRoot}/${pid}`)) return undefined;
  const stat = readProcess(pid, procRoot);
  if (!stat) return undefined;
  const created = stat.starttime / CLOCK_TICKS + readCpuTimes(procRoot).bootTime;
  return { name: processName(stat, procRoot), command: readCmdline(pid, procRoot), user: userName(stat.uid), date: localTimestamp(created) };
}
