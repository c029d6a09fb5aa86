/**
 * Bad input and faults (issue 6): a release that cannot be downloaded, a
 * run killed with SIGKILL and the next one recovering, two runs at once,
 * and a master or a partition user trying to make the node write outside
 * software_root and instance_root (`..`, absolute paths, symlinks).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { softwareHash } from "../../../core/node/paths.ts";
import { BINARY } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { Node, scratchDir, stopNodes, instanceProfile, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-ft-");
const fine = writeRelease(releases, "fine", { instance: instanceProfile({ p: "recipe = plone.recipe.command\ncommand = touch worked" }) });

/** Processes whose working folder is `folder` (the buildout of a partition, its recipes). */
function processesIn(folder: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) === folder) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

function startNode(node: Node, kind: string) {
  return Bun.spawn([BINARY, "node", kind, "--now"], { env: { ...process.env, SLAPOS_CONFIGURATION: node.cfg }, stdout: "pipe", stderr: "pipe" });
}

describe("a release that fails", () => {
  test("a software URL that cannot be downloaded: softwareReleaseError with the log tail, exit 1, the other releases still built", async () => {
    const node = await Node.create({ partitions: 0 });
    const missing = `http://127.0.0.1:${await freePort()}/software.cfg`;
    await node.supply(missing);
    await node.supply(fine);
    const run = await node.node("software");
    expect(run.code).toBe(1);
    const error = run.calls.find((c) => c.path === "softwareReleaseError")!;
    expect(error.fields.url).toBe(missing);
    expect(error.fields.error_log).toStartWith(`Failed to run buildout profile in directory '${join(node.soft, softwareHash(missing))}':\n`);
    expect(error.fields.error_log).toContain(missing);
    expect(run.calls.filter((c) => c.path === "availableSoftwareRelease").map((c) => c.fields.url)).toEqual([fine]);
    expect(existsSync(join(node.soft, softwareHash(missing), ".completed"))).toBe(false);
  });
});

describe("SIGKILL and concurrency", () => {
  const slow = writeRelease(releases, "slow", {
    instance: instanceProfile({
      slow: "recipe = plone.recipe.command\ncommand = test -e killed-once || { touch running; while ! test -e release; do sleep 0.1; done; }\nupdate-command = ${:command}",
    }),
  });

  test("a node instance killed with SIGKILL mid-buildout: its buildout dies with it; the next run takes the stale pidfile over and completes", async () => {
    const node = await Node.create();
    await node.deploy(slow);
    const path = node.partition(0);
    const child = startNode(node, "instance");
    await waitFor(() => existsSync(join(path, "running")), 30, "the buildout to run");
    child.kill("SIGKILL");
    await child.exited;
    // the buildout process itself dies with the node (its recipe's shell may linger: let it go)
    const buildouts = () => processesIn(path).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--no-delegate"));
    await waitFor(() => buildouts().length === 0, 20, "the buildout to die with the node");
    writeFileSync(join(path, "release"), "");
    await waitFor(() => processesIn(path).length === 0, 20, "the killed run's children to end");
    expect(existsSync(join(node.dir, "run", "instance.pid"))).toBe(true);
    writeFileSync(join(path, "killed-once"), "");
    const next = await node.node("instance");
    expect(next.code).toBe(0);
    expect(next.stderr).toContain("was stale");
    expect(Node.paths(next.calls)).toEqual(["getFullComputerInformation", "startedComputerPartition"]);
    expect(existsSync(join(path, ".timestamp"))).toBe(true);
    expect(existsSync(join(node.dir, "run", "instance.pid"))).toBe(false);
  });

  test("§0 two runs at once: the second exits 10 ('already running'); node promise shares the instance pidfile", async () => {
    const node = await Node.create();
    await node.deploy(slow);
    const path = node.partition(0);
    const first = startNode(node, "instance");
    await waitFor(() => existsSync(join(path, "running")), 30, "the first run's buildout");
    const second = await node.node("instance");
    expect(second.code).toBe(10);
    expect(second.stderr).toContain("another slapos process is aleady running with pid");
    expect(second.calls).toEqual([]);
    expect((await node.node("promise")).code).toBe(10);
    // software and report have their own pidfiles
    expect((await node.node("report")).code).toBe(0);
    writeFileSync(join(path, "release"), "");
    expect(await first.exited).toBe(0);
  });
});

