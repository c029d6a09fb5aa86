/**
 * What /proc says about a process: its parent, process group and start
 * time (which tells a pid from a reused one), its real uid, its initial
 * environment, and the boot it belongs to. Reads only, never throws.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** Start time in clock ticks since boot (field 22 of stat): tells a pid from a reused one. */
  start: string;
}

/** The stat line of a live process (zombies count as gone), or undefined. */
export function readStat(pid: number): ProcEntry | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = text.lastIndexOf(")");
    const fields = text.slice(close + 2).split(" ");
    // fields[0] is the state (field 3 of stat); ppid is field 4, pgrp 5, starttime 22.
    if (fields[0] === "Z" || fields[0] === "X") return undefined;
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), start: fields[19] };
  } catch {
    return undefined;
  }
}

/** Whether `pid` is alive and still the process that started at `start`. */
export function sameProcess(pid: number, start: string): boolean {
  return readStat(pid)?.start === start;
}

/** Every live process, from /proc. */
export function processTable(): ProcEntry[] {
  const out: ProcEntry[] = [];
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readStat(Number(name));
    if (entry) out.push(entry);
  }
  return out;
}

/** The real uid of a process (the first number of `Uid:` in status), or undefined. */
export function realUid(pid: number): number | undefined {
  try {
    const match = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The environment a process was executed with (`NAME=value` entries), or undefined when it cannot be read. */
export function environOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
  } catch {
    return undefined;
  }
}

/** This boot's id: start times are ticks since boot, so they only compare within one boot. */
export function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}
