/**
 * `slapos node instance` against our master, with the reference's
 * acceptance checks (node-runtime.md §8, test_slapgrid.py
 * TestSlapgridCPWithMaster): what lands in the partition, the calls on the
 * wire, the programs under the supervisor, the error paths.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { Node, scratchDir, stopNodes, executable, instanceProfile, scriptPart, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-sr-");

/** The state files a real instance buildout leaves (the reference's tests use a fake buildout that leaves none). */
const BUILDOUT_STATE = [".installed.cfg", "bin", "develop-eggs", "eggs", "parts", "sbin"];
const present = (path: string, names: string[]) => names.filter((n) => existsSync(join(path, n)));
const nodeFiles = (path: string) => readdirSync(path).filter((n) => !BUILDOUT_STATE.includes(n)).sort();

const worked = writeRelease(releases, "worked", { instance: instanceProfile({ worked: "recipe = plone.recipe.command\ncommand = touch worked\nupdate-command = ${:command}" }) });

describe("§8.6–8.8 the basic runs", () => {
  test("§8.6 test_nothing_to_do: an empty computer leaves INST_ROOT with etc, var and sv.sock; var is 0755", async () => {
    const node = await Node.create({ partitions: 0 });
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(readdirSync(node.inst).sort()).toEqual(["etc", "sv.sock", "var"]);
    expect(statSync(join(node.inst, "var")).mode & 0o777).toBe(0o755);
    expect(readdirSync(node.soft)).toEqual([]);
  });

  test("§8.7 test_one_partition: a stopped partition gets the node's files; getFullComputerInformation, getComputerPartitionCertificate, stoppedComputerPartition; the certificate files hold the master's", async () => {
    const node = await Node.create({ certificates: true });
    await node.deploy(worked, "inst", "stopped");
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    const path = node.partition(0);
    expect(nodeFiles(path)).toEqual([".slapgrid", ".slapos-resource", ".slapos-retention-lock-delay", ".timestamp", "buildout.cfg", "software_release", "worked"]);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "getComputerPartitionCertificate", "stoppedComputerPartition"]);
    const { certificate, key } = await node.client.getComputerPartitionCertificate(node.computerId, "slappart0");
    expect(readFileSync(join(node.certs, "slappart0.crt"), "utf8")).toBe(certificate);
    expect(readFileSync(join(node.certs, "slappart0.key"), "utf8")).toBe(key);
    expect(statSync(join(node.certs, "slappart0.key")).mode & 0o777).toBe(0o400);
  });

  test("§8.8 test_one_partition_instance_cfg / test_backward_compatibility_instance_is_deploying_if_template_cfg_is_used: template.cfg is accepted", async () => {
    const node = await Node.create();
    const legacy = writeRelease(releases, "legacy-template", {
      instance: instanceProfile({ worked: "recipe = plone.recipe.command\ncommand = touch worked" }),
      instanceName: "template.cfg",
    });
    await node.deploy(legacy, "inst", "stopped");
    expect(existsSync(join(node.softwarePath(legacy), "instance.cfg"))).toBe(false);
    expect((await node.node("instance")).code).toBe(0);
    expect(existsSync(join(node.partition(0), "worked"))).toBe(true);
  });
});

describe("§8.4–8.5 the instance buildout's environment", () => {
  test("§8.4 test_environment_variable_HOME: HOME is the partition path; §8.5 test_no_user_site_packages: PYTHONNOUSERSITE is set", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "env", {
      instance: instanceProfile({ env: 'recipe = plone.recipe.command\ncommand = echo "$HOME $PYTHONNOUSERSITE $SLAPGRID_INSTANCE_ROOT" > env.txt' }),
    });
    await node.deploy(url, "inst", "stopped");
    expect((await node.node("instance")).code).toBe(0);
    expect(readFileSync(join(node.partition(0), "env.txt"), "utf8")).toBe(`${node.partition(0)} true ${node.inst}\n`);
  });
});

