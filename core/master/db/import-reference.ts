/**
 * Take over a slapproxy database of slapos.core (schema versions 10 to 17,
 * tables named with a numeric suffix such as `partition17`), as the
 * reference's own migration does (slap-protocol.md §4.2): dump a backup,
 * copy every row into our tables (rowid order kept), rewrite pre-17
 * `requested_by` partition references into root instance titles, turn the
 * old `local_software_release_root` table into a config row, and drop the
 * old tables. Runs inside the opening transaction, so it is all or nothing.
 */
import type { Database } from "bun:sqlite";
import { SlapError } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import { isoNow, writeDump } from "./dump.ts";
import { SCHEMA_VERSION } from "./schema.ts";

const KNOWN = new Set([
  "config",
  "software",
  "computer",
  "partition",
  "slave",
  "partition_network",
  "forwarded_partition_request",
  "local_software_release_root",
]);

export const OLDEST_REFERENCE_VERSION = 10;
export const NEWEST_REFERENCE_VERSION = 17;

type Row = Record<string, unknown>;

export interface ReferenceTables {
  version: number;
  /** Old table name → base name, in name order (the reference's order). */
  tables: Array<{ name: string; base: string }>;
}

/** The suffixed tables of a slapproxy database, or undefined when there are none. */
export function findReferenceTables(db: Database): ReferenceTables | undefined {
  const names = (db.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as Array<{ name: string }>).map(
    (r) => r.name,
  );
  const tables: ReferenceTables["tables"] = [];
  const versions = new Set<number>();
  for (const name of names) {
    const match = /^([a-z_]+?)(\d+)$/.exec(name);
    if (!match || !KNOWN.has(match[1])) continue;
    tables.push({ name, base: match[1] });
    versions.add(Number(match[2]));
  }
  if (!tables.length) return undefined;
  if (versions.size > 1) {
    throw new SlapError("config", `slapproxy database mixes schema versions ${[...versions].sort().join(", ")}: cannot take it over`);
  }
  const version = [...versions][0];
  if (version < OLDEST_REFERENCE_VERSION || version > NEWEST_REFERENCE_VERSION) {
    throw new SlapError(
      "config",
      `slapproxy database has schema version ${version}; versions ${OLDEST_REFERENCE_VERSION} to ${NEWEST_REFERENCE_VERSION} can be taken over`,
    );
  }
  return { version, tables };
}

/** Write the backup the reference writes before migrating; returns its path. */
export function backupReference(db: Database, path: string, version: number, log: Logger): string | undefined {
  if (path === ":memory:" || path === "") return undefined;
  const file = `${path}-backup-${version}to-slapos${SCHEMA_VERSION}-${isoNow()}.sql`;
  log.info(`Old schema detected: Creating a backup of current tables at ${file}`);
  writeDump(db, file);
  return file;
}

/** Pre-17 `requested_by` held the requester's partition reference: walk up to the root's title. */
function rewriteRequestedBy(rows: Row[]): void {
  const byReference = new Map<string, Row>();
  for (const row of rows) byReference.set(String(row.reference), row);
  const original = new Map(rows.map((row) => [row, row.requested_by as string | null]));
  for (const row of rows) {
    let requester = original.get(row);
    if (!requester) continue;
    let root: Row | undefined;
    for (let hops = 0; requester && hops <= rows.length; hops++) {
      root = byReference.get(requester);
      if (!root) break;
      requester = original.get(root);
    }
    // A broken or cyclic chain keeps what is there rather than failing the whole take-over.
    if (root && !requester) row.requested_by = root.partition_reference ?? "";
  }
}

function columnsOf(db: Database, table: string): string[] {
  return (db.query(`PRAGMA table_info("${table}")`).all() as Array<{ name: string }>).map((c) => c.name);
}

/** Values our NOT NULL columns take when an old table lacks them or holds NULL. */
function fillDefaults(base: string, row: Row, computerId: string): void {
  const setIfNull = (key: string, value: string) => {
    if (row[key] === null || row[key] === undefined) row[key] = value;
  };
  if (base === "software") {
    setIfNull("computer_reference", computerId);
    setIfNull("requested_state", "available");
  } else if (base === "computer") {
    setIfNull("reference", computerId);
  } else if (base === "partition") {
    setIfNull("computer_reference", computerId);
    setIfNull("requested_by", "");
    setIfNull("requested_state", "started");
    setIfNull("slap_state", "free");
  } else if (base === "slave" || base === "partition_network") {
    setIfNull("computer_reference", computerId);
  }
}

/** Copy the old tables' rows into ours and drop them. Our tables must exist already. */
export function importReference(db: Database, found: ReferenceTables, computerId: string, log: Logger): void {
  log.info("Old schema detected: Migrating old tables...");
  for (const { name, base } of found.tables) {
    const definition = db.query("SELECT sql FROM sqlite_master WHERE name=?").get(name) as { sql: string };
    const order = /WITHOUT\s+ROWID/i.test(definition.sql) ? "" : " ORDER BY rowid";
    let rows = db.query(`SELECT * FROM "${name}"${order}`).all() as Row[];
    let target = base;
    if (base === "local_software_release_root") {
      const paths = new Set(rows.map((r) => r.path));
      rows = paths.size ? [{ name: "local_software_release_root", value: [...paths][0] }] : [];
      target = "config";
    } else if (found.version < 17 && base === "partition") {
      rewriteRequestedBy(rows);
    }
    const columns = new Set(columnsOf(db, target));
    for (const row of rows) {
      fillDefaults(target, row, computerId);
      const keys = Object.keys(row).filter((key) => columns.has(key));
      if (!keys.length) continue;
      const sql = `INSERT OR REPLACE INTO "${target}" (${keys.map((k) => `"${k}"`).join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`;
      db.prepare(sql).run(...(keys.map((k) => row[k]) as Array<string | number | null>));
    }
    db.run(`DROP TABLE "${name}"`);
  }
}
