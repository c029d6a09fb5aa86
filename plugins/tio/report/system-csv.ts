/**
 * `data-log/system_<item>.csv` and `system_disk_memory_{used,free}_<dev>.csv`
 * (format-collect-cli.md §2.4): today's system and disk rows, rewritten
 * every run. The first system row of the day only seeds the network deltas;
 * memory and disk figures are in KiB, network bytes are the KiB received or
 * sent since the previous row.
 */
import { join } from "node:path";
import { writeChunksAtomic } from "../files/atomic.ts";
import type { CollectorDb } from "../store/database.ts";
import { csvRow, type CsvValue } from "./csv.ts";

const SYSTEM_ITEMS = [
  "loadavg",
  "cpu_percent",
  "memory_used",
  "memory_free",
  "net_in_bytes",
  "net_in_errors",
  "net_in_dropped",
  "net_out_bytes",
  "net_out_errors",
  "net_out_dropped",
] as const;

type Entry = { time: string; entry: number };

/** The reference's exportSystemAsDict: per item, the entries of a date (first row skipped). */
export function systemEntries(db: CollectorDb, date: string): Map<string, Entry[]> {
  const out = new Map<string, Entry[]>(SYSTEM_ITEMS.map((item) => [item, []]));
  const rows = db.db
    .query<Record<string, number | string>, [string]>(`SELECT ${SYSTEM_ITEMS.join(", ")}, date, time FROM system WHERE date = ?`)
    .all(date);
  let lastIn = 0;
  let lastOut = 0;
  rows.forEach((row, index) => {
    const netIn = row.net_in_bytes as number;
    const netOut = row.net_out_bytes as number;
    if (index === 0) {
      lastIn = netIn;
      lastOut = netOut;
      return;
    }
    const time = `${row.date} ${row.time}`;
    const deltaIn = netIn - lastIn;
    const deltaOut = netOut - lastOut;
    lastIn = netIn;
    lastOut = netOut;
    const value = (item: (typeof SYSTEM_ITEMS)[number]): number => {
      if (item === "memory_used" || item === "memory_free") return (row[item] as number) / 1024;
      if (item === "net_in_bytes") return deltaIn / 1024;
      if (item === "net_out_bytes") return deltaOut / 1024;
      return row[item] as number;
    };
    for (const item of SYSTEM_ITEMS) out.get(item)!.push({ time, entry: value(item) });
  });
  return out;
}

/** The reference's exportDiskAsDict: `<device>-used` / `<device>-free` → entries in KiB. */
export function diskEntries(db: CollectorDb, date: string): Map<string, Entry[]> {
  const out = new Map<string, Entry[]>();
  const rows = db.db
    .query<{ partition: string; used: string; free: string; date: string; time: string }, [string]>(
      "SELECT partition, used, free, date, time FROM disk WHERE date = ?",
    )
    .all(date);
  for (const row of rows) {
    const time = `${row.date} ${row.time}`;
    for (const [suffix, value] of [["used", row.used], ["free", row.free]] as const) {
      const key = `${row.partition}-${suffix}`;
      if (!out.has(key)) out.set(key, []);
      out.get(key)!.push({ time, entry: Number(value) / 1024 });
    }
  }
  return out;
}

function writeCsv(path: string, entries: Entry[]): void {
  const rows: string[] = [csvRow(["time", "entry"])];
  for (const e of entries) rows.push(csvRow([e.time, { float: e.entry } satisfies CsvValue]));
  writeChunksAtomic(path, [rows.join("")]);
}

/** Rewrite today's system CSVs in `folder`; returns the files written. */
export function writeSystemCsv(db: CollectorDb, folder: string, today: string): string[] {
  const written: string[] = [];
  for (const [item, entries] of systemEntries(db, today)) {
    const path = join(folder, `system_${item}.csv`);
    writeCsv(path, entries);
    written.push(path);
  }
  for (const [key, entries] of diskEntries(db, today)) {
    const parts = key.split("-");
    const device = parts.slice(0, -1).join("_").replace(/\//g, "_");
    const path = join(folder, `system_disk_memory_${parts[parts.length - 1]}_${device}.csv`);
    writeCsv(path, entries);
    written.push(path);
  }
  return written;
}
