/**
 * Open (or create) the master's database: WAL mode, then — in one
 * transaction — take over a slapproxy database if that is what the file
 * holds, apply our forward migrations, and rebase local software release
 * paths. Nothing of this is left half done: it commits whole or not at all.
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import type { Logger } from "../../log/logger.ts";
import { backupReference, findReferenceTables, importReference } from "./import-reference.ts";
import { rebaseLocalSoftwareReleaseRoot } from "./rebase.ts";
import { currentVersion, migrate } from "./schema.ts";

export interface OpenOptions {
  /** The configured default computer; fills the computer of pre-multi-node rows. */
  computerId: string;
  localSoftwareReleaseRoot?: string;
  log: Logger;
}

export function openMasterDatabase(path: string, options: OpenOptions): Database {
  if (path !== ":memory:") {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch {
      // Opening reports the real problem below.
    }
  }
  let db: Database;
  try {
    db = new Database(path, { create: true, strict: false });
  } catch (cause) {
    throw new SlapError("config", `cannot open database ${path}: ${messageOf(cause)}`, { cause });
  }
  try {
    db.run("PRAGMA busy_timeout = 10000");
    if (path !== ":memory:") db.run("PRAGMA journal_mode = WAL");
    db.run("PRAGMA synchronous = NORMAL");
    const reference = currentVersion(db) === 0 ? findReferenceTables(db) : undefined;
    if (reference) backupReference(db, path, reference.version, options.log);
    db.run("BEGIN IMMEDIATE");
    try {
      migrate(db, path);
      if (reference) importReference(db, reference, options.computerId, options.log);
      rebaseLocalSoftwareReleaseRoot(db, path, options.localSoftwareReleaseRoot, options.log);
      db.run("COMMIT");
    } catch (error) {
      db.run("ROLLBACK");
      throw error;
    }
  } catch (error) {
    db.close();
    if (error instanceof SlapError) throw error;
    throw new SlapError("config", `cannot prepare database ${path}: ${messageOf(error)}`, { cause: error });
  }
  return db;
}
