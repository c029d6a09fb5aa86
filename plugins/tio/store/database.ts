/**
 * collector.db (format-collect-cli.md §2.3, §2.7): open/bootstrap, one
 * sample stored in one transaction, the date scopes of unreported days,
 * marking a day as reported, and the garbage collection.
 *
 * Journal mode: the reference sets `journal_mode=memory` only on the
 * bootstrap connection, which it closes at once, so its inserts run with
 * SQLite's default rollback journal; we keep that default on purpose: with
 * a full disk the journal cannot be written, the transaction fails before
 * the database file is touched, and every earlier row stays readable.
 *
 * Deviation: the reference commits the computer rows, then each user's
 * process rows, then each folder row in separate transactions; a whole
 * sample is one transaction here, so a failed run never leaves half a
 * sample behind.
 */
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CollectSample } from "../../../core/hooks/groups/report.ts";
import { bootstrapStatements, DATABASE_NAME, PRESERVED_TABLES, TABLES } from "./schema.ts";

/** A value as SQLite stored it: the storage class matters for Python's text of it (10.0 vs 10). */
export interface Cell {
  value: number | string | null;
  type: "real" | "integer" | "text" | "null" | "blob";
}

export class CollectorDb {
  readonly path: string;
  readonly db: Database;

  /** Open `<folder>/collector.db` (created if missing); `create` also creates the tables. */
  constructor(folder: string, options: { create?: boolean; readonly?: boolean } = {}) {
    this.path = folder.endsWith(DATABASE_NAME) ? folder : join(folder, DATABASE_NAME);
    this.db = options.readonly ? new Database(this.path, { readonly: true }) : new Database(this.path, { create: true });
    this.db.run("PRAGMA busy_timeout = 30000");
    this.db.run("PRAGMA temp_store = memory");
    if (options.create) this.bootstrap();
  }

  static exists(folder: string): boolean {
    return existsSync(join(folder, DATABASE_NAME));
  }

  private bootstrap(): void {
    this.db.transaction(() => {
      for (const statement of bootstrapStatements()) this.db.run(statement);
    })();
  }

  /** Table names in creation order. */
  tables(): string[] {
    return this.db.query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid").all().map((r) => r.name);
  }

