/**
 * The daily consumption journal (format-collect-cli.md §2.5): one
 * transaction for a date, the computer's average CPU load and used memory,
 * its zero emission ratio, then per partition user its average CPU load,
 * memory (MiB) and disk (MiB). Written to `consumption-report/<date>.xml`
 * once (a date whose file or `.uploaded` marker exists is skipped).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { floatRepr } from "../../../core/slap/marshal/float-repr.ts";
import { writeFileAtomic } from "../files/atomic.ts";
import type { CollectorDb } from "../store/database.ts";
import { Journal } from "./journal.ts";

function scalar(db: CollectorDb, sql: string, ...params: string[]): number | null {
  const row = db.db.query<{ v: number | null }, string[]>(sql).get(...params);
  return row?.v ?? null;
}

/** AVG(system.cpu_percent) of a date, null without rows. */
export function cpuLoadAverage(db: CollectorDb, date: string): number | null {
  return scalar(db, "SELECT SUM(cpu_percent)/COUNT(cpu_percent) AS v FROM system WHERE date = ?", date);
}

/** AVG(system.memory_used) of a date in bytes, null without rows. */
export function memoryAverage(db: CollectorDb, date: string): number | null {
  return scalar(db, "SELECT SUM(memory_used)/COUNT(memory_used) AS v FROM system WHERE date = ?", date);
}

/** SUM(column)/COUNT(DISTINCT time) of a partition user's rows of a date: the average per sample. */
function perSample(db: CollectorDb, table: "user" | "folder", column: string, user: string, date: string): number | null {
  const sum = scalar(db, `SELECT SUM(${column}) AS v FROM ${table} WHERE date = ? AND partition = ?`, date, user);
  if (sum === null) return null;
  const samples = scalar(db, `SELECT COUNT(DISTINCT time) AS v FROM ${table} WHERE date = ? AND partition = ?`, date, user);
  return sum / (samples as number);
}

export const partitionCpuLoadAverage = (db: CollectorDb, user: string, date: string) => perSample(db, "user", "cpu_percent", user, date);
/** Bytes. */
export const partitionMemoryAverage = (db: CollectorDb, user: string, date: string) => perSample(db, "user", "memory_rss", user, date);
/** KiB. */
export const partitionDiskAverage = (db: CollectorDb, user: string, date: string) => perSample(db, "folder", "disk_used", user, date);

/** The latest heating ratio as Python prints it, else `-1` (so the movement is always there). */
export function zeroEmissionText(db: CollectorDb): string {
  const last = db.lastHeating();
  return last ? floatRepr(last.zero_emission_ratio) : "-1";
}

/** The journal of one date, as text. */
export function consumptionJournal(db: CollectorDb, computerId: string, users: readonly string[], date: string): string {
  const journal = new Journal();
  const transaction = journal.newTransaction();
  journal.setProperty(transaction, "title", `Eco Information for ${computerId} `);
  journal.setProperty(transaction, "start_date", `${date} 00:00:00`);
  journal.setProperty(transaction, "stop_date", `${date} 23:59:59`);
  journal.setProperty(transaction, "reference", `${date}-global`);
  journal.setProperty(transaction, "currency", "");
  journal.setProperty(transaction, "payment_mode", "");
  journal.setProperty(transaction, "category", "");
  journal.newArrow(transaction, "Destination");
  const movement = (resource: string, title: string, quantity: number | string, reference: string) =>
    journal.newMovement(transaction, { resource, title, quantity: typeof quantity === "string" ? quantity : floatRepr(quantity), reference, category: "" });

  const cpu = cpuLoadAverage(db, date);
  if (cpu !== null) movement("service_module/cpu_load_percent", "CPU Load Percent Average", cpu, computerId);
  const memory = memoryAverage(db, date);
  if (memory !== null) movement("service_module/memory_used", "Used Memory", memory, computerId);
  movement("service_module/zero_emission_ratio", "Zero Emission Ratio", zeroEmissionText(db), computerId);
  for (const user of users) {
    const value = partitionCpuLoadAverage(db, user, date);
    if (value !== null) movement("service_module/cpu_load_percent", `CPU Load Percent Average for ${user}`, value, user);
  }
  for (const user of users) {
    const value = partitionMemoryAverage(db, user, date);
    if (value !== null) movement("service_module/memory_used", `Memory Used Average for ${user}`, value / 2 ** 20, user);
  }
  for (const user of users) {
    const value = partitionDiskAverage(db, user, date);
    if (value !== null) movement("service_module/disk_used", `Partition Disk Used Average for ${user}`, value / 1024, user);
  }
  return journal.toXml();
}

/**
 * Write `<location>/<date>.xml` unless it (or its `.uploaded` marker)
 * exists; returns what was written, or undefined. `transform` is the
 * `collect.journal` hook.
 */
export async function buildXmlReport(
  db: CollectorDb,
  computerId: string,
  users: readonly string[],
  location: string,
  date: string,
  transform: (xml: string) => Promise<string> = async (xml) => xml,
): Promise<{ path: string; xml: string } | undefined> {
  const path = join(location, `${date}.xml`);
  if (existsSync(path) || existsSync(`${path}.uploaded`)) return undefined;
  const xml = await transform(consumptionJournal(db, computerId, users, date));
  writeFileAtomic(path, xml);
  return { path, xml };
}
