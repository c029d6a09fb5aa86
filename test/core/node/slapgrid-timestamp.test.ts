/**
 * The timestamp short-circuit of `node instance` (node-runtime.md §3.3
 * step 6, §3.9; §8.21–8.26, test_slapgrid.py TestSlapgridCPPartitionProcessing):
 * a partition whose master timestamp equals its `.timestamp` is skipped
 * until its periodicity expires; --force, a different timestamp, no
 * timestamp, or periodicity 0 reprocess it; a negative one never expires.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../helpers/ports.ts";
import { Node, scratchDir, stopNodes, instanceProfile, scriptPart, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-ts-");
const profile = instanceProfile({ worked: "recipe = plone.recipe.command\ncommand = touch worked\nupdate-command = ${:command}" });
const release = (name: string) => writeRelease(releases, name, { instance: profile });

/** Partition calls of a run (what the reference's instance.sequence holds). */
const partitionCalls = (run: { calls: { path: string; fields: Record<string, string> }[] }, id = "slappart0") =>
  run.calls.filter((c) => c.fields.computer_partition_id === id).map((c) => c.path);

/** Make `.timestamp` look as if the last processing was long ago. */
function age(partition: string, seconds = 3600): void {
  const past = Date.now() / 1000 - seconds;
  utimesSync(join(partition, ".timestamp"), past, past);
}

async function stoppedNode(url: string, partitions = 1): Promise<Node> {
  const node = await Node.create({ partitions });
  await node.deploy(url, "inst", "stopped");
  return node;
}

describe("§8.21–8.24 the master's timestamp", () => {
  test("§8.21 test_partition_timestamp / test_partition_same_timestamp: the same timestamp makes no partition call the second time", async () => {
    const node = await stoppedNode(release("same"));
    const first = await node.node("instance");
    expect(partitionCalls(first)).toEqual(["stoppedComputerPartition"]);
    const timestamp = readFileSync(join(node.partition(0), ".timestamp"), "utf8");
    const second = await node.node("instance");
    expect(second.code).toBe(0);
    expect(Node.paths(second.calls)).toEqual(["getFullComputerInformation"]);
    expect(readFileSync(join(node.partition(0), ".timestamp"), "utf8")).toBe(timestamp);
  });

  test("§8.22 test_partition_timestamp_develop: --force reprocesses despite the same timestamp", async () => {
    const node = await stoppedNode(release("develop"));
    await node.node("instance");
    expect(partitionCalls(await node.node("instance", "--force"))).toEqual(["stoppedComputerPartition"]);
    expect(partitionCalls(await node.node("instance"))).toEqual([]);
  });

  test("§8.23 test_partition_different_older_timestamp / test_partition_timestamp_new_timestamp: any other timestamp reprocesses, once", async () => {
    const node = await stoppedNode(release("older"));
    await node.node("instance");
    node.alterPartition("slappart0", (state) => {
      (state._parameter_dict as Record<string, string>).timestamp = "1";
    });
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
    expect(readFileSync(join(node.partition(0), ".timestamp"), "utf8")).toBe("1");
    expect(partitionCalls(await node.node("instance"))).toEqual([]);
  });

  test("§8.24 test_partition_timestamp_no_timestamp: without a master timestamp a partition is always processed", async () => {
    const node = await stoppedNode(release("none"));
    node.alterPartition("slappart0", (state) => {
      delete (state._parameter_dict as Record<string, string>).timestamp;
    });
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
    expect(existsSync(join(node.partition(0), ".timestamp"))).toBe(false);
  });
});

