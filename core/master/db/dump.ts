/**
 * A plain-SQL dump of a database, like Python's `sqlite3.Connection.iterdump()`:
 * what the reference writes before it migrates or rebases, so that a user
 * can always get their old data back with `sqlite3 new.db < backup.sql`.
 */
import type { Database } from "bun:sqlite";
import { writeFileSync } from "node:fs";

function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString("hex").toUpperCase()}'`;
  return `'${String(value).replaceAll("'", "''")}'`;
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The dump as text: schema and rows of every table, in one transaction. */
export function dumpSql(db: Database): string {
  const lines = ["BEGIN TRANSACTION;"];
  const tables = db
    .query("SELECT name, sql FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as Array<{ name: string; sql: string }>;
  for (const { name, sql } of tables) {
    lines.push(`${sql};`);
    const rows = db.query(`SELECT * FROM ${quoteName(name)}`).values();
    for (const row of rows) lines.push(`INSERT INTO ${quoteName(name)} VALUES(${row.map(literal).join(",")});`);
  }
  const others = db
    .query("SELECT sql FROM sqlite_master WHERE type IN ('index','trigger','view') AND sql IS NOT NULL ORDER BY name")
    .all() as Array<{ sql: string }>;
  for (const { sql } of others) lines.push(`${sql};`);
  lines.push("COMMIT;");
  return lines.join("\n") + "\n";
}

/** Python's `datetime.now().isoformat()`: local time with microseconds. */
export function isoNow(date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T` +
    `${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}.${p(date.getMilliseconds(), 3)}000`
  );
}

export function writeDump(db: Database, file: string): void {
  writeFileSync(file, dumpSql(db), { mode: 0o600 });
}
