/**
 * collector.db (format-collect-cli.md §2.3, §2.7; acceptance checks 23–26).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { CollectorDb, preservedDates } from "../../../plugins/tio/store/database.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { freshDb, process, sampleAt, utcDay } from "./fixtures.ts";

const TABLES = ["user", "folder", "computer", "system", "disk", "temperature", "heating"];

function rows(db: CollectorDb, table: string): unknown[][] {
  return db.db.query(`SELECT * FROM ${table}`).values() as unknown[][];
}

function types(db: CollectorDb, table: string): string[] {
  const columns = db.columnsOf(table);
  return (db.db.query(`SELECT ${columns.map((c) => `typeof("${c}")`).join(", ")} FROM ${table}`).values() as string[][])[0];
}

describe("bootstrap (test_database_bootstrap, test_database_not_bootstrap)", () => {
  test("the 7 tables are created in the reference's order, and the file exists", () => {
    const folder = tempDir();
    const db = new CollectorDb(folder, { create: true });
    expect(db.tables()).toEqual(TABLES);
    db.close();
    expect(existsSync(join(folder, "collector.db"))).toBe(true);
  });
  test("without create, the file is made but no table", () => {
    const folder = tempDir();
    const db = new CollectorDb(folder);
    expect(db.tables()).toEqual([]);
    db.close();
    expect(existsSync(join(folder, "collector.db"))).toBe(true);
  });
  test("the indexes of the reference exist: user_partition_date_time and <table>_date_reported_index", () => {
    const { db } = freshDb();
    const names = (db.db.query("SELECT name FROM sqlite_master WHERE type='index'").values() as string[][]).map((r) => r[0]);
    expect(names.sort()).toEqual(["user_partition_date_time", ...TABLES.map((t) => `${t}_date_reported_index`)].sort());
  });
  test("bootstrapping an existing database keeps its rows", () => {
    const { db, folder } = freshDb();
    db.insertSample(sampleAt("1983-01-10", "TIME"));
    db.close();
    const again = new CollectorDb(folder, { create: true });
    expect(rows(again, "system").length).toBe(1);
  });
});

describe("round-trip types (test_insert_*_snapshot)", () => {
  const { db } = freshDb();
  db.insertSample(sampleAt("DATE", "TIME"));
  test("user: real columns are floats, reported defaults to 0", () => {
    expect(rows(db, "user")).toEqual([["fakeuser0", 10, "10-12345", 0.1, 10, 1, 10, 10, 0.1, 0.1, "DATE", "TIME", 0]]);
    expect(types(db, "user")).toEqual(["text", "real", "text", "real", "real", "real", "real", "real", "real", "real", "text", "text", "integer"]);
  });
  test("folder", () => {
    expect(rows(db, "folder")).toEqual([["fakeuser0", 0.1, "DATE", "TIME", 0]]);
  });
  test("computer: cpu_type and memory_type come back as the text '0'", () => {
    expect(rows(db, "computer")).toEqual([[1, 0, "0", 100, "0", "/dev/sdx1", "DATE", "TIME", 0]]);
    expect(types(db, "computer").slice(0, 5)).toEqual(["real", "real", "text", "real", "text"]);
  });
  test("disk: used and free are text columns ('10', '20')", () => {
    expect(rows(db, "disk")).toEqual([["/dev/sdx1", "10", "20", "/mnt", "DATE", "TIME", 0]]);
  });
  test("system: every figure is a float", () => {
    expect(rows(db, "system")).toEqual([[0.1, 10, 100, 100, 10, 1, 2, 12, 1, 1, "DATE", "TIME", 0]]);
    expect(types(db, "system").slice(0, 10).every((t) => t === "real")).toBe(true);
  });
  test("a large disk size stays an exact integer text", () => {
    const { db: other } = freshDb();
    other.insertSample(sampleAt("DATE", "TIME", { disks: [{ partition: "/dev/sda", used: 270553174016, free: 82555625472, mountpoint: "/" }] }));
    expect(rows(other, "disk")[0].slice(1, 3)).toEqual(["270553174016", "82555625472"]);
  });
  test("temperature and heating keep sensor ids as text (NUMERIC affinity of `name`)", () => {
    const { db: other } = freshDb();
    other.insertSample(
      sampleAt("DATE", "TIME", {
        temperatures: [{ sensor_id: "coretemp-isa-0000 Core 0:", temperature: 42, alarm: 0 }],
        heating: { model_id: "nuc_i7", sensor_id: "coretemp-isa-0000 Core 0:", initial_temperature: 40, final_temperature: 60, delta_time: 300, zero_emission_ratio: 100 },
      }),
    );
    expect(rows(other, "temperature")).toEqual([["coretemp-isa-0000 Core 0:", 42, 0, "DATE", "TIME", 0]]);
    expect(types(other, "temperature").slice(0, 3)).toEqual(["text", "real", "integer"]);
    expect(rows(other, "heating")[0].slice(0, 6)).toEqual(["nuc_i7", "coretemp-isa-0000 Core 0:", 40, 60, 300, 100]);
  });
});

describe("date scopes (test_date_scope)", () => {
  const { db } = freshDb();
  db.insertSample(sampleAt("EXPECTED-DATE", "TIME"));
  test("unreported dates of system with their counts", () => {
    expect(db.dateScopes()).toEqual([["EXPECTED-DATE", 1]]);
  });
  test("the ignored date is left out", () => {
    expect(db.dateScopes("EXPECTED-DATE")).toEqual([]);
  });
  test("no reported date yet", () => {
    expect(db.dateScopes(undefined, 1)).toEqual([]);
  });
});

describe("marking and garbage collection (test_garbage, test_mark_day_as_reported, test_garbage_collection_date_list)", () => {
  test("the preserved dates are today and the days before, `days` of them", () => {
    const today = utcDay();
    expect(preservedDates(3, today).length).toBe(3);
    expect(preservedDates(1, today)).toEqual([today]);
    expect(preservedDates(0, today)).toEqual([]);
    expect(preservedDates(2, "2024-03-01")).toEqual(["2024-03-01", "2024-02-29"]);
  });
  test("marking a day reports its rows only", () => {
    const { db } = freshDb();
    db.insertSample(sampleAt("EXPECTED-DATE", "TIME"));
    db.insertSample(sampleAt("NOT-EXPECTED-DATE", "TIME"));
    db.markReported("EXPECTED-DATE", ["system"]);
    expect(rows(db, "system").map((r) => [r[10], r[12]])).toEqual([
      ["EXPECTED-DATE", 1],
      ["NOT-EXPECTED-DATE", 0],
    ]);
  });
  test("reported rows of an old day are deleted from every table but heating", () => {
    const { db } = freshDb();
    db.insertSample(
      sampleAt("1983-01-10", "TIME", {
        heating: { model_id: "m", sensor_id: "s", initial_temperature: 1, final_temperature: 2, delta_time: 3, zero_emission_ratio: 0 },
      }),
    );
    db.markReported("1983-01-10", db.tables());
    db.garbageCollect(3, utcDay());
    for (const table of ["system", "folder", "user", "computer", "disk"]) expect(rows(db, table).length).toBe(0);
    expect(rows(db, "heating").length).toBe(1);
  });
  test("unreported rows are never deleted, however old", () => {
    const { db } = freshDb();
    db.insertSample(sampleAt("1983-01-10", "TIME"));
    db.garbageCollect(3, utcDay());
    expect(rows(db, "system").length).toBe(1);
  });
  test("reported rows within the kept days stay; future-dated reported rows go", () => {
    const { db } = freshDb();
    const today = utcDay();
    db.insertSample(sampleAt(utcDay(2), "TIME"));
    db.insertSample(sampleAt("2999-01-01", "TIME"));
    db.markReported(utcDay(2), db.tables());
    db.markReported("2999-01-01", db.tables());
    db.garbageCollect(3, today);
    expect(rows(db, "system").map((r) => r[10])).toEqual([utcDay(2)]);
  });
  test("VACUUM compacts the file when more than a quarter of it was freed, not for a day's worth of rows", () => {
    const { db, folder } = freshDb();
    const big = (date: string) =>
      db.db.transaction(() => {
        for (let i = 0; i < 200; i++) db.insertSample(sampleAt(date, `00:${String(i % 60).padStart(2, "0")}:00`, { processes: Array.from({ length: 20 }, () => process("slapuser0")) }));
      })();
    const days = ["2031-01-01", "2031-01-02", "2031-01-03", "2031-01-04", "2031-01-05", "2031-01-06"];
    for (const day of days) big(day);
    const size = () => statSync(join(folder, "collector.db")).size;
    db.markReported(days[0], db.tables());
    const before = size();
    expect(db.garbageCollect(5, days[5])).toBe(false);
    expect(size()).toBe(before);
    for (const day of days.slice(1, 5)) db.markReported(day, db.tables());
    expect(db.garbageCollect(1, days[5])).toBe(true);
    expect(size()).toBeLessThan(before / 2);
    expect(rows(db, "system").length).toBe(200);
  });
});
