/**
 * Per-partition monitor files (format-collect-cli.md §2.6), for the
 * partitions that have a `.slapgrid` folder: the previous full UTC minute's
 * totals appended to three `.data.json` series, the merged totals in
 * `monitor_resource.status.json`, and one entry per process in
 * `monitor_process_resource.status.json`.
 *
 * The series are appended in place as the reference does (the final `]}`
 * overwritten by `,"<line>"]}`); if that write fails (a full disk) the file
 * is cut back to its former length and its former end restored, so it stays
 * valid JSON. The status files are replaced atomically.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { dumpsJson } from "../../../core/slap/python-json.ts";
import type { CollectPartition } from "../../../core/hooks/groups/report.ts";
import { floatRepr } from "../../../core/slap/marshal/float-repr.ts";
import { PyFloat, type PyValue } from "../../../core/slap/marshal/values.ts";
import { writeFileAtomic } from "../files/atomic.ts";
import { pyRound } from "../py-round.ts";
import type { CollectorDb } from "../store/database.ts";
import { processDetails } from "./process-details.ts";

const LABELS = ["date", "total_process", "cpu_percent", "cpu_time", "cpu_num_threads", "memory_percent", "memory_rss", "io_rw_counter", "io_cycles_counter", "disk_used"];
const MiB = 1024 * 1024;

export interface MonitorWindow {
  date: string;
  minTime: string;
  maxTime: string;
}

/** The previous full UTC minute of `now`. */
export function previousMinute(now: Date): MonitorWindow {
  const t = new Date(now.getTime() - 60_000).toISOString();
  const minute = t.slice(11, 16);
  return { date: t.slice(0, 10), minTime: `${minute}:00`, maxTime: `${minute}:59` };
}

/** `round(x or 0, 2)`: an int 0 for a missing sum, else a float. */
function rounded(x: number | null): PyValue {
  return x === null ? 0 : new PyFloat(pyRound(x, 2));
}

/** Python's str() of a value of these dicts. */
function str(value: PyValue): string {
  if (value instanceof PyFloat) return floatRepr(value.value);
  return String(value);
}

/** `{"date": <now>, "data": [<header>]}` when the file is missing or empty. */
export function initDataFile(path: string, columns: string[], now = (performance.timeOrigin + performance.now()) / 1000): void {
  if (existsSync(path) && statSync(path).size > 0) return;
  writeFileAtomic(path, `{"date": ${floatRepr(now)}, "data": ${dumpsJson(columns)}}`);
}

/** Replace the final 2 characters with `,"<line>"]}`; on failure put the file back as it was. */
export function appendToDataFile(path: string, line: string): void {
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(2);
    readSync(fd, tail, 0, 2, size - 2);
    try {
      const bytes = Buffer.from(`,"${line}"]}`, "utf8");
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset, size - 2 + offset);
    } catch (error) {
      ftruncateSync(fd, size);
      writeSync(fd, tail, 0, 2, size - 2);
      throw error;
    }
  } finally {
    closeSync(fd);
  }
}

type Totals = Map<string, PyValue>;

/** The reference's getPartitionConsumptionStatusList: process, memory and io totals of the window. */
export function windowTotals(db: CollectorDb, user: string, w: MonitorWindow): [Totals, Totals, Totals] {
  const row = db.db
    .query<Record<string, number | null>, string[]>(
      "SELECT count(pid) AS n, SUM(cpu_percent) AS cpu, SUM(cpu_time) AS cpu_time, SUM(cpu_num_threads) AS threads, " +
        "SUM(memory_percent) AS mem, SUM(memory_rss) AS rss, SUM(io_rw_counter) AS rw, SUM(io_cycles_counter) AS cycles " +
        "FROM user WHERE date = ? AND partition = ? AND (time BETWEEN ? AND ?)",
    )
    .get(w.date, user, w.minTime, w.maxTime)!;
  const date = `${w.date} ${w.minTime}`;
  const process: Totals = new Map<string, PyValue>([
    ["total_process", row.n ?? 0],
    ["cpu_percent", rounded(row.cpu)],
    ["cpu_time", new PyFloat(pyRound((row.cpu_time ?? 0) / 60, 2))],
    ["cpu_num_threads", rounded(row.threads)],
    ["date", date],
  ]);
  const memory: Totals = new Map<string, PyValue>([
    ["memory_percent", rounded(row.mem)],
    ["memory_rss", new PyFloat(pyRound((row.rss ?? 0) / MiB, 2))],
    ["date", date],
  ]);
  const io: Totals = new Map<string, PyValue>([
    ["io_rw_counter", rounded(row.rw)],
    ["io_cycles_counter", rounded(row.cycles)],
    ["disk_used", 0],
    ["date", date],
  ]);
  const disk = db.db
    .query<{ v: number | null }, string[]>("SELECT SUM(disk_used) AS v FROM folder WHERE date = ? AND partition = ? AND (time BETWEEN ? AND ?)")
    .get(w.date, user, w.minTime, w.maxTime);
  if (disk?.v !== null && disk?.v !== undefined) io.set("disk_used", new PyFloat(pyRound(disk.v / 1024, 2)));
  return [process, memory, io];
}

