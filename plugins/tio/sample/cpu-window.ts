/**
 * The window CPU percentages are measured over.
 *
 * The reference blocks 5 s in every run (psutil.cpu_times_percent(5)) and
 * so measures the computer's and each process's CPU over those 5 seconds
 * only. Here the window is, by preference, the whole time since the
 * previous collect: its counters are kept in `data-log/.cpu-state.json`
 * (boot time, uptime, /proc/stat ticks, and each accounted process's
 * ticks), so a run waits for nothing and a cron collect every minute
 * accounts for every minute, not 5 s of it. When there is no usable
 * previous run (first run, reboot, a state older than
 * `[collect] cpu_delta_max_age`, default 900 s), two samples are taken
 * `[collect] cpu_sample_interval` seconds apart (default 1); 0 never waits
 * and uses the averages since boot.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { CLOCK_TICKS, readCpuTimes, readUptime, type CpuTimes } from "../proc/system.ts";

export interface CpuMark {
  cpu: CpuTimes;
  /** Seconds since boot when it was read. */
  uptime: number;
  /** `<pid>:<starttime>` → user + system ticks. */
  processes: Map<string, number>;
}

interface StateFile {
  bootTime: number;
  uptime: number;
  ticks: number[];
  processes: Record<string, number>;
}

export function processKey(pid: number, starttime: number): string {
  return `${pid}:${starttime}`;
}

/** The previous run's mark, when it is from this boot and recent enough. */
export function loadMark(path: string, now: CpuMark, maxAge: number): CpuMark | undefined {
  let state: StateFile;
  try {
    state = JSON.parse(readFileSync(path, "utf8")) as StateFile;
  } catch {
    return undefined;
  }
  const age = now.uptime - state.uptime;
  if (state.bootTime !== now.cpu.bootTime || !(age > 0) || age > maxAge || !Array.isArray(state.ticks)) return undefined;
  return {
    cpu: { ticks: state.ticks, count: now.cpu.count, bootTime: state.bootTime },
    uptime: state.uptime,
    processes: new Map(Object.entries(state.processes ?? {})),
  };
}

/** Keep this run's mark for the next one; a failure (disk full) only costs the next run a wait. */
export function saveMark(path: string, mark: CpuMark): void {
  const state: StateFile = { bootTime: mark.cpu.bootTime, uptime: mark.uptime, ticks: mark.cpu.ticks, processes: Object.fromEntries(mark.processes) };
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(state));
    renameSync(temporary, path);
  } catch {
    rmSync(temporary, { force: true });
  }
}

/** A mark of the computer alone, now. */
export function markNow(processes = new Map<string, number>()): CpuMark {
  return { cpu: readCpuTimes(), uptime: readUptime(), processes };
}

/** A mark at boot: everything zero (averages since boot). */
export function bootMark(now: CpuMark): CpuMark {
  return { cpu: { ...now.cpu, ticks: now.cpu.ticks.map(() => 0) }, uptime: 0, processes: new Map() };
}

/**
 * A process's CPU percent of one CPU over the window (psutil's
 * cpu_percent, rounded by the caller): user + system ticks spent since the
 * window started, or since the process started when it started later.
 */
export function processCpuPercent(before: CpuMark, after: CpuMark, key: string, ticks: number, starttime: number): number {
  const started = starttime / CLOCK_TICKS;
  const previous = before.processes.get(key);
  let spent: number;
  let seconds: number;
  if (previous !== undefined) {
    spent = ticks - previous;
    seconds = after.uptime - before.uptime;
  } else {
    // Not seen at the window's start: it started since (or we never saw it): its life so far.
    spent = ticks;
    seconds = after.uptime - started;
  }
  if (!(seconds > 0) || spent < 0) return 0;
  return (spent / CLOCK_TICKS / seconds) * 100;
}