describe("§8.10–8.14 states", () => {
  test("§8.10 test_one_partition_started: the program runs and logs to .slappart0_wrapper.log; the run ends with startedComputerPartition", async () => {
    const node = await Node.create();
    const url = writeRelease(releases, "wrapper", {
      instance: instanceProfile({ wrapper: scriptPart("etc/run/wrapper", "echo Working\nexec sleep 1000") }),
    });
    await node.deploy(url);
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    const log = join(node.partition(0), ".slappart0_wrapper.log");
    await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes("Working"), 20, "the wrapper's output");
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "startedComputerPartition"]);
    expect((await node.processInfo("slappart0:wrapper"))?.statename).toBe("RUNNING");
  });
});

const FAILING = "recipe = plone.recipe.command\ncommand = echo fake buildout error; exit 1\nstop-on-error = true";
const failing = writeRelease(releases, "failing", { instance: instanceProfile({ fail: FAILING }) });
const trapping = writeRelease(releases, "trapping", {
  instance: instanceProfile({
    wrapper: scriptPart("etc/run/wrapper", "trap 'echo Signal handler called; exit 0' TERM\necho Working\nwhile :; do sleep 0.1; done"),
  }),
});

describe("§8.11–8.14 state changes and failures", () => {
  test("§8.11 test_one_partition_started_fail: a failing buildout exits 1, writes .slapgrid-slappart0-error.log, sends softwareInstanceError and no state", async () => {
    const node = await Node.create();
    await node.deploy(failing);
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    const error = readFileSync(join(node.partition(0), ".slapgrid-slappart0-error.log"), "utf8");
    expect(error).toStartWith(`Failed to run buildout profile in directory '${node.partition(0)}':\n`);
    expect(error).toContain("fake buildout error");
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "softwareInstanceError"]);
    expect(existsSync(join(node.partition(0), ".timestamp"))).toBe(false);
  });

  test("§8.12 test_one_partition_started_stopped: switching to stopped sends SIGTERM to the program", async () => {
    const node = await Node.create();
    await node.deploy(trapping);
    expect((await node.node("instance")).code).toBe(0);
    const log = join(node.partition(0), ".slappart0_wrapper.log");
    await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes("Working"), 20, "Working");
    await node.request("inst", trapping, { state: "stopped" });
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition"]);
    await waitFor(() => readFileSync(log, "utf8").includes("Signal handler called"), 20, "the TERM handler");
    expect(await node.processInfo("slappart0:wrapper")).toBeUndefined();
  });

  test("§8.13 test_one_broken_partition_stopped: stopped requested and buildout failing: the programs are still stopped, the error reported, exit 1", async () => {
    const node = await Node.create();
    await node.deploy(trapping);
    expect((await node.node("instance")).code).toBe(0);
    await waitFor(async () => (await node.processInfo("slappart0:wrapper"))?.statename === "RUNNING", 20, "running");
    // the release breaks: its instance profile now fails
    writeFileSync(join(node.softwarePath(trapping), "instance.cfg"), instanceProfile({ fail: FAILING }));
    await node.request("inst", trapping, { state: "stopped" });
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "softwareInstanceError"]);
    expect(await node.processInfo("slappart0:wrapper")).toBeUndefined();
    expect(existsSync(join(node.inst, "etc", "supervisord.conf.d", "slappart0.conf"))).toBe(false);
  });

  test("§8.14 test_one_partition_destroyed: node instance only stops a destroyed partition and reports it stopped; its files stay", async () => {
    const node = await Node.create();
    await node.deploy(trapping);
    expect((await node.node("instance")).code).toBe(0);
    writeFileSync(join(node.partition(0), "data"), "user data");
    await node.request("inst", trapping, { state: "destroyed" });
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation", "stoppedComputerPartition"]);
    expect(await node.processInfo("slappart0:wrapper")).toBeUndefined();
    expect(readdirSync(node.partition(0))).toContain(".slapgrid");
    expect(readFileSync(join(node.partition(0), "data"), "utf8")).toBe("user data");
  });
});

