/**
 * Raw dumps of past days (format-collect-cli.md §2.4, §2.7): for each date
 * before today that still has unreported `system` rows, every table's rows
 * of that date go to `data-log/<date>/dump_<table>.csv` (no header, raw
 * column order, `reported` included), then the date is marked reported.
 * A date is marked only once all its files are written, so a failure (a
 * full disk) leaves it unreported for the next run.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { batched, writeChunksAtomic } from "../files/atomic.ts";
import type { CollectorDb } from "../store/database.ts";
import { cellValue, csvRow } from "./csv.ts";

function* tableLines(db: CollectorDb, table: string, date: string): Generator<string> {
  for (const cells of db.rowsOf(table, date)) yield csvRow(cells.map(cellValue));
}

/** A date usable as a folder name (the database may hold anything; a path must not escape data-log). */
function safeName(date: string): boolean {
  return /^[\w.-]+$/.test(date) && date !== "." && date !== "..";
}

/** Dump every unreported past day; returns the dates dumped. */
export function dumpPastDays(db: CollectorDb, folder: string, today: string): string[] {
  const tables = db.tables();
  const dumped: string[] = [];
  for (const [date] of db.dateScopes(today)) {
    if (!safeName(date)) continue;
    const day = join(folder, date);
    mkdirSync(day, { recursive: true, mode: 0o755 });
    for (const table of tables) writeChunksAtomic(join(day, `dump_${table}.csv`), batched(tableLines(db, table, date)));
    db.db.transaction(() => db.markReported(date, tables))();
    dumped.push(date);
  }
  return dumped;
}
