/**
 * The master out of reach (node-runtime.md §3.1, §3.13; §8.3, §8.15–8.17,
 * test_slapgrid.py TestSlapgridCPWithMaster): `node instance` switches to
 * offline mode, keeps what runs running (starting every program again),
 * honours legacy `.requested_state` files, and exits 3.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { Node, scratchDir, stopNodes, instanceProfile, scriptPart, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-off-");
const working = writeRelease(releases, "working", {
  instance: instanceProfile({ wrapper: scriptPart("etc/run/wrapper", "echo Working\nexec sleep 1000") }),
});

const count = (text: string, word: string) => text.split(word).length - 1;

describe("offline mode", () => {
  test("§8.3 test_no_master: an unreachable master with valid roots exits 3", async () => {
    const node = await Node.create({ partitions: 0 });
    const run = await node.node("instance", "--master-url", `http://127.0.0.1:${await freePort()}`);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("Processing computer partitions offline...");
  });

  test("§8.15 test_one_partition_started_no_master: a 503 on the computer information exits 3, runs no buildout, makes no other call", async () => {
    const node = await Node.create();
    await node.deploy(working);
    node.outage = { status: 503, paths: ["getFullComputerInformation"] };
    const run = await node.node("instance");
    expect(run.code).toBe(3);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation"]);
    expect(existsSync(join(node.partition(0), ".installed.cfg"))).toBe(false);
  });

  test("§8.16 test_one_partition_started_after_master_connection_loss: offline, the existing programs are started again", async () => {
    const node = await Node.create();
    await node.deploy(working);
    expect((await node.node("instance")).code).toBe(0);
    const log = join(node.partition(0), ".slappart0_wrapper.log");
    await waitFor(() => existsSync(log) && count(readFileSync(log, "utf8"), "Working") === 1, 20, "the first Working");
    await node.supervisor().call("stopProcess", "slappart0:wrapper", true);
    node.outage = { status: 503 };
    const run = await node.node("instance");
    expect(run.code).toBe(3);
    await waitFor(() => count(readFileSync(log, "utf8"), "Working") === 2, 20, "a second Working");
  });

  test("§8.17 test_stopped_partition_remains_stopped_after_master_connection_loss: a legacy .requested_state=stopped is honoured, and removed", async () => {
    const node = await Node.create();
    await node.deploy(working);
    expect((await node.node("instance")).code).toBe(0);
    await waitFor(async () => (await node.processInfo("slappart0:wrapper"))?.statename === "RUNNING", 20, "running");
    writeFileSync(join(node.partition(0), ".requested_state"), "stopped");
    node.outage = { status: 503 };
    const run = await node.node("instance");
    expect(run.code).toBe(3);
    expect(await node.processInfo("slappart0:wrapper")).toBeUndefined();
    expect(existsSync(join(node.partition(0), ".requested_state"))).toBe(false);
    expect(existsSync(join(node.inst, "etc", "supervisord.conf.d", "slappart0.conf"))).toBe(false);
  });

  test("§3.1 a master lost in the middle of the partitions ends the run offline (exit 3)", async () => {
    const node = await Node.create();
    await node.deploy(working);
    node.outage = { status: 500, paths: ["startedComputerPartition"] };
    const run = await node.node("instance");
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("Processing computer partitions offline...");
  });

  test("§8.51 test_no_master: node promise without a master fails (exit 1)", async () => {
    const node = await Node.create({ partitions: 0 });
    const run = await node.node("promise", "--master-url", `http://127.0.0.1:${await freePort()}`);
    expect(run.code).toBe(1);
  });
});