/** The reference's getPartitionProcessConsumptionList: one entry per pid, busiest first. */
export function processEntries(db: CollectorDb, user: string, w: MonitorWindow, procRoot = "/proc"): Array<Map<string, PyValue>> {
  const rows = db.db
    .query<Record<string, number | null>, string[]>(
      "SELECT count(pid) AS n, SUM(cpu_percent) AS cpu_result, SUM(cpu_time) AS cpu_time, MAX(cpu_num_threads) AS threads, " +
        "SUM(memory_percent) AS mem, SUM(memory_rss) AS rss, pid, SUM(io_rw_counter) AS rw, SUM(io_cycles_counter) AS cycles " +
        "FROM user WHERE date = ? AND partition = ? AND (time BETWEEN ? AND ?) GROUP BY pid ORDER BY cpu_result DESC",
    )
    .all(w.date, user, w.minTime, w.maxTime);
  const out: Array<Map<string, PyValue>> = [];
  for (const r of rows) {
    const n = r.n ?? 0;
    if (!n) continue;
    const entry = new Map<string, PyValue>([
      ["pid", new PyFloat(r.pid ?? 0)],
      ["cpu_percent", new PyFloat(pyRound((r.cpu_result ?? 0) / n, 2))],
      ["cpu_time", new PyFloat(pyRound((r.cpu_time ?? 0) / 60, 2))],
      // The reference divides the largest thread count by the sample count.
      ["cpu_num_threads", new PyFloat(pyRound((r.threads ?? 0) / n, 2))],
      ["memory_percent", new PyFloat(pyRound((r.mem ?? 0) / n, 2))],
      ["memory_rss", new PyFloat(pyRound((r.rss ?? 0) / MiB, 2))],
      ["io_rw_counter", new PyFloat(pyRound((r.rw ?? 0) / n, 2))],
      ["io_cycles_counter", new PyFloat(pyRound((r.cycles ?? 0) / n, 2))],
    ]);
    const details = processDetails(Math.trunc(r.pid ?? 0), procRoot);
    if (details) for (const [key, value] of Object.entries(details)) entry.set(key, value);
    out.push(entry);
  }
  return out;
}

/** Write the monitor files of every partition that has a `.slapgrid` folder; `clock` gives new series their date. */
export function buildMonitorReport(
  db: CollectorDb,
  partitions: readonly CollectPartition[],
  w: MonitorWindow,
  procRoot = "/proc",
  clock = () => (performance.timeOrigin + performance.now()) / 1000,
): void {
  for (const partition of partitions) {
    const location = join(partition.path, ".slapgrid");
    if (!existsSync(location)) continue;
    const folder = join(location, "monitor");
    mkdirSync(folder, { recursive: true, mode: 0o755 });
    const files = {
      process: join(folder, "monitor_resource_process.data.json"),
      memory: join(folder, "monitor_resource_memory.data.json"),
      io: join(folder, "monitor_resource_io.data.json"),
    };
    initDataFile(files.process, ["date, total process, CPU percent, CPU time, CPU threads"], clock());
    initDataFile(files.memory, ["date, memory used percent, memory used"], clock());
    initDataFile(files.io, ["date, io rw counter, io cycles counter, disk used"], clock());
    const [process, memory, io] = windowTotals(db, partition.user, w);
    const status = new Map<string, PyValue>();
    const line = (totals: Totals) => LABELS.filter((k) => totals.has(k)).map((k) => str(totals.get(k)!)).join(", ");
    const truthy = (v: PyValue | undefined) => (v instanceof PyFloat ? v.value !== 0 : Boolean(v));
    for (const [totals, file, key] of [
      [process, files.process, "total_process"],
      [memory, files.memory, "memory_rss"],
      [io, files.io, "io_rw_counter"],
    ] as const) {
      if (!truthy(totals.get(key))) continue;
      appendToDataFile(file, line(totals));
      for (const [k, v] of totals) status.set(k, v);
    }
    writeFileAtomic(join(folder, "monitor_resource.status.json"), dumpsJson(status));
    const entries = processEntries(db, partition.user, w, procRoot);
    if (entries.length) writeFileAtomic(join(folder, "monitor_process_resource.status.json"), dumpsJson(entries));
  }
}