  /** Store one sample, all or nothing. */
  insertSample(sample: CollectSample): void {
    const { date, time } = sample;
    const db = this.db;
    db.transaction(() => {
      const c = sample.computer;
      db.query(
        "INSERT INTO computer (cpu_num_core, cpu_frequency, cpu_type, memory_size, memory_type, partition_list, date, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(c.cpu_num_core, c.cpu_frequency, c.cpu_type, c.memory_size, c.memory_type, c.partition_list, date, time);
      const s = sample.system;
      db.query(
        "INSERT INTO system (loadavg, cpu_percent, memory_used, memory_free, net_in_bytes, net_in_errors, net_in_dropped, " +
          "net_out_bytes, net_out_errors, net_out_dropped, date, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(s.loadavg, s.cpu_percent, s.memory_used, s.memory_free, s.net_in_bytes, s.net_in_errors, s.net_in_dropped, s.net_out_bytes, s.net_out_errors, s.net_out_dropped, date, time);
      const disk = db.query("INSERT INTO disk (partition, used, free, mountpoint, date, time) VALUES (?, ?, ?, ?, ?, ?)");
      for (const d of sample.disks) disk.run(d.partition, d.used, d.free, d.mountpoint, date, time);
      const temperature = db.query("INSERT INTO temperature (sensor_id, temperature, alarm, date, time) VALUES (?, ?, ?, ?, ?)");
      for (const t of sample.temperatures) temperature.run(t.sensor_id, t.temperature, t.alarm, date, time);
      const h = sample.heating;
      if (h) {
        db.query(
          "INSERT INTO heating (model_id, sensor_id, initial_temperature, final_temperature, delta_time, zero_emission_ratio, date, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ).run(h.model_id, h.sensor_id, h.initial_temperature, h.final_temperature, h.delta_time, h.zero_emission_ratio, date, time);
      }
      const user = db.query(
        "INSERT INTO user (partition, pid, process, cpu_percent, cpu_time, cpu_num_threads, memory_percent, memory_rss, " +
          "io_rw_counter, io_cycles_counter, date, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      );
      for (const p of sample.processes) {
        user.run(p.partition, p.pid, p.process, p.cpu_percent, p.cpu_time, p.cpu_num_threads, p.memory_percent, p.memory_rss, p.io_rw_counter, p.io_cycles_counter, date, time);
      }
      const folder = db.query("INSERT INTO folder (partition, disk_used, date, time) VALUES (?, ?, ?, ?)");
      for (const f of sample.folders) folder.run(f.partition, f.disk_used, date, time);
    })();
  }

  /** Date and time of the latest folder row of a partition user. */
  lastFolderMeasure(user: string): { date: string; time: string } | undefined {
    return (
      this.db
        .query<{ date: string; time: string }, [string]>("SELECT date, time FROM folder WHERE partition = ? ORDER BY date DESC, time DESC LIMIT 1")
        .get(user) ?? undefined
    );
  }

  /** Unreported dates of `system` (with their sample counts), except `ignoreDate`. */
  dateScopes(ignoreDate?: string, reported = 0): Array<[string, number]> {
    const rows =
      ignoreDate === undefined
        ? this.db.query<{ date: string; n: number }, [number]>("SELECT date, count(time) AS n FROM system WHERE reported = ? GROUP BY date").all(reported)
        : this.db
            .query<{ date: string; n: number }, [number, string]>("SELECT date, count(time) AS n FROM system WHERE reported = ? AND date != ? GROUP BY date")
            .all(reported, ignoreDate);
    return rows.map((r) => [r.date, r.n]);
  }

  /**
   * Every row of a table for a date, in storage order, each value with its
   * storage class — told by the column's affinity and the value read, which
   * is exact: a REAL-affinity column turns every number into a REAL, a
   * TEXT-affinity one every number into text, and INTEGER or NUMERIC ones
   * keep a REAL only when it has a fractional part.
   */
  *rowsOf(table: string, date: string): Generator<Cell[]> {
    const affinities = this.affinitiesOf(table);
    const statement = this.db.query<Record<string, unknown>, [string]>(`SELECT * FROM "${table}" WHERE date = ?`);
    for (const row of statement.values(date) as unknown as Array<Array<number | string | null>>) {
      yield row.map((value, i): Cell => {
        if (value === null) return { value, type: "null" };
        if (typeof value === "string") return { value, type: "text" };
        if (typeof value !== "number") return { value: String(value), type: "blob" };
        return { value, type: affinities[i] === "REAL" || !Number.isInteger(value) ? "real" : "integer" };
      });
    }
  }

  /** SQLite's affinity of each column of a table, from its declared type. */
  affinitiesOf(table: string): Array<"INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC"> {
    return this.db
      .query<{ type: string }, []>(`PRAGMA table_info("${table}")`)
      .all()
      .map(({ type }) => {
        const t = type.toUpperCase();
        if (t.includes("INT")) return "INTEGER";
        if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "TEXT";
        if (t.includes("BLOB") || t === "") return "BLOB";
        if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "REAL";
        return "NUMERIC";
      });
  }

  columnsOf(table: string): string[] {
    return this.db.query<{ name: string }, []>(`PRAGMA table_info("${table}")`).all().map((r) => r.name);
  }

  /** Mark every row of a date as reported, in the given tables. */
  markReported(date: string, tables: string[]): void {
    for (const table of tables) this.db.query(`UPDATE "${table}" SET reported = 1 WHERE date = ? AND reported = 0`).run(date);
  }

  /**
   * Delete reported rows older than the `days` most recent days (today
   * included) or dated in the future, from every table but heating.
   * Unreported rows are never deleted. Returns whether the file was
   * compacted.
   *
   * Deviation: the reference runs VACUUM whenever it deleted something,
   * i.e. on the first run of every day once the retention is reached —
   * rewriting the whole database (about 10 s and twice its size on disk
   * for 20 partitions of 10 processes, 800 MiB), only for the next day's
   * samples to fill the freed pages again. Here VACUUM runs when more than
   * a quarter of the file is free pages (after `collect_cache` was
   * lowered, or the activity dropped); otherwise the free pages are reused.
   */
  garbageCollect(days: number, today: string): boolean {
    const dates = preservedDates(days, today);
    let where = "reported = 1";
    const params: string[] = [];
    if (dates.length) {
      where += " AND (date < ? OR date > ?)";
      params.push(dates[dates.length - 1], dates[0]);
    }
    let deleted = false;
    this.db.transaction(() => {
      for (const table of this.tables()) {
        if (PRESERVED_TABLES.has(table)) continue;
        if (this.db.query(`SELECT date FROM "${table}" WHERE ${where} LIMIT 1`).get(...params) === null) continue;
        this.db.query(`DELETE FROM "${table}" WHERE ${where}`).run(...params);
        deleted = true;
      }
    })();
    if (!deleted) return false;
    const pages = (this.db.query("PRAGMA page_count").get() as { page_count: number }).page_count;
    const free = (this.db.query("PRAGMA freelist_count").get() as { freelist_count: number }).freelist_count;
    if (free * 4 <= pages) return false;
    this.db.run("VACUUM");
    return true;
  }

  /**
   * The latest heating test. [BUG] fixed: the reference orders by date
   * ascending (`ORDER BY date, time DESC`), so it finds the oldest day's.
   */
  lastHeating(): { date: string; time: string; zero_emission_ratio: number } | undefined {
    return (
      this.db
        .query<{ date: string; time: string; zero_emission_ratio: number }, []>(
          "SELECT date, time, zero_emission_ratio FROM heating ORDER BY date DESC, time DESC LIMIT 1",
        )
        .get() ?? undefined
    );
  }

  close(): void {
    this.db.close();
  }
}

/** The reference's `_getGarbageCollectionDateList`: today and the days before, `days` of them, newest first. */
export function preservedDates(days: number, today: string): string[] {
  const base = Date.parse(`${today}T00:00:00Z`);
  const out: string[] = [];
  for (let i = 0; i < days; i++) out.push(new Date(base - i * 86_400_000).toISOString().slice(0, 10));
  return out;
}
