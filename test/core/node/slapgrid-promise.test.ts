/**
 * Promises as the node runs them (node-runtime.md §3.8, §3.14; §8.38–8.40,
 * §8.52, test_slapgrid.py TestSlapgridCPWithMasterPromise,
 * TestSlapgridPromiseWithMaster): exit 2 and an error report when one
 * fails, the partition log, `node promise`, the configured timeout, the bang.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../helpers/ports.ts";
import { Node, scratchDir, stopNodes, instanceProfile, scriptPart, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-pr-");
const result = (node: Node, title: string, i = 0) => join(node.partition(i), ".slapgrid", "promise", "result", `${title}.status.json`);

describe("§8.38–8.39 promises after deploying", () => {
  test("§8.38 test_one_failing_promise: exit 2, softwareInstanceError with the PromiseError, no startedComputerPartition, no .timestamp", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "failing", {
      instance: instanceProfile({ promise: scriptPart("etc/promise/failing_promise", "echo fake promise error\nexit 1") }),
    });
    await node.deploy(url);
    const run = await node.node("instance");
    expect(run.code).toBe(2);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "softwareInstanceError"]);
    expect(run.calls[2].fields.error_log).toBe("Promise 'failing_promise' failed with output: fake promise error");
    expect(existsSync(join(node.partition(0), ".timestamp"))).toBe(false);
    expect(existsSync(join(node.partition(0), ".slapgrid-slappart0-error.log"))).toBe(false);
  });

  test("§8.38 test_one_succeeding_promise / test_two_succeeding_promises: startedComputerPartition", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "succeeding", {
      instance: instanceProfile({ a: scriptPart("etc/promise/a", "echo fine"), b: scriptPart("etc/promise/b", "echo fine too") }),
    });
    await node.deploy(url);
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "startedComputerPartition"]);
    for (const title of ["a", "b"]) expect(JSON.parse(readFileSync(result(node, title), "utf8")).result.failed).toBe(false);
  });

  test("§8.39 test_stderr_has_been_sent: a promise's stderr lands in .slapgrid/log/instance.log, whose lines carry the logger name", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "stderr", {
      instance: instanceProfile({ promise: scriptPart("etc/promise/stderr_writer", "echo Error 1 >&2\nexit 1") }),
    });
    await node.deploy(url);
    expect((await node.node("instance")).code).toBe(2);
    const log = readFileSync(join(node.partition(0), ".slapgrid", "log", "instance.log"), "utf8");
    expect(log).toContain("Error 1");
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO     slapos Processing Computer Partition slappart0\.$/m);
  });
});

describe("§8.40, §8.52 node promise", () => {
  const sleepy = writeRelease(releases, "sleepy", {
    instance: instanceProfile({
      fine: scriptPart("etc/promise/fine", "echo success"),
      flaky: scriptPart("etc/promise/flaky", "test -e fail && { echo failed; exit 1; }; echo ok"),
      slow: scriptPart("etc/promise/slow", "test -e slow && sleep 30; echo done"),
    }),
  });

  test("§8.52 TestSlapgridPromiseWithMaster: result files say success or failure; nothing is reported to the master; exit 2 on failure", async () => {
    const node = await Node.create();
    await node.deploy(sleepy);
    expect((await node.node("instance")).code).toBe(0);
    const ok = await node.node("promise");
    expect(ok.code).toBe(0);
    expect(Node.paths(ok.calls)).toEqual(["getFullComputerInformation"]);
    expect(JSON.parse(readFileSync(result(node, "fine"), "utf8")).result).toMatchObject({ type: "Test Result", failed: false, message: "success" });
    writeFileSync(join(node.partition(0), "fail"), "");
    const failed = await node.node("promise");
    expect(failed.code).toBe(2);
    expect(Node.paths(failed.calls)).toEqual(["getFullComputerInformation"]);
    expect(JSON.parse(readFileSync(result(node, "flaky"), "utf8")).result).toMatchObject({ failed: true, message: "failed" });
  });

  test("§8.40 test_timeout_works: promise_timeout from slapos.cfg applies ([BUG] fixed: the command line's default no longer overrides it)", async () => {
    const node = await Node.create({ slapos: "promise_timeout = 1\n" });
    await node.deploy(sleepy);
    expect((await node.node("instance")).code).toBe(0);
    writeFileSync(join(node.partition(0), "slow"), "");
    const run = await node.node("promise");
    expect(run.code).toBe(2);
    expect(JSON.parse(readFileSync(result(node, "slow"), "utf8")).result).toMatchObject({ failed: true, message: "Error: Promise timed out after 1 seconds" });
  });

  test("§8.52 stopped partitions produce no result file; --only-cp checks only the named partitions", async () => {
    const node = await Node.create({ partitions: 2 });
    await node.supply(sleepy);
    expect((await node.node("software")).code).toBe(0);
    await node.request("a", sleepy);
    await node.request("b", sleepy, { state: "stopped" });
    expect((await node.node("instance")).code).toBe(0);
    const { rmSync } = await import("node:fs");
    rmSync(join(node.partition(0), ".slapgrid", "promise"), { recursive: true });
    expect((await node.node("promise", "--only-cp", "slappart1")).code).toBe(0);
    expect(existsSync(result(node, "fine", 0))).toBe(false);
    expect(existsSync(result(node, "fine", 1))).toBe(false);
    expect((await node.node("promise")).code).toBe(0);
    expect(existsSync(result(node, "fine", 0))).toBe(true);
    expect(existsSync(result(node, "fine", 1))).toBe(false);
  });
});

describe("§3.8 the bang of a failing anomaly check", () => {
  test("an up-to-date partition whose promise fails in anomaly mode bangs the master once for the run", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "banging", {
      instance: instanceProfile({ plugin: "recipe = plone.recipe.command\ncommand = mkdir -p etc/plugin" }),
    });
    await node.deploy(url);
    expect((await node.node("instance")).code).toBe(0);
    const port = await freePort();
    for (const title of ["dead", "dead-too"]) {
      writeFileSync(
        join(node.partition(0), "etc", "plugin", `${title}.promise.json`),
        JSON.stringify({ kind: "port-listening", host: "127.0.0.1", port, "result-count": 1, "failure-amount": 1 }),
      );
    }
    const run = await node.node("instance");
    const bangs = run.calls.filter((c) => c.path === "softwareInstanceBang");
    expect(bangs.length).toBe(1);
    expect(bangs[0].fields).toMatchObject({ computer_id: node.computerId, computer_partition_id: "slappart0" });
    expect(bangs[0].fields.message).toMatch(/^Promise dead(-too)? is failing$/);

  });
});
