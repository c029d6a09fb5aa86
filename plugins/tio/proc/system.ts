/**
 * Computer-wide figures read straight from /proc, as psutil computes them
 * for the reference (format-collect-cli.md §2.2 step 4): CPU times, memory,
 * load, network counters, boot time. No child process, no dependency.
 */
import { readFileSync } from "node:fs";
import { pyRound } from "../py-round.ts";

/** USER_HZ: the unit of every tick count in /proc (fixed at 100 by the kernel ABI on Linux). */
export const CLOCK_TICKS = 100;

/** The aggregate `cpu` line of /proc/stat, in ticks, with the count of online CPUs and the boot time. */
export interface CpuTimes {
  /** user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice (missing ones are 0). */
  ticks: number[];
  /** Online logical CPUs (`cpuN` lines). */
  count: number;
  /** Boot time, seconds since the epoch (`btime`). */
  bootTime: number;
}

function read(path: string): string {
  return readFileSync(path, "latin1");
}

export function readCpuTimes(procRoot = "/proc"): CpuTimes {
  let ticks: number[] = [];
  let count = 0;
  let bootTime = 0;
  for (const line of read(`${procRoot}/stat`).split("\n")) {
    if (line.startsWith("cpu ")) {
      ticks = line.trim().split(/\s+/).slice(1).map(Number);
    } else if (/^cpu\d/.test(line)) {
      count++;
    } else if (line.startsWith("btime ")) {
      bootTime = Number(line.slice(6).trim());
    }
  }
  while (ticks.length < 10) ticks.push(0);
  return { ticks: ticks.slice(0, 10), count: Math.max(count, 1), bootTime };
}

/** psutil's total CPU time: every field, guest time not counted twice (it is already in user/nice). */
function totalSeconds(ticks: number[]): number {
  let total = 0;
  for (const t of ticks) total += t / CLOCK_TICKS;
  return total - ticks[8] / CLOCK_TICKS - ticks[9] / CLOCK_TICKS;
}

/**
 * The reference's computer load: `100 − idle%` over an interval, idle% being
 * rounded to one decimal as psutil.cpu_times_percent rounds it.
 */
export function cpuLoadPercent(before: CpuTimes, after: CpuTimes): number {
  const all = totalSeconds(after.ticks) - totalSeconds(before.ticks);
  const idle = after.ticks[3] / CLOCK_TICKS - before.ticks[3] / CLOCK_TICKS;
  let percent = all > 0 ? (100 * idle) / all : 0;
  percent = Math.min(Math.max(0, pyRound(percent, 1)), 100);
  return 100 - percent;
}

export interface Memory {
  /** Bytes. */
  total: number;
  /** Bytes available without swapping (MemAvailable). */
  available: number;
}

export function readMemory(procRoot = "/proc"): Memory {
  const values = new Map<string, number>();
  for (const line of read(`${procRoot}/meminfo`).split("\n")) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match) values.set(match[1], Number(match[2]) * 1024);
  }
  const total = values.get("MemTotal") ?? 0;
  // Kernels before 3.14 have no MemAvailable: psutil's fallback is free + buffers + cached.
  const available =
    values.get("MemAvailable") ?? (values.get("MemFree") ?? 0) + (values.get("Buffers") ?? 0) + (values.get("Cached") ?? 0);
  return { total, available };
}

/** The 1-minute load average. */
export function readLoadAverage(procRoot = "/proc"): number {
  return Number(read(`${procRoot}/loadavg`).split(" ")[0]);
}

export interface NetCounters {
  bytesRecv: number;
  errIn: number;
  dropIn: number;
  bytesSent: number;
  errOut: number;
  dropOut: number;
}

/** Cumulative counters of every interface (loopback included, as psutil.net_io_counters). */
export function readNetCounters(procRoot = "/proc"): NetCounters {
  const out: NetCounters = { bytesRecv: 0, errIn: 0, dropIn: 0, bytesSent: 0, errOut: 0, dropOut: 0 };
  const lines = read(`${procRoot}/net/dev`).split("\n").slice(2);
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    out.bytesRecv += f[0];
    out.errIn += f[2];
    out.dropIn += f[3];
    out.bytesSent += f[8];
    out.errOut += f[10];
    out.dropOut += f[11];
  }
  return out;
}

/** Seconds since boot (a clock that never jumps). */
export function readUptime(procRoot = "/proc"): number {
  return Number(read(`${procRoot}/uptime`).split(" ")[0]);
}
