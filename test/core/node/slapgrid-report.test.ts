/**
 * `slapos node report` (node-runtime.md §4; §8.32–8.33, §8.42, §8.45,
 * §8.62, §8.69): usage scripts and documents, and the destruction of the
 * partitions the master wants destroyed — retention lock, pre-delete
 * scripts, read-only content, the usage-issue exclusion.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { Node, scratchDir, stopNodes, instanceProfile, scriptPart, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-rp-");
const service = writeRelease(releases, "service", {
  instance: instanceProfile({ wrapper: scriptPart("etc/run/wrapper", "echo Working\nexec sleep 1000") }),
});
const CONSUMPTION =
  "<?xml version='1.0' encoding='utf-8'?><consumption><movement><resource>CPU</resource><title>CPU</title>" +
  "<reference>whatever</reference><quantity>42.5</quantity><price>0.0</price><VAT></VAT><category></category></movement></consumption>";

async function destroyedNode(url = service, options: { certificates?: boolean; slapos?: string } = {}): Promise<Node> {
  const node = await Node.create(options);
  await node.deploy(url);
  expect((await node.node("instance")).code).toBe(0);
  await node.request("inst", url, { state: "destroyed" });
  return node;
}

describe("§8.32–8.33 destruction", () => {
  test("§8.32 test_slapgrid_destroys_instance_to_be_destroyed / test_partition_list_is_complete_if_empty_destroyed_partition: the partition is emptied; getFullComputerInformation, getComputerPartitionCertificate, stoppedComputerPartition, destroyedComputerPartition", async () => {
    const node = await destroyedNode(service, { certificates: true });
    const run = await node.node("report");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "getComputerPartitionCertificate", "stoppedComputerPartition", "destroyedComputerPartition"]);
    expect(readdirSync(node.partition(0))).toEqual([]);
    expect(existsSync(join(node.certs, "slappart0.crt"))).toBe(false);
    expect(existsSync(join(node.certs, "slappart0.key"))).toBe(false);
    expect(await node.processInfo("slappart0:wrapper")).toBeUndefined();
    await Bun.sleep(200);
    // the program's log is not recreated
    expect(readdirSync(node.partition(0))).toEqual([]);
    // the partition is free again: the next runs leave it alone
    expect(Node.paths((await node.node("report")).calls)).toEqual(["getFullComputerInformation"]);
  });

  test("§8.33 test_slapgrid_not_destroy_bad_instance: started partitions keep running; only getFullComputerInformation", async () => {
    const node = await Node.create();
    await node.deploy(service);
    expect((await node.node("instance")).code).toBe(0);
    await waitFor(async () => (await node.processInfo("slappart0:wrapper"))?.statename === "RUNNING", 20, "running");
    const pid = (await node.processInfo("slappart0:wrapper"))!.pid;
    const run = await node.node("report");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation"]);
    expect((await node.processInfo("slappart0:wrapper"))!.pid).toBe(pid);
  });

  test("§8.62 TestPartitionDestructionUnwritable: read-only files and folders inside the partition are still removed", async () => {
    const readOnly = writeRelease(releases, "read-only", {
      instance: instanceProfile({ ro: "recipe = plone.recipe.command\ncommand = mkdir -p a/b && touch a/b/c a/f && chmod 000 a/b/c && chmod 500 a/b a && chmod 400 a/f" }),
    });
    const node = await destroyedNode(readOnly);
    expect(statSync(join(node.partition(0), "a")).mode & 0o777).toBe(0o500);
    expect((await node.node("report")).code).toBe(0);
    expect(readdirSync(node.partition(0))).toEqual([]);
  });

  test("§4 sbin/destroy runs before the cleanup; its failure fails the run and keeps the partition", async () => {
    const destroying = writeRelease(releases, "destroying", {
      instance: instanceProfile({ destroy: scriptPart("sbin/destroy", `test -e keep && exit 3; echo destroyed > ${releases}/destroy-ran`) }),
    });
    const node = await destroyedNode(destroying);
    writeFileSync(join(node.partition(0), "keep"), "");
    const failed = await node.node("report");
    expect(failed.code).toBe(1);
    expect(Node.paths(failed.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition", "softwareInstanceError"]);
    expect(failed.calls[3].fields.error_log).toStartWith(`Failed to destroy Computer Partition in '${node.partition(0)}'.`);
    expect(existsSync(join(node.partition(0), "keep"))).toBe(true);
    (await import("node:fs")).rmSync(join(node.partition(0), "keep"));
    expect((await node.node("report")).code).toBe(0);
    expect(readFileSync(join(releases, "destroy-ran"), "utf8")).toBe("destroyed\n");
    expect(readdirSync(node.partition(0))).toEqual([]);
  });
});

describe("§8.42 the retention lock", () => {
  test("§8.42 test_retention_lock: the delay is frozen at install, the date at the first destruction attempt; destruction waits for the date", async () => {
    const node = await Node.create();
    node.alterPartition("slappart0", (state) => {
      state._filter_dict = { retention_delay: "10" };
    });
    await node.deploy(service, "inst", "stopped");
    expect((await node.node("instance")).code).toBe(0);
    const path = node.partition(0);
    expect(readFileSync(join(path, ".slapos-retention-lock-delay"), "utf8")).toBe("10.0");
    await node.request("inst", service, { state: "destroyed" });
    const before = Math.floor(Date.now() / 1000);
    const locked = await node.node("report");
    expect(locked.code).toBe(0);
    expect(Node.paths(locked.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition"]);
    const date = Number(readFileSync(join(path, ".slapos-retention-lock-date"), "utf8"));
    expect(date).toBeGreaterThanOrEqual(before + 10 * 86400);
    expect(date).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 10 * 86400);
    // the date stays frozen
    await node.node("report");
    expect(Number(readFileSync(join(path, ".slapos-retention-lock-date"), "utf8"))).toBe(date);
    writeFileSync(join(path, ".slapos-retention-lock-date"), String(before - 1));
    const freed = await node.node("report");
    expect(Node.paths(freed.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition", "destroyedComputerPartition"]);
    expect(readdirSync(path)).toEqual([]);
  });
});

describe("§8.45 the prerm manager", () => {
  const prerm = writeRelease(releases, "prerm", {
    instance: instanceProfile({
      wrapper: scriptPart("etc/run/wrapper", "exec sleep 1000"),
      prerm: scriptPart("etc/prerm/slapos_pre_delete", "echo pre-delete ran\nwhile ! test -e finish; do sleep 0.1; done"),
    }),
  });

  test("§8.45 TestSlapgridReportWithPreDeleteScript: the scripts run as <PID>-prerm under the partition's user, destruction waits for them", async () => {
    const node = await destroyedNode(prerm, { slapos: "manager_list = prerm\n" });
    const path = node.partition(0);
    const first = await node.node("report");
    expect(first.code).toBe(0);
    expect(Node.paths(first.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition"]);
    const conf = readFileSync(join(node.inst, "etc", "supervisord.conf.d", "slappart0-prerm.conf"), "utf8");
    expect(conf).toContain(`[program:slappart0-prerm_slapos_pre_delete]\ndirectory=${path}\ncommand=${path}/etc/prerm/slapos_pre_delete\n`);
    expect(conf).toContain(`\nuser=${statSync(path).uid}\ngroup=${statSync(path).gid}\n`);
    expect(readFileSync(join(path, ".slapos-report-wait-service-list"), "utf8")).toBe("slappart0-prerm:slapos_pre_delete\n");
    const log = join(path, ".slappart0-prerm_slapos_pre_delete.log");
    await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes("pre-delete ran"), 20, "the pre-delete script");
    // still running: destruction waits, and the script is not started twice
    const waiting = await node.node("report");
    expect(waiting.stderr).toContain("There are running processes into the partition, wait until they finish...");
    expect(readFileSync(log, "utf8").split("pre-delete ran").length).toBe(2);
    writeFileSync(join(path, "finish"), "");
    await waitFor(async () => (await node.processInfo("slappart0-prerm:slapos_pre_delete"))?.statename === "EXITED", 20, "the script's end");
    const done = await node.node("report");
    expect(Node.paths(done.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition", "destroyedComputerPartition"]);
    expect(readdirSync(path)).toEqual([]);
    expect(readdirSync(join(node.inst, "etc", "supervisord.conf.d"))).toEqual([]);
  });

  test("§8.45 retention is honoured before the pre-delete scripts", async () => {
    const node = await Node.create({ slapos: "manager_list = prerm\n" });
    node.alterPartition("slappart0", (state) => {
      state._filter_dict = { retention_delay: "1" };
    });
    await node.deploy(prerm);
    expect((await node.node("instance")).code).toBe(0);
    await node.request("inst", prerm, { state: "destroyed" });
    expect((await node.node("report")).code).toBe(0);
    expect(existsSync(join(node.inst, "etc", "supervisord.conf.d", "slappart0-prerm.conf"))).toBe(false);
    expect(existsSync(join(node.partition(0), ".slapos-report-wait-service-list"))).toBe(false);
  });

  test("§3.12 a manager that is not built in is named in a warning; the run goes on", async () => {
    const node = await Node.create({ partitions: 0, slapos: "manager_list = cpuset, prerm\n" });
    const run = await node.node("report");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("manager_list: manager 'cpuset' is not built in");
  });
});

describe("§4 usage reports", () => {
  const reporting = writeRelease(releases, "reporting", {
    instance: instanceProfile({
      report: scriptPart("etc/report/usage", `echo "${CONSUMPTION.replaceAll('"', '\\"')}" > "$1"`),
      broken: scriptPart("etc/report/broken", "exit 1"),
      folder: "recipe = plone.recipe.command\ncommand = mkdir -p var/xml_report",
    }),
  });

  test("§4 scripts write consumption documents: the partition is registered per document, the journal goes with useComputer; a failing script is reported", async () => {
    const node = await Node.create();
    await node.deploy(reporting);
    expect((await node.node("instance")).code).toBe(0);
    const run = await node.node("report");
    expect(run.code).toBe(1);
    // after each script, while one has failed, the failures so far are reported (so once or twice here, by listing order)
    const paths = Node.paths(run.calls).filter((p, i, all) => p !== "softwareInstanceError" || all[i - 1] !== p);
    expect(paths).toEqual(["getFullComputerInformation", "softwareInstanceError", "registerComputerPartition", "useComputer"]);
    for (const call of run.calls.filter((c) => c.path === "softwareInstanceError")) expect(call.fields.error_log).toBe("Script 'broken' failed.");
    const journal = run.calls.find((c) => c.path === "useComputer")!.fields.use_string;
    expect(journal).toMatch(
      /^<\?xml version="1.0"\?><journal><transaction type="Sale Packing List"><title>Resource consumptions<\/title><start_date><\/start_date><stop_date>\d{4}-\d\d-\d\d at \d\d:\d\d:\d\d<\/stop_date><reference>COMP-0<\/reference>/,
    );
    expect(journal).toContain("<movement><resource>CPU</resource><title>CPU</title><reference>slappart0</reference><quantity>42.5</quantity><price>0.0</price><VAT></VAT><category></category></movement></transaction></journal>");
    expect(readdirSync(join(node.partition(0), "var", "xml_report"))).toEqual([]);
  });

  test("§4 a usage journal the master refuses keeps the last partition from destruction this run", async () => {
    const node = await Node.create();
    await node.deploy(reporting);
    expect((await node.node("instance")).code).toBe(0);
    await node.request("inst", reporting, { state: "destroyed" });
    node.outage = { status: 500, paths: ["useComputer"] };
    const run = await node.node("report");
    const issue = run.calls.find((c) => c.path === "softwareInstanceError" && c.fields.error_log.startsWith("Cannot report usage"));
    expect(issue?.fields.error_log).toStartWith("Cannot report usage for 'slappart0': ");
    expect(run.calls.map((c) => c.path)).not.toContain("destroyedComputerPartition");
    expect(run.calls.map((c) => c.path)).toContain("stoppedComputerPartition");
    expect(run.stderr).toContain("Ignoring destruction of 'slappart0', as no report usage was sent");
    node.outage = undefined;
    expect(Node.paths((await node.node("report")).calls)).toContain("destroyedComputerPartition");
  });
});

describe("§8.69 a requested instance, end to end", () => {
  test("§8.69 test_request_instance: connection parameters round-trip, .installed.cfg in the partition, report removes the instance and leaves only the watchdog", async () => {
    const publishing = writeRelease(releases, "publishing", {
      instance: instanceProfile({
        publish: "recipe = slapos.cookbook:publish\nhello = world\nurl = http://example.invalid/",
      }),
    });
    const node = await Node.create();
    await node.deploy(publishing);
    expect((await node.node("instance")).code).toBe(0);
    expect(existsSync(join(node.partition(0), ".installed.cfg"))).toBe(true);
    const instance = await node.client.requestComputerPartition({ softwareRelease: publishing, partitionReference: "inst" });
    expect(instance.getConnectionParameterDict()).toEqual({ hello: "world", url: "http://example.invalid/" });
    await node.request("inst", publishing, { state: "destroyed" });
    expect((await node.node("report")).code).toBe(0);
    expect(readdirSync(node.partition(0))).toEqual([]);
    const all = (await node.supervisor().call("getAllProcessInfo")) as Array<{ name: string }>;
    expect(all.map((p) => p.name)).toEqual(["watchdog"]);
  });
});


