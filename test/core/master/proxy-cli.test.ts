/** `slapos proxy start|show|token` through the compiled binary (format-collect-cli.md §6.6). */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dumps } from "../../../core/slap/marshal/index.ts";
import { slapos, startSlapos } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { formatDocument, requestFields } from "./fixtures.ts";
import { rawPost } from "./helpers.ts";

const dir = tempDir("slapos-proxy-cli-");
const database = join(dir, "proxy.db");
let url = "";
let child: ReturnType<typeof startSlapos>;

beforeAll(async () => {
  const port = await freePort();
  // [slapproxy] comes first, so its port wins over [slapos]'s; the command line wins over both.
  writeFileSync(
    join(dir, "slapos.cfg"),
    `[slapproxy]\nport = 1\nhost = 127.0.0.1\ndatabase_uri = ${database}\nsoftware_product_list =\n  erp5 http://sr/erp5.cfg\n[slapos]\ncomputer_id = COMP-CLI\nport = 2\n`,
  );
  child = startSlapos(["proxy", "start", "--cfg", join(dir, "slapos.cfg"), "--port", String(port)]);
  url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/getRunId`)).ok, 30, "proxy start");
  const master = { url };
  await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument(["slappart0", "slappart1"], "COMP-CLI"))]]);
  await rawPost(master, "/supplySupply", [["url", "/srv/slapgrid/slappart8/srv/runner/project/slapos/software/erp5/software.cfg"], ["computer_id", "COMP-CLI"], ["state", "available"]]);
  await rawPost(master, "/requestComputerPartition", requestFields({ sr: "http://sr//", name: "MyInstance", type: "slaprunner" }));
  await rawPost(master, "/setComputerPartitionConnectionXml", [
    ["computer_id", "COMP-CLI"],
    ["computer_partition_id", "slappart0"],
    ["connection_xml", dumps({ _: '{"b": 1, "a": [1, 2]}', "ssh-key": "0123456789012345678901234567890123456789XYZ", url: "http://x" })],
  ]);
});
afterAll(async () => {
  child.kill("SIGTERM");
  await child.exited;
});

describe("slapos proxy start", () => {
  test("serves with the merged settings: CLI port, [slapos] computer_id, software products", async () => {
    const product = await fetch(`${url}/getSoftwareReleaseListFromSoftwareProduct?software_product_reference=erp5`);
    expect(await product.text()).toBe('<marshal><list id="i2"><string>http://sr/erp5.cfg</string></list></marshal>');
    const computer = await fetch(`${url}/getFullComputerInformation?computer_id=COMP-CLI`);
    expect(computer.status).toBe(200);
  });

  test("a missing database_uri is the reference's error", async () => {
    const cfg = join(dir, "empty.cfg");
    writeFileSync(cfg, "[slapos]\ncomputer_id = c\n");
    const result = await slapos(["proxy", "start", "--cfg", cfg]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("database-uri is required.");
  });

  test("SIGTERM stops the master cleanly", async () => {
    const port = await freePort();
    const cfg = join(dir, "other.cfg");
    writeFileSync(cfg, `[slapos]\ncomputer_id = c\n[slapproxy]\nport = ${port}\ndatabase_uri = ${join(dir, "other.db")}\n`);
    const other = startSlapos(["proxy", "start", "--cfg", cfg]);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/getRunId`)).ok, 30, "second master");
    other.kill("SIGTERM");
    expect(await other.exited).toBe(0);
  });
});

