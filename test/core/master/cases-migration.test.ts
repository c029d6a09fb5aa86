/**
 * slap-protocol-cases.md C53, and our own schema versioning: a slapproxy
 * database of the reference (schema 10 to 17, written here with SQL as
 * §4.1 and the reference's dumps describe it) is taken over; a database
 * from a newer slapos is refused.
 */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_VERSION } from "../../../core/master/db/schema.ts";
import { startMaster } from "../../../core/master/index.ts";
import { Logger, type LevelName } from "../../../core/log/logger.ts";
import { SlapError } from "../../../core/errors.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { full, params, testMaster, type TestMaster } from "./helpers.ts";

class RecordingLogger extends Logger {
  lines: string[] = [];
  override log(level: LevelName, message: string): void {
    this.lines.push(`${level} ${message}`);
  }
}

const XML_EMPTY = "<?xml version='1.0' encoding='utf-8'?>\n<instance/>\n";
const XML_URL = (url: string) => `<?xml version='1.0' encoding='utf-8'?>\n<instance>\n  <parameter id="url">${url}</parameter>\n</instance>\n`;

/** A webrunner-like slapproxy database at version `v` (16 or 10 layouts). */
function writeReferenceDatabase(path: string, v: number): void {
  const db = new Database(path, { create: true });
  const computer = v >= 11 ? "computer_reference VARCHAR(255) DEFAULT 'computer'," : "";
  db.run(`CREATE TABLE software${v} (url VARCHAR(255)${v >= 11 ? ", computer_reference VARCHAR(255) DEFAULT 'computer', requested_state VARCHAR(255) DEFAULT 'available', CONSTRAINT uniq PRIMARY KEY (url, computer_reference)" : " UNIQUE"})`);
  db.run(v >= 11 ? `CREATE TABLE computer${v} (reference VARCHAR(255) DEFAULT 'computer', address VARCHAR(255), netmask VARCHAR(255), CONSTRAINT uniq PRIMARY KEY (reference))` : `CREATE TABLE computer${v} (address VARCHAR(255), netmask VARCHAR(255), CONSTRAINT uniq PRIMARY KEY (address, netmask))`);
  db.run(`CREATE TABLE partition${v} (reference VARCHAR(255), ${computer} slap_state VARCHAR(255) DEFAULT 'free', software_release VARCHAR(255), xml TEXT, connection_xml TEXT, slave_instance_list TEXT, software_type VARCHAR(255), partition_reference VARCHAR(255), requested_by VARCHAR(255), requested_state VARCHAR(255) NOT NULL DEFAULT 'started'${v >= 15 ? ", timestamp REAL" : ""})`);
  db.run(`CREATE TABLE slave${v} (reference VARCHAR(255), ${computer} connection_xml TEXT, hosted_by VARCHAR(255), asked_by VARCHAR(255))`);
  db.run(`CREATE TABLE partition_network${v} (partition_reference VARCHAR(255), ${computer} reference VARCHAR(255), address VARCHAR(255), netmask VARCHAR(255))`);
  if (v >= 11) db.run(`CREATE TABLE forwarded_partition_request${v} (partition_reference VARCHAR(255), master_url VARCHAR(255))`);
  if (v >= 17) {
    db.run(`CREATE TABLE config${v} (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID`);
    db.run(`INSERT INTO config${v} VALUES ('local_software_release_root', '/')`);
  } else if (v >= 15) {
    db.run(`CREATE TABLE local_software_release_root${v} (path VARCHAR(255))`);
    db.run(`INSERT INTO local_software_release_root${v} VALUES ('/'), ('/')`);
  }
  const sr = "/srv/slapgrid//srv//runner/project//slapos/software.cfg";
  db.query(`INSERT INTO software${v} (url) VALUES (?)`).run(sr);
  db.run(`INSERT INTO computer${v} (address, netmask) VALUES ('127.0.0.1', '255.255.255.255')`);
  const insert = db.prepare(
    `INSERT INTO partition${v} (reference, slap_state, software_release, xml, connection_xml, software_type, partition_reference, requested_by, requested_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'started')`,
  );
  insert.run("slappart0", "busy", sr, XML_EMPTY, null, "production", "slapos", null);
  insert.run("slappart1", "busy", sr, XML_EMPTY, XML_URL("mysql://127.0.0.1:45678/erp5"), "mariadb", "MariaDB DataBase", "slappart0");
  insert.run("slappart2", "busy", sr, XML_EMPTY, XML_URL("cloudooo://127.0.0.1:23000/"), "cloudooo", "Cloudooo", "slappart1");
  for (let i = 3; i < 5; i++) insert.run(`slappart${i}`, "free", null, null, null, null, null, null);
  db.run(`INSERT INTO partition_network${v} (partition_reference, reference, address, netmask) VALUES ('slappart0', 'slappart0', 'fc00::1', 'ffff::')`);
  if (v >= 11) db.run(`INSERT INTO forwarded_partition_request${v} VALUES ('slappart0_x', 'http://m'), ('slappart0_x', 'http://m')`);
  db.close();
}

