/**
 * `configure local --demo` through dist/slapos: the demo answers, with
 * progress on the way; a re-run redeploys nothing; kill -9 of the master,
 * of the node loop and of the supervisor is each recovered without losing
 * or redeploying the partition (its service keeps its pid, its .timestamp
 * is unchanged, the URL keeps answering; the new supervisor adopts the
 * master, the service and the loop, and shows them RUNNING); --stop stops the demo too,
 * adopted or not.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { alive } from "../../core/node/run/procs.ts";
import { slapos } from "../helpers/binary.ts";
import { answers, demoServicePid, demoUrl, newNode, statusPids, stopNodesAfterFile, timestampOf, waitFor, type Node } from "./appliance-helpers.ts";

stopNodesAfterFile();

describe("configure local --demo, and kill -9 of each service", () => {
  let node: Node;
  let first: Awaited<ReturnType<Node["configure"]>>;
  let url: string;
  let service: number;
  let timestamp: string;
  let mtime: number;

  const unchangedPartition = async () => {
    expect(await answers(url)).toBe(true);
    expect(demoServicePid(node)).toBe(service);
    expect(timestampOf(node)).toBe(timestamp);
    expect(statSync(join(node.base, "inst", "slappart0", ".timestamp")).mtimeMs).toBe(mtime);
  };

  /** Ask the node loop for an instance run and wait until it has run (so an unwanted redeployment would have happened). */
  const instanceRunAfter = async (marker: number) => {
    const pidfile = join(node.base, "var", "run", "slapos-node-run.pid");
    let loop = 0;
    await waitFor(async () => {
      loop = (await statusPids(node)).loop ?? 0;
      return loop > 0 && readFileSync(pidfile, "utf8") === String(loop);
    }, 60, "the node loop's pidfile");
    process.kill(loop, "SIGUSR1");
    await waitFor(() => {
      const log = readFileSync(join(node.base, "var", "log", "slapos-node-run.log"), "utf8");
      return log.slice(marker).includes("node instance: done");
    }, 90, "an instance run");
  };
  const logSize = () => statSync(join(node.base, "var", "log", "slapos-node-run.log")).size;

  beforeAll(async () => {
    node = await newNode("slapos-demo-");
    first = await node.configure("--demo");
  }, 300_000);

  test("the demo's URL answers once configure local returns", async () => {
    expect(first.stderr).not.toContain("ERROR");
    expect(first.code).toBe(0);
    url = demoUrl(first.stdout);
    expect(await (await fetch(url)).text()).toBe("Hello from hello!\n");
    service = demoServicePid(node)!;
    expect(alive(service)).toBe(true);
    timestamp = timestampOf(node);
    mtime = statSync(join(node.base, "inst", "slappart0", ".timestamp")).mtimeMs;
  }, 60_000);

  test("progress is shown on the way: supplied, requested, built, deployed, waiting for the URL", () => {
    const lines = first.stderr.split("\n").filter((l) => l.includes("demo: ")).map((l) => l.replace(/^.*demo: /, ""));
    expect(lines[0]).toBe(`supplied ${node.base}/demo/hello/software.cfg`);
    expect(lines[1]).toBe("requested instance 'hello'");
    expect(lines).toContain("software release built");
    expect(lines).toContain("instance deployed in slappart0");
    expect(lines.at(-1)).toBe(`waiting for ${url} to answer`);
  }, 60_000);

  test("a re-run of --demo changes nothing and redeploys nothing", async () => {
    const marker = logSize();
    const again = await node.configure("--demo");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("changed     nothing");
    expect(demoUrl(again.stdout)).toBe(url);
    await instanceRunAfter(marker);
    await unchangedPartition();
  }, 180_000);

  test("kill -9 of the master: the supervisor restarts it; the partition is untouched", async () => {
    const before = await statusPids(node);
    const marker = logSize();
    process.kill(before.master!, "SIGKILL");
    await waitFor(async () => {
      const now = await statusPids(node);
      return now.code === 0 && now.master !== before.master;
    }, 60, "a new master");
    await instanceRunAfter(marker);
    await unchangedPartition();
  }, 180_000);

  test("kill -9 of the node loop: the supervisor restarts it; the partition is untouched", async () => {
    const before = await statusPids(node);
    const marker = logSize();
    process.kill(before.loop!, "SIGKILL");
    await waitFor(async () => {
      const now = await statusPids(node);
      return now.code === 0 && now.loop !== undefined && now.loop !== before.loop;
    }, 60, "a new node loop");
    await instanceRunAfter(marker);
    await unchangedPartition();
  }, 180_000);

  test("kill -9 of the supervisor: the node loop relaunches it, which adopts the master, the loop and the partition's service", async () => {
    const before = await statusPids(node);
    const marker = logSize();
    process.kill(before.supervisor!, "SIGKILL");
    await waitFor(async () => {
      const now = await statusPids(node);
      return now.code === 0 && now.supervisor !== undefined && now.supervisor !== before.supervisor && now.master !== undefined;
    }, 60, "a new supervisor");
    const after = await statusPids(node);
    expect(after.loop).toBe(before.loop); // adopted, not replaced
    expect(after.master).toBe(before.master); // adopted: same pid, same port, never down
    const status = await node.slapos("node", "status");
    expect(status.stdout).toMatch(new RegExp(`^slappart0:hello-on-watch\\s+RUNNING\\s+pid ${service}, uptime `, "m"));
    await instanceRunAfter(marker);
    await unchangedPartition();
  }, 180_000);

  test("--stop stops the demo too", async () => {
    const stop = await slapos(["configure", "local", "--base", node.base, "--stop"]);
    expect(stop.code).toBe(0);
    expect(alive(service)).toBe(false);
    expect(await answers(url)).toBe(false);
  }, 60_000);
});
