/**
 * Destruction lock of a partition (node-runtime.md §1.3, §4 step 7.4): the
 * delay in days, frozen into `.slapos-retention-lock-delay` at the first
 * install, and the date frozen into `.slapos-retention-lock-date` at the
 * first destruction attempt; both written as Python `str(float)`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { floatRepr } from "../../slap/marshal/float-repr.ts";
import { writeOwnFile } from "../own-files.ts";

const DELAY_FILE = ".slapos-retention-lock-delay";
const DATE_FILE = ".slapos-retention-lock-date";

function readFloat(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const value = Number.parseFloat(readFileSync(path, "utf8"));
  return Number.isFinite(value) ? value : undefined;
}

/** createRetentionLockDelay: freeze the delay (days) if not yet frozen. */
export function freezeRetentionDelay(partitionPath: string, delayDays: number): void {
  const path = join(partitionPath, DELAY_FILE);
  if (!existsSync(path)) writeOwnFile(path, floatRepr(delayDays));
}

/** createRetentionLockDate: with a frozen delay > 0 and no date yet, the date is now + delay. */
export function freezeRetentionDate(partitionPath: string, now = Date.now() / 1000): void {
  const datePath = join(partitionPath, DATE_FILE);
  if (existsSync(datePath)) return;
  const delay = readFloat(join(partitionPath, DELAY_FILE)) ?? -1;
  if (delay <= 0) return;
  writeOwnFile(datePath, floatRepr(Math.floor(now) + delay * 86400));
}

/** checkRetentionIsAuthorized: no date → allowed unless a delay > 0 is frozen; a date → allowed once reached. */
export function retentionAuthorized(partitionPath: string, now = Date.now() / 1000): boolean {
  const date = readFloat(join(partitionPath, DATE_FILE));
  if (!date) return (readFloat(join(partitionPath, DELAY_FILE)) ?? -1) <= 0;
  return now >= date;
}

/** Whether the partition may be destroyed now; freezes the date at the first attempt. */
export function retentionAllowsDestruction(partitionPath: string, now = Date.now() / 1000): boolean {
  freezeRetentionDate(partitionPath, now);
  return retentionAuthorized(partitionPath, now);
}
