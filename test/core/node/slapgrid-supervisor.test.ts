/**
 * The node and its supervisor (node-runtime.md §1.4, §3.5, §3.6, §3.11;
 * §8.18–8.20, §8.54, §8.61): one group per partition that never disturbs
 * another, the watchdog banging the master for watched services only, the
 * legacy socket and a failed launch.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSupervisordConfiguration } from "../../../core/node/supervisor-files.ts";
import { supervisorClient } from "../../../plugins/supervisor/api.ts";
import { BINARY, slapos } from "../../helpers/binary.ts";
import { waitFor } from "../../helpers/ports.ts";
import { Node, scratchDir, alive, stopNodes, instanceProfile, scriptPart, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-sv-");
const service = writeRelease(releases, "service", {
  instance: instanceProfile({ daemon: scriptPart("etc/service/daemon", "exec sleep 1000") }),
});

describe("§8.61 TestPartitionSupervisorConfig", () => {
  test("§8.61 groups are named after partitions, programs <group>_<name>; starting, stopping, destroying one partition never restarts another", async () => {
    const node = await Node.create({ partitions: 2 });
    await node.supply(service);
    expect((await node.node("software")).code).toBe(0);
    await node.request("a", service);
    await node.request("b", service);
    expect((await node.node("instance")).code).toBe(0);
    const conf = readFileSync(join(node.inst, "etc", "supervisord.conf.d", "slappart1.conf"), "utf8");
    expect(conf).toStartWith("[group:slappart1]\nprograms=slappart1_daemon\n\n[program:slappart1_daemon]\n");
    expect(conf).toContain("\nprocess_name=daemon-on-watch\n");
    await waitFor(async () => (await node.processInfo("slappart1:daemon-on-watch"))?.statename === "RUNNING", 20, "running");
    const pid = (await node.processInfo("slappart1:daemon-on-watch"))!.pid;
    for (const state of ["stopped", "started", "destroyed"]) {
      await node.request("a", service, { state });
      expect((await node.node("instance")).code).toBe(0);
      expect((await node.processInfo("slappart1:daemon-on-watch"))!.pid).toBe(pid);
    }
    expect((await node.node("report")).code).toBe(0);
    expect((await node.processInfo("slappart1:daemon-on-watch"))!.pid).toBe(pid);
  });
});

describe("§8.18–8.20 the watchdog", () => {
  const dying = writeRelease(releases, "dying", {
    instance: instanceProfile({
      service: scriptPart("etc/service/daemon", "sleep 0.3\nexit 1"),
      runner: scriptPart("etc/run/runner", "sleep 0.3\nexit 1"),
    }),
  });

  test("§8.18 test_one_failing_daemon_in_service_will_bang_with_watchdog / test_one_failing_daemon_in_run_will_not_bang_with_watchdog; §8.20 once per deployment", async () => {
    const node = await Node.create();
    await node.deploy(dying);
    expect((await node.node("instance")).code).toBe(0);
    const bangs = () => node.calls.filter((c) => c.path === "softwareInstanceBang");
    await waitFor(() => bangs().length === 1, 20, "a bang");
    expect(bangs()[0].fields).toEqual({
      computer_id: node.computerId,
      computer_partition_id: "slappart0",
      message: "daemon-on-watch process in partition slappart0 encountered a problem",
    });
    const timestamp = readFileSync(join(node.partition(0), ".timestamp"), "utf8");
    await waitFor(() => existsSync(join(node.partition(0), ".slapos_latest_bang_timestamp")), 20, "the bang file");
    // both died; a second death in the same deployment does not bang again
    await node.supervisor().call("startProcessGroup", "slappart0", true).catch(() => undefined);
    await waitFor(async () => (await node.processInfo("slappart0:daemon-on-watch"))?.statename === "EXITED", 20, "exited again");
    await Bun.sleep(300);
    expect(bangs().length).toBe(1);
    expect([timestamp, "0"]).toContain(readFileSync(join(node.partition(0), ".slapos_latest_bang_timestamp"), "utf8"));
  });
});

/** `slapos node watchdog` as supervisord runs it: a real process fed events on stdin. */
async function startWatchdog(node: Node) {
  const child = Bun.spawn(
    [BINARY, "node", "watchdog", "--master-url", node.master.url, "--computer-id", node.computerId, "--instance-root", node.inst],
    { stdin: "pipe", stdout: "pipe", stderr: "pipe" },
  );
  const reader = child.stdout.getReader();
  let buffered = "";
  const until = async (token: string) => {
    while (!buffered.includes(token)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`watchdog ended before ${token}: ${buffered}`);
      buffered += new TextDecoder().decode(value);
    }
    buffered = buffered.slice(buffered.indexOf(token) + token.length);
  };
  await until("READY\n");
  let serial = 0;
  return {
    /** Send one event; resolves once the watchdog acknowledged it (RESULT 2\nOK) and is ready again. */
    async send(eventname: string, processname: string, groupname = "slappart0") {
      const payload = `processname:${processname} groupname:${groupname} from_state:RUNNING expected:0 pid:1`;
      serial++;
      child.stdin.write(`ver:3.0 server:supervisor serial:${serial} pool:watchdog poolserial:${serial} eventname:${eventname} len:${Buffer.byteLength(payload)}\n${payload}`);
      child.stdin.flush();
      await until("RESULT 2\nOK");
      await until("READY\n");
    },
    async stop() {
      child.stdin.end();
      await child.exited;
    },
  };
}