describe("§8.9 free partitions", () => {
  test("§8.9 test_one_free_partition / test_slapgrid_instance_ignore_free_instance / test_slapgrid_report_ignore_free_instance: no processing, no partition call", async () => {
    const node = await Node.create({ partitions: 2 });
    await node.deploy(worked, "inst", "stopped");
    const free = node.partition(1);
    writeFileSync(join(free, ".timestamp"), "1");
    for (const kind of ["instance", "report"] as const) {
      const run = await node.node(kind);
      expect(run.code).toBe(0);
      expect(run.calls.filter((c) => c.fields.computer_partition_id === "slappart1" || c.fields.computer_partition_reference === "slappart1")).toEqual([]);
    }
    expect(readdirSync(free)).toEqual([".slapos-resource"]);
  });

  test("§3.2 a free partition with files left gets .slapgrid and .timestamp removed and a warning", async () => {
    const node = await Node.create();
    executable(join(node.partition(0), ".slapgrid", "x"), "true");
    writeFileSync(join(node.partition(0), "left"), "");
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(readdirSync(node.partition(0)).sort()).toEqual([".slapos-resource", "left"]);
    expect(run.stderr).toContain(`Free partition slappart0 contains file(s) in ${node.partition(0)}.`);
  });
});

describe("§8.1–8.2 refusals", () => {
  test("§8.1 test_one_missing / test_several_missing: unknown --only-cp ids fail, sorted", async () => {
    const node = await Node.create();
    const one = await node.node("instance", "--only-cp", "foobar");
    expect(one.code).toBe(1);
    expect(one.stderr).toContain("Unknown partition: foobar");
    const two = await node.node("instance", "--only-cp", "foobar,barbaz");
    expect(two.code).toBe(1);
    expect(two.stderr).toContain("Unknown partitions: barbaz, foobar");
  });

  test("§8.2 test_no_software_root / test_no_instance_root: a missing root fails with '<path> does not exist.'", async () => {
    const node = await Node.create({ partitions: 0 });
    for (const option of ["--software-root", "--instance-root"]) {
      const missing = join(node.dir, "nowhere");
      const run = await node.node("instance", option, missing);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${missing} does not exist.`);
      expect(run.calls.map((c) => c.path)).not.toContain("getFullComputerInformation");
    }
  });
});

describe("§8.27–8.29 one partition's failure is its own", () => {
  test("§8.27 test_one_partition_buildout_fail_does_not_disturb_others (+ lacking software path, lacking partition path)", async () => {
    const node = await Node.create({ partitions: 4 });
    await node.supply(failing);
    await node.supply(worked);
    const gone = writeRelease(releases, "never-built", { instance: instanceProfile({ worked: "recipe = plone.recipe.command\ncommand = touch worked" }) });
    expect((await node.node("software")).code).toBe(0);
    await node.request("a", failing, { state: "stopped" });
    await node.request("b", gone, { state: "stopped" });
    await node.request("c", worked, { state: "stopped" });
    await node.request("d", worked, { state: "stopped" });
    rmSync(node.partition(3), { recursive: true });
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    const by = (id: string) => run.calls.filter((c) => c.fields.computer_partition_id === id).map((c) => c.path);
    expect(by("slappart0")).toEqual(["softwareInstanceError"]);
    expect(by("slappart1")).toEqual(["softwareInstanceError"]);
    expect(by("slappart2")).toEqual(["stoppedComputerPartition"]);
    expect(by("slappart3")).toEqual(["softwareInstanceError"]);
    const errors = Object.fromEntries(run.calls.filter((c) => c.path === "softwareInstanceError").map((c) => [c.fields.computer_partition_id, c.fields.error_log]));
    expect(errors.slappart1).toBe(`Software Release ${gone} is not present on system.\nCannot deploy instance.`);
    expect(errors.slappart3).toBe(`Partition directory ${node.partition(3)} does not exist.`);
  });

  test("§8.28 test_one_partition_buildout_fail_is_correctly_logged: the master gets the whole buildout output and 'Failed to run buildout'", async () => {
    const node = await Node.create();
    await node.deploy(failing);
    const run = await node.node("instance");
    const error = run.calls.find((c) => c.path === "softwareInstanceError")!.fields.error_log;
    expect(error).toContain("Failed to run buildout profile in directory");
    expect(error).toContain("fake buildout error");
    expect(error).toContain("Installing fail.");
  });

  test("§8.29 test_processing_summary: the summary names each failed partition with its type and error", async () => {
    const node = await Node.create({ partitions: 2 });
    const promising = writeRelease(releases, "failing-promise", {
      instance: instanceProfile({ promise: scriptPart("etc/promise/failing_promise", "echo héhé fake promise error >&2\nexit 1") }),
    });
    await node.supply(failing);
    await node.supply(promising);
    expect((await node.node("software")).code).toBe(0);
    await node.request("a", failing);
    await node.request("b", promising);
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    const lines = run.stderr.split("\n").map((l) => l.replace(/^.*? INFO /, ""));
    const at = lines.indexOf("=".repeat(80));
    expect(lines[at - 1]).toBe("Finished computer partitions.");
    expect(lines[at + 1]).toBe("Error while processing the following partitions:");
    expect(lines[at + 2]).toBe(`  slappart0[default]: Failed to run buildout profile in directory '${node.partition(0)}':`);
    const promiseHeader = lines.indexOf("Error with promises for the following partitions:");
    expect(promiseHeader).toBeGreaterThan(at);
    expect(lines[promiseHeader + 1]).toBe("  slappart1[default]: Promise 'failing_promise' failed with output: héhé fake promise error");
  });
});

describe("§8.30–8.31, §8.41 started partitions", () => {
  const withPromise = writeRelease(releases, "with-promise", {
    instance: instanceProfile({
      wrapper: scriptPart("etc/run/wrapper", "exec sleep 1000"),
      promise: scriptPart("etc/promise/check", "echo checked"),
    }),
  });

  test("§8.30 test_partition_force_stop: --force-stop runs buildout, records no .timestamp, runs no promise, reports nothing", async () => {
    const node = await Node.create();
    await node.deploy(withPromise);
    const run = await node.node("instance", "--force-stop");
    expect(run.code).toBe(0);
    expect(existsSync(join(node.partition(0), ".installed.cfg"))).toBe(true);
    expect(existsSync(join(node.partition(0), ".timestamp"))).toBe(false);
    expect(existsSync(join(node.partition(0), ".slapgrid", "promise", "result", "check.status.json"))).toBe(false);
    expect(Node.paths(run.calls)).toEqual(["getFullComputerInformation"]);
    expect(await node.processInfo("slappart0:wrapper")).toBeUndefined();
  });

  test("§8.31 test_supervisor_partition_files_removed_on_stop: supervisord.conf.d/slappart0.conf exists iff the partition is started", async () => {
    const node = await Node.create();
    await node.deploy(withPromise);
    const conf = join(node.inst, "etc", "supervisord.conf.d", "slappart0.conf");
    expect((await node.node("instance")).code).toBe(0);
    expect(existsSync(conf)).toBe(true);
    await node.request("inst", withPromise, { state: "stopped" });
    expect((await node.node("instance")).code).toBe(0);
    expect(existsSync(conf)).toBe(false);
    await node.request("inst", withPromise, { state: "started" });
    expect((await node.node("instance")).code).toBe(0);
    expect(existsSync(conf)).toBe(true);
  });

  test("§8.41 test_promise_run_if_partition_started_fail / test_promise_notrun_if_partition_stopped_fail: after a failed buildout promises run for started partitions only", async () => {
    const node = await Node.create({ partitions: 2 });
    const breaking = writeRelease(releases, "promise-then-fail", {
      instance: instanceProfile({ promise: scriptPart("etc/promise/check", "echo checked"), fail: FAILING }),
    });
    await node.supply(breaking);
    expect((await node.node("software")).code).toBe(0);
    await node.request("started", breaking);
    await node.request("stopped", breaking, { state: "stopped" });
    expect((await node.node("instance")).code).toBe(1);
    const result = (i: number) => join(node.partition(i), ".slapgrid", "promise", "result", "check.status.json");
    expect(JSON.parse(readFileSync(result(0), "utf8")).result.failed).toBe(false);
    expect(existsSync(result(1))).toBe(false);
  });
});