describe("slapos proxy show", () => {
  test("prints the reference's tables, with the software row as prettytable centres it", async () => {
    const result = await slapos(["proxy", "show", "--cfg", join(dir, "slapos.cfg"), "--software"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("table software17");
    // prettytable centring: "COMP-CLI" in the 18 columns of computer_reference, "available" in the 15 of requested_state.
    expect(lines[4]).toBe(
      ` /srv/slapgrid/slappart8/srv/runner/project/slapos/software/erp5/software.cfg ${"     COMP-CLI     "} ${"   available   "} 287375f0cba269902ba1bc50242839d7 `,
    );
    expect(lines[1]).toMatch(/^-+$/);
    expect(lines[1].length).toBe(lines[2].length);
  });

  test("every section, separated by a line holding one space, parameters with _ re-indented and ssh keys shortened", async () => {
    const result = await slapos(["proxy", "show", "--cfg", join(dir, "slapos.cfg")]);
    const text = result.stdout;
    expect(text).toContain("table computer17\n");
    expect(text).toContain("table partition17: skipping xml, connection_xml, slave_instance_list\n");
    expect(text).toContain("table slave17: empty\n");
    expect(text).toContain("\n \n");
    expect(text).toContain('slappart0: MyInstance (type slaprunner)\n    _ = {\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n');
    expect(text).toContain("    ssh-key = 01234567890123456789...0123456789XYZ".replace("0123456789XYZ", "234567890123456789XYZ".slice(-20)));
    expect(text).toContain("slappart0: 1.2.3.4, 4.3.2.1\n");
  });

  test("--json gives the same data", async () => {
    const result = await slapos(["proxy", "show", "--cfg", join(dir, "slapos.cfg"), "--json", "--partitions", "--network"]);
    const data = JSON.parse(result.stdout);
    expect(Object.keys(data)).toEqual(["partitions", "network"]);
    expect(data.partitions[0]).toMatchObject({ reference: "slappart0", partition_reference: "MyInstance", slap_state: "busy" });
    expect(data.network).toEqual({ slappart0: ["1.2.3.4", "4.3.2.1"] });
  });

  test("a missing database is a one-line error", async () => {
    const result = await slapos(["proxy", "show", "-u", join(dir, "nope.db")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no master database at");
  });
});

describe("slapos proxy token", () => {
  test("prints a new token and stores it unused", async () => {
    const result = await slapos(["proxy", "token", "--cfg", join(dir, "slapos.cfg")]);
    expect(result.code).toBe(0);
    const token = /^Computer token: (\S+)\n$/.exec(result.stdout)?.[1];
    expect(token).toBeDefined();
    const db = new Database(database, { readonly: true });
    expect(db.query("SELECT used_by FROM computer_token WHERE token=?").get(token!)).toEqual({ used_by: null });
    db.close();
  });
});

describe("local software release root rebase (slap-protocol.md §4.3)", () => {
  test("local paths under the old root move under the new one; URLs and outside paths stay", async () => {
    const base = tempDir("slapos-rebase-");
    for (const d of ["old/sr", "new/sr"]) mkdirSync(join(base, d), { recursive: true });
    writeFileSync(join(base, "new/sr/software.cfg"), "");
    const db = join(base, "proxy.db");
    const cfg = join(base, "slapos.cfg");
    const port = await freePort();
    const write = (root: string) =>
      writeFileSync(cfg, `[slapos]\ncomputer_id = c\n[slapproxy]\nport = ${port}\ndatabase_uri = ${db}\nlocal_software_release_root = ${root}\n`);
    write(join(base, "old"));
    let proc = startSlapos(["proxy", "start", "--cfg", cfg]);
    const m = { url: `http://127.0.0.1:${port}` };
    await waitFor(async () => (await fetch(`${m.url}/getRunId`)).ok, 30, "master");
    for (const sr of [join(base, "old/sr/software.cfg"), "http://host/sr.cfg", "/elsewhere/sr.cfg"]) {
      await rawPost(m, "/supplySupply", [["url", sr], ["computer_id", "c"], ["state", "available"]]);
    }
    proc.kill("SIGTERM");
    await proc.exited;
    write(join(base, "new"));
    proc = startSlapos(["proxy", "start", "--cfg", cfg]);
    await waitFor(async () => (await fetch(`${m.url}/getRunId`)).ok, 30, "master");
    proc.kill("SIGTERM");
    await proc.exited;
    const check = new Database(db, { readonly: true });
    expect(check.query("SELECT url FROM software ORDER BY rowid").values().flat().sort()).toEqual(
      ["/elsewhere/sr.cfg", "http://host/sr.cfg", join(base, "new/sr/software.cfg")].sort(),
    );
    expect(check.query("SELECT value FROM config WHERE name='local_software_release_root'").get()).toEqual({ value: join(base, "new") });
    check.close();
  });
});