describe("§8.19–8.20 the watchdog's rules, event by event", () => {
  const bangs = (node: Node) => node.calls.filter((c) => c.path === "softwareInstanceBang");

  test("§8.19 test_watched_by_watchdog_bang / test_unwanted_events_will_not_bang / test_not_watched_by_watchdog_do_not_bang", async () => {
    const node = await Node.create({ partitions: 0 });
    mkdirSync(join(node.inst, "slappart0"), { recursive: true });
    writeFileSync(join(node.inst, "slappart0", ".timestamp"), "1");
    const watchdog = await startWatchdog(node);
    node.calls = [];
    for (const event of ["PROCESS_STATE_STOPPED", "PROCESS_STATE_RUNNING", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_STARTING"]) {
      await watchdog.send(event, "daemon-on-watch");
    }
    await watchdog.send("PROCESS_STATE_EXITED", "daemon");
    await watchdog.send("PROCESS_STATE_FATAL", "daemon");
    expect(bangs(node)).toEqual([]);
    await watchdog.send("PROCESS_STATE_FATAL", "daemon-on-watch");
    expect(bangs(node).map((c) => c.fields.message)).toEqual(["daemon-on-watch process in partition slappart0 encountered a problem"]);
    await watchdog.stop();
  });

  test("§8.20 test_watchdog_create_bang_file_after_bang / …bang_only_once_if_timestamp_did_not_change / …ignore_bang_if_partition_not_deployed / …bang_only_once_if_partition_never_deployed", async () => {
    const node = await Node.create({ partitions: 0 });
    const path = join(node.inst, "slappart0");
    mkdirSync(path, { recursive: true });
    const watchdog = await startWatchdog(node);
    node.calls = [];
    // never deployed (no .timestamp): one bang, then none
    await watchdog.send("PROCESS_STATE_EXITED", "daemon-on-watch");
    await watchdog.send("PROCESS_STATE_EXITED", "daemon-on-watch");
    expect(bangs(node).length).toBe(1);
    expect(readFileSync(join(path, ".slapos_latest_bang_timestamp"), "utf8")).toBe("0");
    // deployed: one bang per .timestamp, recorded in the bang file
    writeFileSync(join(path, ".timestamp"), "1700000000.5");
    await watchdog.send("PROCESS_STATE_EXITED", "daemon-on-watch");
    await watchdog.send("PROCESS_STATE_EXITED", "daemon-on-watch");
    expect(bangs(node).length).toBe(2);
    expect(readFileSync(join(path, ".slapos_latest_bang_timestamp"), "utf8")).toBe("1700000000.5");
    // a bang file but no .timestamp (not deployed since): ignored
    (await import("node:fs")).rmSync(join(path, ".timestamp"));
    await watchdog.send("PROCESS_STATE_EXITED", "daemon-on-watch");
    expect(bangs(node).length).toBe(2);
    await watchdog.stop();
  });
});

describe("§8.54 TestSVCBackend", () => {
  test("§8.54 a supervisor that cannot start fails the run with 'Failed to launch supervisord'", async () => {
    const node = await Node.create({ partitions: 0 });
    // the socket's place is taken by a folder: nothing can listen there
    mkdirSync(join(node.inst, "sv.sock"));
    const run = await node.node("instance");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Failed to launch supervisord");
  });

  test("§8.54 a legacy supervisord.socket is used when it exists, and a second supervisor on sv.sock is shut down", async () => {
    const node = await Node.create();
    await node.deploy(service);
    // a legacy node: its supervisor listens on supervisord.socket
    writeFileSync(join(node.inst, "supervisord.socket"), "");
    await createSupervisordConfiguration(node.inst);
    const legacy = await slapos(["node", "supervisord", "-c", join(node.inst, "etc", "supervisord.conf")], { env: { SLAPOS_BINARY: BINARY } });
    expect(legacy.code).toBe(0);
    const legacyRpc = supervisorClient(join(node.inst, "supervisord.socket"));
    expect(((await legacyRpc.call("getState")) as { statename: string }).statename).toBe("RUNNING");
    // and one on sv.sock, left by slapos.core 1.6.1
    const conf = join(node.dir, "second.conf");
    writeFileSync(
      conf,
      readFileSync(join(node.inst, "etc", "supervisord.conf"), "utf8")
        .replaceAll(join(node.inst, "supervisord.socket"), join(node.inst, "sv.sock"))
        .replace(join(node.inst, "var", "run", "supervisord.pid"), join(node.dir, "second.pid"))
        .replace(join(node.inst, "var", "log", "supervisord.log"), join(node.dir, "second.log")),
    );
    expect((await slapos(["node", "supervisord", "-c", conf])).code).toBe(0);
    const second = Number(readFileSync(join(node.dir, "second.pid"), "utf8"));
    const run = await node.node("instance");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`Using legacy supervisor socket path ${join(node.inst, "supervisord.socket")}`);
    expect(run.stderr).toContain("We have two supervisord running !");
    await waitFor(() => !alive(second), 20, "the second supervisor to stop");
    const info = (await legacyRpc.call("getProcessInfo", "slappart0:daemon-on-watch")) as { statename: string };
    expect(["STARTING", "RUNNING"]).toContain(info.statename);
    await legacyRpc.call("shutdown");
  });
});

