/**
 * `slapos node collect` through the compiled binary (build it first with
 * installer/build): the root check, a root node with partition users, a
 * non-root node, configuration errors.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, slapos } from "../../helpers/binary.ts";
import { isRoot, makeNode, makeUser, startProcess, until, cleanUp } from "./helpers.ts";
import { readProcess } from "../../../plugins/tio/proc/process.ts";

afterAll(cleanUp);

function dbRows(instanceRoot: string, sql: string): Array<Record<string, unknown>> {
  const db = new Database(join(instanceRoot, "var", "data-log", "collector.db"), { readonly: true });
  try {
    return db.query(sql).all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** Run the binary as another user (setpriv: no shell, no login). */
function asUser(user: { uid: number; gid: number }, args: string[]) {
  const run = Bun.spawnSync(["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups", BINARY, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: "/nonexistent" },
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: run.exitCode, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

describe("the command", () => {
  test("is listed in the help of node commands", async () => {
    const result = await slapos(["help"]);
    expect(result.stdout + result.stderr).toContain("node collect");
  });

  test("a missing partition_amount is a one-line configuration error, exit 1, nothing written", async () => {
    const node = makeNode({ partitions: 1 });
    writeFileSync(node.cfgPath, readFileSync(node.cfgPath, "utf8").replace(/partition_amount = .*\n/, ""));
    const result = await slapos(["node", "collect", "--cfg", node.cfgPath]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("partition_amount");
    expect(existsSync(join(node.instanceRoot, "var"))).toBe(false);
  });

  test("a bad collect_cache is refused by name", async () => {
    const node = makeNode({ partitions: 1 });
    writeFileSync(node.cfgPath, readFileSync(node.cfgPath, "utf8").replace("[slapos]\n", "[slapos]\ncollect_cache = two\n"));
    const result = await slapos(["node", "collect", "--cfg", node.cfgPath]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("collect_cache");
  });
});

describe.skipIf(!isRoot)("as root, a node with partition users", () => {
  const node = makeNode({ partitions: 2, withUsers: true });
  const busy = startProcess("while :; do :; done", node.partitions[0], node.ids[0]);
  const ready = until(() => readProcess(busy.pid!)?.uid === node.ids[0]!.uid, "the busy loop");

  test("stores the partition's processes, the computer and the system, and writes the reports", async () => {
    await ready;
    const result = await slapos(["node", "collect", "--cfg", node.cfgPath]);
    expect(result.stderr).toContain("Finished collecting.");
    expect(result.code).toBe(0);
    const rows = dbRows(node.instanceRoot, "SELECT partition, pid, cpu_percent FROM user");
    expect(rows.find((r) => r.pid === busy.pid)).toMatchObject({ partition: node.userNames[0] });
    expect(dbRows(node.instanceRoot, "SELECT count(*) AS n FROM system")).toEqual([{ n: 1 }]);
    expect(dbRows(node.instanceRoot, "SELECT count(*) AS n FROM computer")).toEqual([{ n: 1 }]);
    const dataLog = join(node.instanceRoot, "var", "data-log");
    expect(statSync(dataLog).mode & 0o7777).toBe(0o755);
    expect(readdirSync(dataLog)).toContain("system_cpu_percent.csv");
    const queued = readdirSync(join(node.instanceRoot, "var", "xml_report", "COMP-TIO"));
    expect(queued.length).toBe(2);
    expect(queued.every((name) => /^\d{4}-\d\d-\d\d\.xml$/.test(name))).toBe(true);
  });

  test("a second run accounts the busy loop over the time since the first", async () => {
    await ready;
    await slapos(["node", "collect", "--cfg", node.cfgPath]);
    await Bun.sleep(300);
    const result = await slapos(["node", "collect", "--cfg", node.cfgPath]);
    expect(result.code).toBe(0);
    const last = dbRows(node.instanceRoot, `SELECT cpu_percent FROM user WHERE pid = ${busy.pid} ORDER BY rowid DESC LIMIT 1`);
    expect(last[0].cpu_percent as number).toBeGreaterThan(20);
  });

  test("root_check = True and a normal user: exit 5, 'This slapos command must be run as root.'", () => {
    const user = makeUser("tiorc");
    const node = makeNode({ partitions: 1 });
    writeFileSync(node.cfgPath, readFileSync(node.cfgPath, "utf8").replace("root_check = False", "root_check = True"));
    chmodSync(node.cfgPath, 0o644);
    const result = asUser(user, ["node", "collect", "--cfg", node.cfgPath]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("This slapos command must be run as root.");
  });
});

describe.skipIf(!isRoot)("a non-root node (root_check = False), run by its user", () => {
  const owner = makeUser("tionr");
  const node = makeNode({ partitions: 2, folderOwner: owner });
  chmodSync(node.cfgPath, 0o644);
  const worker = startProcess("exec sleep 300", node.partitions[1], owner);
  const ready = until(() => readProcess(worker.pid!)?.uid === owner.uid, "the partition process");

  test("collects, accounting processes by partition folder; its files belong to that user", async () => {
    await ready;
    const result = asUser(owner, ["node", "collect", "--cfg", node.cfgPath]);
    expect(result.stderr).toContain("Finished collecting.");
    expect(result.code).toBe(0);
    const rows = dbRows(node.instanceRoot, "SELECT partition, pid FROM user");
    expect(rows.find((r) => r.pid === worker.pid)).toEqual({ partition: node.userNames[1], pid: worker.pid! });
    expect(statSync(join(node.instanceRoot, "var", "data-log", "collector.db")).uid).toBe(owner.uid);
  });
});
