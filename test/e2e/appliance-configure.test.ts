/**
 * `slapos configure local` in a base folder, through dist/slapos: from
 * nothing to a running node, re-runs that change nothing or only what was
 * asked, refusals that touch nothing (a foreign folder, a taken port, fewer
 * partitions, an edited slapos.cfg), --stop and --status.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, slapos } from "../helpers/binary.ts";
import { freePort } from "../helpers/ports.ts";
import { tempDir } from "../helpers/tmp.ts";
import { alive } from "../../core/node/run/procs.ts";
import { masterPartitions, newNode, statusPids, stopNodesAfterFile, type Node } from "./appliance-helpers.ts";

stopNodesAfterFile();

describe("configure local in a base folder", () => {
  let node: Node;
  let first: Awaited<ReturnType<Node["configure"]>>;
  let pids: Awaited<ReturnType<typeof statusPids>>;

  beforeAll(async () => {
    node = await newNode();
    first = await node.configure();
    pids = await statusPids(node);
  }, 60_000);

  test("from nothing: slapos.cfg written, 10 partitions formatted, master, supervisor and node loop running", () => {
    expect(first.stderr).not.toContain("ERROR");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`slapos node ready: ${node.base} (base folder)`);
    expect(first.stdout).toContain("changed     everything (new node)");
    const cfg = readFileSync(join(node.base, "etc", "slapos.cfg"), "utf8");
    expect(cfg).toContain(`master_url = ${node.url}\n`);
    expect(cfg).toContain("root_check = False\n");
    expect(cfg).toContain("input_definition_file = ");
    expect(readdirSync(join(node.base, "inst")).filter((n) => n.startsWith("slappart")).length).toBe(10);
    expect(pids.code).toBe(0);
    for (const pid of [pids.master, pids.supervisor, pids.loop]) expect(alive(pid ?? -1)).toBe(true);
  }, 60_000);

  test("the master has the partitions; bin/slapos and slapos-client.cfg point at this node", async () => {
    expect((await masterPartitions(node)).length).toBe(10);
    const status = Bun.spawnSync([join(node.base, "bin", "slapos"), "node", "status"]);
    expect(status.stdout.toString()).toMatch(/slapos-node-run +(RUNNING|STARTING)/);
    expect(readFileSync(join(node.base, "etc", "slapos-client.cfg"), "utf8")).toBe(readFileSync(join(node.base, "etc", "slapos.cfg"), "utf8"));
  }, 60_000);

  test("a re-run changes nothing and restarts nothing", async () => {
    const again = await node.configure();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("changed     nothing");
    const now = await statusPids(node);
    expect([now.master, now.supervisor, now.loop]).toEqual([pids.master, pids.supervisor, pids.loop]);
  }, 60_000);

  test("a re-run with more partitions adds them and says so; master and supervisor keep running", async () => {
    const more = await node.configure("--partition-number", "12");
    expect(more.code).toBe(0);
    expect(more.stdout).toContain("partitions: 10 → 12");
    expect(more.stdout).toContain("updated etc/slapos.cfg");
    expect(existsSync(join(node.base, "inst", "slappart11"))).toBe(true);
    expect(await masterPartitions(node)).toContain("slappart11");
    const now = await statusPids(node);
    expect([now.master, now.supervisor]).toEqual([pids.master, pids.supervisor]);
    expect(now.loop).not.toBe(pids.loop); // restarted on its changed slapos.cfg
    pids = now;
  }, 60_000);

  test("fewer partitions are refused, and nothing changes", async () => {
    const before = readFileSync(join(node.base, "etc", "slapos.cfg"), "utf8");
    const fewer = await node.configure("--partition-number", "5");
    expect(fewer.code).toBe(2);
    expect(fewer.stderr).toContain("this node has 12 partitions and partitions are never removed (asked for 5)");
    expect(readFileSync(join(node.base, "etc", "slapos.cfg"), "utf8")).toBe(before);
  }, 60_000);

  test("an edited slapos.cfg is kept on a re-run; a change of settings that would overwrite it is refused", async () => {
    const path = join(node.base, "etc", "slapos.cfg");
    const edited = readFileSync(path, "utf8") + "\n# my own line\n";
    writeFileSync(path, edited);
    const same = await node.configure();
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("changed     nothing");
    const other = await node.configure("--partition-number", "13");
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`${path} was edited since configure local wrote it`);
    expect(readFileSync(path, "utf8")).toBe(edited);
    expect(existsSync(join(node.base, "inst", "slappart12"))).toBe(false);
  }, 60_000);

  test("--stop stops the loop, the supervisor and the master; partitions and data stay; --status exits 3", async () => {
    const stop = await slapos(["configure", "local", "--base", node.base, "--stop"]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`stopped the node loop (pid ${pids.loop}), the supervisor (pid ${pids.supervisor})`);
    for (const pid of [pids.master, pids.supervisor, pids.loop]) expect(alive(pid!)).toBe(false);
    expect(existsSync(join(node.base, "var", "proxy.db"))).toBe(true);
    expect(existsSync(join(node.base, "inst", "slappart11"))).toBe(true);
    const status = await slapos(["configure", "local", "--base", node.base, "--status"]);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain("supervisor  ");
    expect(status.stdout).toContain("not running");
    const again = await slapos(["configure", "local", "--base", node.base, "--stop"]);
    expect(again.stdout).toBe(`nothing of ${node.base} was running\n`);
  }, 60_000);

  test("configure local after --stop starts the node again, with its partitions", async () => {
    const start = await node.configure();
    expect(start.code).toBe(0);
    expect(start.stdout).toContain("started the supervisor, the master and the node loop");
    expect((await statusPids(node)).code).toBe(0);
    expect(await masterPartitions(node)).toContain("slappart11");
  }, 60_000);
});

describe("configure local --enable-shacache-proxy", () => {
  test("the master serves a binary cache and the node downloads from it; a re-run keeps it", async () => {
    const node = await newNode("slapos-shacache-");
    const r = await node.configure("--enable-shacache-proxy");
    expect(r.code).toBe(0);
    const cfg = readFileSync(join(node.base, "etc", "slapos.cfg"), "utf8");
    expect(cfg).toContain(`shacache_content_directory = ${node.base}/var/shacache/data\n`);
    expect(cfg).toContain(`download-binary-cache-url = ${node.url}/shacache/cache\n`);
    // Configured: not 503 "Shacache not configured" (a miss goes upstream, out of reach here).
    expect((await fetch(`${node.url}/shacache/dir/${"0".repeat(64)}`)).status).not.toBe(503);
    const again = await node.configure();
    expect(again.stdout).toContain("changed     nothing");
  }, 60_000);
});

describe("configure local refuses, touching nothing", () => {
  test("a folder that holds something else", async () => {
    const base = tempDir("slapos-foreign-");
    mkdirSync(join(base, "etc"));
    writeFileSync(join(base, "etc", "slapos.cfg"), "[slapos]\nmaster_url = http://elsewhere\n");
    writeFileSync(join(base, "notes.txt"), "mine\n");
    const r = await slapos(["configure", "local", "--base", base, "--daemon-listen-port", String(await freePort())]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${base} is not empty and was not set up by slapos configure local`);
    expect(readdirSync(base).sort()).toEqual(["etc", "notes.txt"]);
    expect(readdirSync(join(base, "etc"))).toEqual(["slapos.cfg"]);
    expect(readFileSync(join(base, "etc", "slapos.cfg"), "utf8")).toBe("[slapos]\nmaster_url = http://elsewhere\n");
  }, 60_000);

  test("a port already taken: the port and the process holding it, and no folder", async () => {
    const holder = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("mine") });
    try {
      const base = join(tempDir("slapos-port-"), "node");
      const r = await slapos(["configure", "local", "--base", base, "--daemon-listen-port", String(holder.port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`port ${holder.port} on 127.0.0.1 is used by bun (pid ${process.pid})`);
      expect(existsSync(base)).toBe(false);
    } finally {
      holder.stop(true);
    }
  }, 60_000);

  test("root-mode options in a base folder", async () => {
    const base = join(tempDir("slapos-options-"), "node");
    const r = await slapos(["configure", "local", "--base", base, "--interface-name", "eth0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--interface-name applies only to root mode");
    expect(existsSync(base)).toBe(false);
  }, 60_000);

  test("--demo with --stop, and a bad --timeout", async () => {
    const base = join(tempDir("slapos-usage-"), "node");
    const both = await slapos(["configure", "local", "--base", base, "--stop", "--demo"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("argument --demo: not allowed with argument --stop");
    const timeout = await slapos(["configure", "local", "--base", base, "--demo", "--timeout", "soon"]);
    expect(timeout.code).toBe(2);
    expect(timeout.stderr).toContain("argument --timeout: invalid value: 'soon'");
    expect(existsSync(base)).toBe(false);
  }, 60_000);

  test("--stop of a folder configure local did not set up", async () => {
    const base = tempDir("slapos-nothing-");
    const r = await slapos(["configure", "local", "--base", base, "--stop"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no node set up by slapos configure local in ${base}`);
  }, 60_000);
});

describe.skipIf(process.getuid?.() !== 0)("as a normal user: everything in the default folder under the home", () => {
  const user = `slapapp${process.pid % 100000}`;
  let home: string;
  let uid: number;
  let port: number;
  let binary: string;
  const asUser = (...args: string[]) => {
    const child = Bun.spawnSync(
      ["setpriv", "--reuid", user, "--regid", user, "--init-groups", "env", "-i", `HOME=${home}`, `PATH=${process.env.PATH}`, binary, ...args],
      { stdout: "pipe", stderr: "pipe" },
    );
    return { code: child.exitCode, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
  };

  beforeAll(async () => {
    home = tempDir("slapos-home-");
    Bun.spawnSync(["useradd", "--no-create-home", "--home-dir", home, "--shell", "/bin/sh", "--user-group", user]);
    uid = Number(Bun.spawnSync(["id", "-u", user]).stdout.toString());
    Bun.spawnSync(["chown", `${user}:${user}`, home]);
    // A copy the user can reach (the checkout may be under a home the user cannot enter, such as /root).
    binary = join(home, "slapos");
    copyFileSync(BINARY, binary);
    chmodSync(binary, 0o755);
    port = await freePort();
  }, 60_000);

  afterAll(() => {
    asUser("configure", "local", "--stop");
    Bun.spawnSync(["userdel", user]);
  });

  test("configure local --demo runs the node and the demo as the user, in ~/.local/share/slapos, with ~/.slapos/slapos-client.cfg", async () => {
    const r = asUser("configure", "local", "--demo", "--daemon-listen-port", String(port));
    expect(r.stderr).not.toContain("ERROR");
    expect(r.code).toBe(0);
    const base = join(home, ".local", "share", "slapos");
    expect(r.stdout).toContain(`slapos node ready: ${base} (base folder)`);
    expect(readlinkSync(join(home, ".slapos", "slapos-client.cfg"))).toBe(join(base, "etc", "slapos.cfg"));
    const supervisor = Number(readFileSync(join(base, "inst", "var", "run", "supervisord.pid"), "utf8"));
    expect(readFileSync(`/proc/${supervisor}/status`, "utf8")).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, "m"));
    expect(statSync(join(base, "inst", "slappart0")).uid).toBe(uid);
    expect(asUser("configure", "local", "--status").code).toBe(0);
    const url = /^ {2}demo {8}(\S+) answers/m.exec(r.stdout)![1];
    expect(await (await fetch(url)).text()).toBe("Hello from hello!\n");
    const service = Number(/^partition {3}slappart0:hello-on-watch RUNNING \(pid (\d+)\)/m.exec(asUser("configure", "local", "--status").stdout)![1]);
    expect(readFileSync(`/proc/${service}/status`, "utf8")).toMatch(new RegExp(`^Uid:\\s+${uid}\\s`, "m"));
  }, 60_000);

  test("--stop as the user stops it", () => {
    const r = asUser("configure", "local", "--stop");
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("stopped the node loop");
  }, 60_000);
});
