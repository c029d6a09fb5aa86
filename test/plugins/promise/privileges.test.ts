/**
 * As root, promises run as the owner of the partition folder (a test user
 * made for this file and removed after it), never as root.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { chownSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginHost } from "../../../core/hooks/loader.ts";
import { check, isRoot, openTempDir, promiseHost, softwareRelease, TestPartition, testUser } from "./helpers.ts";

let host: PluginHost;
beforeAll(async () => {
  host = await promiseHost();
});

describe.skipIf(!isRoot)("running as root", () => {
  test("a legacy promise runs as the partition owner, with that user's groups only", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("whoami", 'echo "$(id -u) $(id -g) $(id -G)"');
    const report = await check(host, p);
    expect(report.results[0].message).toBe(`${testUser!.uid} ${testUser!.gid} ${testUser!.gid}`);
  });

  test("an owner without a passwd entry runs with no supplementary groups and the partition as HOME", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("whoami", 'echo "$(id -u) $(id -G) $HOME"');
    const uid = 54000 + (process.pid % 1000);
    const { execFileSync } = await import("node:child_process");
    execFileSync("chown", ["-R", `${uid}:${uid}`, p.path]);
    const report = await check(host, p);
    expect(report.results[0].message).toBe(`${uid} ${uid} ${p.path}`);
  });

  test("a python plugin runs as the partition owner", async () => {
    const root = openTempDir();
    const sr = softwareRelease(root);
    const p = new TestPartition(root);
    p.linkSoftware(sr);
    p.plugin("whoami.py", sr.lib, ["import os", 'self.logger.info("%s %s", os.getuid(), os.getgid())']);
    const report = await check(host, p);
    expect(report.results[0].message).toBe(`${testUser!.uid} ${testUser!.gid}`);
  });

  test("the state files the node writes belong to the partition owner", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("check", "exit 0");
    p.declare("port", { kind: "port-listening", host: "127.0.0.1", port: 1 });
    await check(host, p);
    for (const folder of ["result", "cache", "log"]) {
      const path = p.state(folder);
      expect(statSync(path).uid).toBe(testUser!.uid);
      for (const name of readdirSync(path)) expect(statSync(join(path, name)).uid).toBe(testUser!.uid);
    }
  });

  test("a partition owned by root runs its promises as root (a base-folder node set up by root; the reference refuses)", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("check", "echo $(id -u) $(id -g)");
    chownSync(p.path, 0, 0);
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: false, message: "0 0" });
  });

  test("a partition whose group is root's is refused, as the reference refuses to drop privileges to gid 0", async () => {
    const p = new TestPartition(openTempDir());
    const ran = join(p.path, "ran");
    p.legacy("check", `touch "${ran}"`);
    chownSync(p.path, testUser!.uid, 0);
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: true, message: `Error: Dropping privileges to uid = ${testUser!.uid} or gid = 0 is too dangerous` });
    expect(() => statSync(ran)).toThrow();
  });

  test("a url check does not read a key file the partition user could not read", async () => {
    const p = new TestPartition(openTempDir());
    const secret = join(openTempDir(), "root-only.key");
    writeFileSync(secret, "not for partitions", { mode: 0o600 });
    p.declare("site", { kind: "url", url: "https://127.0.0.1:1/", "cert-file": secret, "key-file": secret });
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: true, message: `ERROR: cannot read ${secret}` });
    expect(readFileSync(secret, "utf8")).toBe("not for partitions");
  });
});