let master: TestMaster | undefined;
afterEach(async () => {
  await master?.stop();
  master = undefined;
});

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe("C53 and schema versioning", () => {
  for (const v of [10, 11, 14, 15, 16, 17]) {
    test(`C53: a slapproxy database of schema ${v} is taken over, with a backup`, async () => {
      const dir = tempDir();
      const path = join(dir, "proxy.db");
      writeReferenceDatabase(path, v);
      const log = new RecordingLogger();
      master = await testMaster({ databaseUri: path }, { log });
      expect(log.lines.some((l) => l.startsWith("INFO Old schema detected: Creating a backup of current tables at "))).toBe(true);
      expect(log.lines).toContain("INFO Old schema detected: Migrating old tables...");
      const backup = readdirSync(dir).find((name) => name.startsWith(`proxy.db-backup-${v}to-slapos`));
      expect(backup).toBeDefined();
      const dump = readFileSync(join(dir, backup!), "utf8");
      expect(dump).toContain("CREATE TABLE");
      expect(dump).toContain("INSERT INTO");
      expect(tables(path)).toEqual([
        "computer",
        "computer_registration",
        "computer_token",
        "config",
        "forwarded_partition_request",
        "partition",
        "partition_network",
        "schema_version",
        "slave",
        "software",
      ]);
      const partitions = (await full(master)).getComputerPartitionList();
      expect(params(partitions[0].raw).slap_software_type).toBe("production");
      expect(partitions.map((p) => (p.raw.state._parameter_dict ? params(p.raw).root_instance_title : null))).toEqual(
        v < 17 ? ["slapos", "slapos", "slapos", null, null] : ["slapos", "slappart0", "slappart1", null, null],
      );
      const db = new Database(path, { readonly: true });
      expect(db.query("SELECT COUNT(*) AS n FROM partition WHERE slap_state='free' AND requested_by=''").get()).toEqual({ n: 2 });
      expect(db.query("SELECT COUNT(*) AS n FROM forwarded_partition_request").get()).toEqual({ n: v >= 11 ? 1 : 0 });
      expect(db.query("SELECT address FROM computer").all()).toEqual([{ address: "127.0.0.1" }]);
      db.close();
    });
  }

  test("a database whose schema is newer than this slapos is refused with a clear message", async () => {
    const path = join(tempDir(), "proxy.db");
    master = await testMaster({ databaseUri: path });
    await master.stop();
    master = undefined;
    const db = new Database(path);
    db.query("INSERT INTO schema_version (version, summary, applied) VALUES (?, 'future', 0)").run(SCHEMA_VERSION + 1);
    db.close();
    const error = await startMaster({ settings: { computerId: "computer", databaseUri: path, port: 0 }, log: new RecordingLogger() }).catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect((error as SlapError).message).toContain(`schema version ${SCHEMA_VERSION + 1}, written by a newer slapos`);
  });

  test("our schema records every migration, and reopening changes nothing", async () => {
    const path = join(tempDir(), "proxy.db");
    master = await testMaster({ databaseUri: path });
    await master.stop();
    master = await testMaster({ databaseUri: path });
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT version FROM schema_version ORDER BY version").values().flat()).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  test("a slapproxy database of an unknown schema version is refused", async () => {
    const path = join(tempDir(), "proxy.db");
    const db = new Database(path, { create: true });
    db.run("CREATE TABLE partition9 (reference TEXT)");
    db.close();
    const error = await startMaster({ settings: { computerId: "computer", databaseUri: path, port: 0 }, log: new RecordingLogger() }).catch((e) => e);
    expect((error as SlapError).message).toContain("schema version 9");
  });
});