describe("nothing is written outside the roots", () => {
  test("partition references from the master with .., an absolute path or a slash are refused; the other partitions are processed", async () => {
    const node = await Node.create({ partitions: 4 });
    await node.supply(fine);
    expect((await node.node("software")).code).toBe(0);
    for (const name of ["a", "b", "c", "d"]) await node.request(name, fine, { state: "stopped" });
    const outside = join(node.dir, "escape");
    node.alterPartition("slappart0", (state) => {
      state._partition_id = "../escape";
    });
    node.alterPartition("slappart1", (state) => {
      state._partition_id = outside;
    });
    node.alterPartition("slappart2", (state) => {
      state._partition_id = "slappart2/../../escape";
    });
    const run = await node.node("instance");
    expect(run.stderr).toContain("refusing partition reference");
    expect(existsSync(outside)).toBe(false);
    expect(readdirSync(node.dir).sort()).toEqual(["certs", "definition.cfg", "inst", "master.db", "master.db-shm", "master.db-wal", "run", "slapos.cfg", "slapos.xml", "soft"].filter((n) => existsSync(join(node.dir, n))).sort());
    expect(run.calls.filter((c) => c.path === "stoppedComputerPartition").map((c) => c.fields.computer_partition_id)).toEqual(["slappart3"]);
  });

  test("a partition folder that is a symlink out of the instance root is refused", async () => {
    const node = await Node.create();
    await node.deploy(fine, "inst", "stopped");
    const outside = join(node.dir, "elsewhere");
    mkdirSync(outside, { mode: 0o750 });
    rmSync(node.partition(0), { recursive: true });
    symlinkSync(outside, node.partition(0));
    const run = await node.node("instance");
    expect(run.stderr).toContain("outside");
    expect(readdirSync(outside)).toEqual([]);
  });

  test("a software URL full of .. lands in software_root/<md5>", async () => {
    const node = await Node.create({ partitions: 0 });
    const url = "../../../../../etc/slapos-test-escape/software.cfg";
    await node.supply(url);
    expect((await node.node("software")).code).toBe(1);
    expect(readdirSync(node.soft)).toEqual([softwareHash(url)]);
    expect(existsSync("/etc/slapos-test-escape")).toBe(false);
  });

  test("symlinks a partition user plants (.timestamp, buildout.cfg, error log, .slapgrid) are replaced, never followed", async () => {
    const node = await Node.create();
    const victim = join(node.dir, "victim");
    const victimFolder = join(node.dir, "victim-folder");
    mkdirSync(victimFolder);
    writeFileSync(victim, "precious");
    const planting = writeRelease(releases, "planting", {
      instance: instanceProfile({
        plant: `recipe = plone.recipe.command\ncommand = ln -sf ${victim} .timestamp && ln -sf ${victim} .slapgrid-slappart0-error.log && ln -sf ${victim} .slapos-retention-lock-delay\nupdate-command = \${:command}`,
      }),
    });
    await node.deploy(planting, "inst", "stopped");
    const path = node.partition(0);
    symlinkSync(victim, join(path, "buildout.cfg"));
    expect((await node.node("instance")).code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    // the partition log's folder planted as a symlink: the run refuses it, nothing lands there
    rmSync(join(path, ".slapgrid"), { recursive: true });
    symlinkSync(victimFolder, join(path, ".slapgrid"));
    await node.request("inst", planting, { state: "started" });
    const refused = await node.node("instance");
    expect(refused.code).toBe(1);
    expect(readdirSync(victimFolder)).toEqual([]);
    expect(readFileSync(victim, "utf8")).toBe("precious");
  });

  test("a software user's symlink in its folder (.completed, .netrc, buildout.cfg) is replaced, never followed", async () => {
    const node = await Node.create({ partitions: 0 });
    const victim = join(node.dir, "victim");
    writeFileSync(victim, "precious");
    const planting = writeRelease(releases, "software-planting", {
      parts: { plant: `recipe = plone.recipe.command\ncommand = ln -sf ${victim} .completed && ln -sf ${victim} .netrc` },
    });
    await node.supply(planting);
    expect((await node.node("software")).code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(readFileSync(join(node.softwarePath(planting), ".completed"), "utf8")).not.toBe("precious");
  });
});
