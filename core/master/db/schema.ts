/**
 * The master's own SQLite schema and its forward migrations.
 *
 * Tables keep the reference's names and columns (slap-protocol.md §4.1)
 * without the version suffix, because some of them travel on the wire as
 * they are (the hateoas search answers raw rows). `schema_version` records
 * every migration applied; a database whose version is newer than this
 * binary knows is refused rather than guessed at.
 */
import type { Database } from "bun:sqlite";
import { SlapError } from "../../errors.ts";

/** One forward step: `sql` runs inside the opening transaction. */
export interface Migration {
  version: number;
  summary: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    summary: "slapproxy 17 tables without suffix, with indexes",
    sql: `
CREATE TABLE config (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE software (
  url TEXT NOT NULL,
  computer_reference TEXT NOT NULL,
  requested_state TEXT NOT NULL DEFAULT 'available',
  PRIMARY KEY (url, computer_reference)
);
CREATE INDEX software_by_computer ON software (computer_reference);
CREATE TABLE computer (
  reference TEXT PRIMARY KEY,
  address TEXT,
  netmask TEXT
);
CREATE TABLE partition (
  reference TEXT NOT NULL,
  computer_reference TEXT NOT NULL,
  slap_state TEXT DEFAULT 'free',
  software_release TEXT,
  xml TEXT,
  connection_xml TEXT,
  slave_instance_list TEXT,
  software_type TEXT,
  partition_reference TEXT,
  requested_by TEXT NOT NULL DEFAULT '',
  requested_state TEXT NOT NULL DEFAULT 'started',
  timestamp REAL,
  PRIMARY KEY (reference, computer_reference)
);
CREATE INDEX partition_by_computer ON partition (computer_reference);
CREATE INDEX partition_by_instance ON partition (partition_reference, requested_by);
CREATE INDEX partition_by_requester ON partition (requested_by);
CREATE TABLE slave (
  reference TEXT,
  computer_reference TEXT,
  connection_xml TEXT,
  hosted_by TEXT,
  asked_by TEXT
);
CREATE INDEX slave_by_reference ON slave (reference, computer_reference);
CREATE TABLE partition_network (
  partition_reference TEXT,
  computer_reference TEXT,
  reference TEXT,
  address TEXT,
  netmask TEXT
);
CREATE INDEX network_by_partition ON partition_network (partition_reference, computer_reference);
CREATE INDEX network_by_computer ON partition_network (computer_reference);
CREATE TABLE forwarded_partition_request (
  partition_reference TEXT,
  master_url TEXT,
  PRIMARY KEY (partition_reference, master_url)
);
`,
  },
  {
    version: 2,
    summary: "registration tokens and registered computers (node register)",
    sql: `
CREATE TABLE computer_token (
  token TEXT PRIMARY KEY,
  created REAL NOT NULL,
  used_by TEXT
) WITHOUT ROWID;
CREATE TABLE computer_registration (
  reference TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  serial TEXT NOT NULL,
  created REAL NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    summary: "index of addresses by partition name alone, in rowid order",
    sql: `
CREATE INDEX network_by_name ON partition_network (partition_reference);
CREATE INDEX partition_free ON partition (computer_reference, slap_state);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version INTEGER PRIMARY KEY,
  summary TEXT NOT NULL,
  applied REAL NOT NULL
)`;

/** The schema version recorded in the database, 0 when it has none. */
export function currentVersion(db: Database): number {
  const exists = db.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").get();
  if (!exists) return 0;
  const row = db.query("SELECT MAX(version) AS v FROM schema_version").get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Bring the schema up to SCHEMA_VERSION. Runs inside the caller's
 * transaction. A database from a newer slapos is refused with a message
 * that says what to do.
 */
export function migrate(db: Database, path: string): { from: number; to: number } {
  const from = currentVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new SlapError(
      "config",
      `database ${path} has schema version ${from}, written by a newer slapos; this slapos knows up to version ${SCHEMA_VERSION}: upgrade slapos, or point database_uri at another file`,
    );
  }
  db.run(VERSION_TABLE);
  const insert = db.prepare("INSERT INTO schema_version (version, summary, applied) VALUES (?, ?, ?)");
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    db.run(migration.sql);
    insert.run(migration.version, migration.summary, Date.now() / 1000);
  }
  return { from, to: SCHEMA_VERSION };
}