describe("§8.25–8.26 periodicity", () => {
  test("§8.25 test_partition_periodicity_remove_timestamp / test_one_partition_periodicity_from_file_does_not_disturb_others: the release's periodicity file forces reprocessing of its partitions only", async () => {
    const node = await Node.create({ partitions: 2 });
    const periodic = release("periodic");
    const steady = release("steady");
    await node.supply(periodic);
    await node.supply(steady);
    expect((await node.node("software")).code).toBe(0);
    writeFileSync(join(node.softwarePath(periodic), "periodicity"), "60");
    await node.request("a", periodic, { state: "stopped" });
    await node.request("b", steady, { state: "stopped" });
    await node.node("instance");
    expect(Node.paths((await node.node("instance")).calls)).toEqual(["getFullComputerInformation"]);
    age(node.partition(0));
    age(node.partition(1));
    const run = await node.node("instance");
    expect(partitionCalls(run, "slappart0")).toEqual(["stoppedComputerPartition"]);
    expect(partitionCalls(run, "slappart1")).toEqual([]);
    // .timestamp rewritten: the next run is quiet again
    expect(Date.now() / 1000 - Bun.file(join(node.partition(0), ".timestamp")).lastModified / 1000).toBeLessThan(60);
    expect(Node.paths((await node.node("instance")).calls)).toEqual(["getFullComputerInformation"]);
  });

  test("§8.25 test_one_partition_destroyed_is_not_processed_after_periodicity: a destroyed partition is stopped again after periodicity", async () => {
    const url = release("destroyed-periodic");
    const node = await stoppedNode(url);
    writeFileSync(join(node.softwarePath(url), "periodicity"), "60");
    await node.request("inst", url, { state: "destroyed" });
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
    expect(partitionCalls(await node.node("instance"))).toEqual([]);
    age(node.partition(0));
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
  });

  test("§8.26 test_one_partition_is_never_processed_when_periodicity_is_negative", async () => {
    const url = release("negative");
    const node = await stoppedNode(url);
    writeFileSync(join(node.softwarePath(url), "periodicity"), "-1");
    await node.node("instance");
    age(node.partition(0), 10 * 86400);
    expect(partitionCalls(await node.node("instance"))).toEqual([]);
  });

  test("§8.26 test_one_partition_is_always_processed_when_periodicity_is_zero", async () => {
    const url = release("zero");
    const node = await stoppedNode(url);
    writeFileSync(join(node.softwarePath(url), "periodicity"), "0");
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
    expect(partitionCalls(await node.node("instance"))).toEqual(["stoppedComputerPartition"]);
  });

  test("§3.3 an unparsable periodicity file is removed and maximum_periodicity applies", async () => {
    const url = release("unparsable");
    const node = await stoppedNode(url);
    writeFileSync(join(node.softwarePath(url), "periodicity"), "soon");
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(existsSync(join(node.softwarePath(url), "periodicity"))).toBe(false);
    expect(partitionCalls(await node.node("instance"))).toEqual([]);
  });
});

describe("§3.9 up-to-date started partitions: the anomaly check", () => {
  const service = writeRelease(releases, "anomaly", {
    instance: instanceProfile({
      wrapper: scriptPart("etc/run/wrapper", "exec sleep 1000"),
      plugin: "recipe = plone.recipe.command\ncommand = mkdir -p etc/plugin",
    }),
  });

  test("a healthy partition whose master status is unknown is reported started at every run (what slapproxy's nodes do)", async () => {
    const node = await Node.create();
    await node.deploy(service);
    expect((await node.node("instance")).code).toBe(0);
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "startedComputerPartition"]);
  });

  test("a healthy partition whose master status is fine makes no call; an #error status is cleared with started", async () => {
    const node = await Node.create();
    await node.deploy(service);
    expect((await node.node("instance")).code).toBe(0);
    let status = "#access instance available";
    node.alterPartition("slappart0", (state) => {
      state._access_status = status;
    });
    expect(Node.paths((await node.node("instance")).calls)).toEqual(["getFullComputerInformation"]);
    status = "#error promise failed";
    expect(Node.paths((await node.node("instance")).calls)).toEqual(["getFullComputerInformation", "startedComputerPartition"]);
  });

  test("a failing promise on an up-to-date partition sends softwareInstanceError (unless the status is already #error); the run still succeeds, as the reference's", async () => {
    const node = await Node.create();
    await node.deploy(service);
    expect((await node.node("instance")).code).toBe(0);
    // a promise that fails at its first anomaly check, found by the next (up-to-date) run
    const port = await freePort();
    writeFileSync(
      join(node.partition(0), "etc", "plugin", "dead.promise.json"),
      JSON.stringify({ kind: "port-listening", host: "127.0.0.1", port, "result-count": 1, "failure-amount": 1, "bang-on-failure": false }),
    );
    let status = "#access ok";
    node.alterPartition("slappart0", (state) => {
      state._access_status = status;
    });
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "softwareInstanceError"]);
    expect(run.calls[2].fields.error_log).toStartWith("Promise 'dead.promise.json' failed with output: ");
    status = "#error already known";
    rmSync(join(node.partition(0), ".slapgrid", "promise", "cache"), { recursive: true, force: true });
    const quiet = await node.node("instance");
    expect(quiet.code).toBe(0);
    expect(Node.paths(quiet.calls)).toEqual(["getFullComputerInformation"]);
  });
});
