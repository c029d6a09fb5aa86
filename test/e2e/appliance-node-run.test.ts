/**
 * `slapos node run` through dist/slapos, with intervals shortened by its
 * options: runs start at once when the master changes, a run still going
 * is skipped, a master that does not answer is waited for with back-off,
 * SIGTERM stops the loop and its runs (not the partitions' services),
 * SIGHUP reads slapos.cfg again, a second loop exits 10 unless --replace.
 * Assertions are on what the loop did (its log, the node), never on time.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { standaloneDefinition } from "../../plugins/format/definition.ts";
import { alive, pidFromFile, terminate } from "../../core/node/run/procs.ts";
import { SlapClient } from "../../core/slap/client.ts";
import { ROOT, slapos, startSlapos } from "../helpers/binary.ts";
import { freePort, waitFor } from "../helpers/ports.ts";

const DEMO = resolve(ROOT, "examples/hello/software.cfg");

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}, 60_000);

/** A node folder with its slapos.cfg (not started): the master's port, the config path, its environment. */
async function nodeFolder(nodeRun = "") {
  // Not tempDir(): its removal runs before this file's afterAll, which needs the folder to stop the node.
  const dir = mkdtempSync(join(tmpdir(), "slapos-loop-"));
  cleanups.push(() => {
    if (!process.env.KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });
  const port = await freePort();
  for (const name of ["soft", "inst", "run"]) mkdirSync(join(dir, name));
  writeFileSync(join(dir, "definition.cfg"), standaloneDefinition({ partitionCount: 2, ipv4: "127.0.0.1", ipv6: "::1", user: "root" }));
  const cfg = join(dir, "slapos.cfg");
  const text = (extra: string) => `[slapos]
software_root = ${dir}/soft
instance_root = ${dir}/inst
master_url = http://127.0.0.1:${port}
computer_id = local
root_check = False
pidfile_software = ${dir}/run/software.pid
pidfile_instance = ${dir}/run/instance.pid
pidfile_report = ${dir}/run/report.pid

[slapformat]
input_definition_file = ${dir}/definition.cfg
partition_amount = 2
alter_user = false
alter_network = false
create_tap = false
create_tun = false
computer_xml = ${dir}/slapos.xml
public_ipv4_lookup = false

[slapproxy]
host = 127.0.0.1
port = ${port}
database_uri = ${dir}/proxy.db

[node-run]
${extra}
`;
  writeFileSync(cfg, text(nodeRun));
  const env = { SLAPOS_CONFIGURATION: cfg, SLAPOS_CLIENT_CONFIGURATION: cfg };
  return { dir, port, cfg, env, rewrite: (extra: string) => writeFileSync(cfg, text(extra)) };
}

type Folder = Awaited<ReturnType<typeof nodeFolder>>;

/** A running master for a folder, formatted, and the node's supervisor (as node-cycle.test.ts prepares a node). */
async function startMaster(folder: Folder) {
  const master = startSlapos(["proxy", "start"], { env: folder.env });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${folder.port}/getRunId`)).ok, 30, "the master");
  expect((await slapos(["node", "format", "--now"], { env: folder.env })).code).toBe(0);
  // The instance root's structure first: node software and node instance starting at the same moment on a
  // fresh node race to create it (core/node, reported).
  expect((await slapos(["node", "supervisord"], { env: folder.env })).code).toBe(0);
  return master;
}

/** `node run -v ARGS` with its log collected. */
function startLoop(folder: Folder, ...args: string[]) {
  const child = startSlapos(["node", "run", "-v", "--jitter", "0", ...args], { env: folder.env });
  let log = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) log += decoder.decode(chunk);
  })();
  return {
    child,
    log: () => log,
    /** Wait until the log (from `from` on) matches. */
    until: (pattern: RegExp, from = 0, seconds = 60) =>
      waitFor(() => pattern.test(log.slice(from)), seconds, `${pattern} in the loop's log`).catch((error) => {
        throw new Error(`${(error as Error).message}; the log was:\n${log}`);
      }),
  };
}

function isSleep30(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").includes("sleep 30");
  } catch {
    return false;
  }
}

function descendantOf(pid: number, ancestor: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, "latin1").includes(`SLAPOS_NODE_RUN=${ancestor}.`);
  } catch {
    return false;
  }
}

/** A software release whose build takes a while. */
function slowRelease(dir: string, seconds: number): string {
  const path = join(dir, `slow-${seconds}.cfg`);
  writeFileSync(path, `[buildout]\nparts = slow\n\n[slow]\nrecipe = plone.recipe.command\ncommand = sleep ${seconds}\nstop-on-error = true\n`);
  return path;
}


/** Stop the supervisor a node run launched (by its pidfile: supervisorctl would launch one that is not there). */
async function stopSupervisor(folder: Folder): Promise<void> {
  const pid = pidFromFile(join(folder.dir, "inst", "var", "run", "supervisord.pid"));
  if (pid !== undefined) await terminate([pid], 30);
}

function whenDone(folder: Folder, master: ReturnType<typeof startSlapos>, loops: Array<{ child: ReturnType<typeof startSlapos> }>) {
  cleanups.push(async () => {
    for (const loop of loops) {
      loop.child.kill("SIGTERM");
      await loop.child.exited;
    }
    await stopSupervisor(folder);
    master.kill();
    await master.exited;
  });
}

/** Software and instance hourly (only a change on the master starts them sooner); the rest off. */
const HOURLY = "software_interval = 3600\ninstance_interval = 3600\ncollect_interval = 0\nreport_interval = 0\nformat_interval = 0";

describe("node run against a running master", () => {
  let folder: Folder;
  let master: ReturnType<typeof startSlapos>;
  let loop: ReturnType<typeof startLoop>;
  const loops: Array<ReturnType<typeof startLoop>> = [];

  beforeAll(async () => {
    folder = await nodeFolder(HOURLY);
    master = await startMaster(folder);
    loop = startLoop(folder, "--poll-interval", "0.2");
    loops.push(loop);
    whenDone(folder, master, loops);
    await loop.until(/node instance: done/);
  }, 120_000);

  test("a request starts software then instance at once, an hour before they are due; the demo answers", async () => {
    const from = loop.log().length;
    expect((await slapos(["supply", DEMO, "local"], { env: folder.env })).code).toBe(0);
    expect((await slapos(["request", "hello", DEMO], { env: folder.env })).code).toBe(0);
    await loop.until(/node software: started \(pid \d+; master changed\)/, from);
    await loop.until(/node instance: started \(pid \d+; (software release built|master changed, after software)\)/, from);
    const client = new SlapClient({ masterUrl: `http://127.0.0.1:${folder.port}` });
    let url = "";
    await waitFor(async () => {
      url = String((await client.requestComputerPartition({ softwareRelease: DEMO, partitionReference: "hello" })).getConnectionParameterDict().url ?? "");
      return url !== "" && (await fetch(url)).ok;
    }, 60, "the demo");
    expect(await (await fetch(url)).text()).toBe("Hello from hello!\n");
  }, 120_000);

  test("a run still going when the next is due is skipped, never started twice", async () => {
    folder.rewrite(HOURLY.replace("software_interval = 3600", "software_interval = 0.3"));
    let from = loop.log().length;
    loop.child.kill("SIGHUP");
    await loop.until(/SIGHUP: .* reloaded/, from);
    from = loop.log().length;
    expect((await slapos(["supply", slowRelease(folder.dir, 3), "local"], { env: folder.env })).code).toBe(0);
    await loop.until(/node software: started \(pid \d+; master changed\)/, from);
    process.kill(loop.child.pid, "SIGUSR1"); // asked for again while it runs
    await loop.until(/node software: started \(pid \d+; master changed\)[\s\S]*node software: done/, from, 120);
    const log = loop.log().slice(from);
    const slow = log.slice(log.search(/node software: started \(pid \d+; master changed\)/));
    const whileSlow = slow.slice(0, slow.indexOf("node software: done"));
    expect(whileSlow.match(/node software: started/g)!.length).toBe(1);
    expect(whileSlow).toMatch(/node software: still running \(pid \d+\), skipped/);
    expect(log).not.toContain("another run holds its pidfile");
    // What was asked for meanwhile runs once the first has ended.
    await loop.until(/node software: done[\s\S]*node software: started \(pid \d+; asked \(SIGUSR1\)\)/, from);
    folder.rewrite(HOURLY);
    from = loop.log().length;
    loop.child.kill("SIGHUP");
    await loop.until(/SIGHUP: .* reloaded/, from);
  }, 120_000);

  test("SIGTERM stops the loop and the run going, not the partitions' services", async () => {
    const from = loop.log().length;
    expect((await slapos(["supply", slowRelease(folder.dir, 30), "local"], { env: folder.env })).code).toBe(0);
    await loop.until(/node software: started \(pid (\d+); master changed\)/, from);
    const run = Number(/node software: started \(pid (\d+); master changed\)/.exec(loop.log().slice(from))![1]);
    const service = async () => /slappart0:hello-on-watch +RUNNING +pid (\d+)/.exec((await slapos(["node", "status"], { env: folder.env })).stdout)?.[1];
    const before = await service();
    expect(before).toBeDefined();
    loop.child.kill("SIGTERM");
    expect(await loop.child.exited).toBe(0);
    expect(alive(run)).toBe(false);
    expect(loop.log().slice(from)).toContain(`SIGTERM: stopping the node loop and node software (pid ${run})`);
    expect(await service()).toBe(before);
    // Nothing of the run is left, not even the build's own children (sleep 30).
    const marked = Bun.spawnSync(["sh", "-c", "grep -l -z '^SLAPOS_NODE_RUN=' /proc/[0-9]*/environ 2>/dev/null || true"]).stdout.toString();
    const runs = marked.split("\n").filter(Boolean).map((p) => Number(p.split("/")[2])).filter((pid) => descendantOf(pid, loop.child.pid) || isSleep30(pid));
    expect(runs).toEqual([]);
    expect(existsSync(join(folder.dir, "run", "slapos-node-run.pid"))).toBe(false);
  }, 120_000);
});

describe("node run: settings, back-off, pidfile", () => {
  test("SIGHUP reads slapos.cfg again: a run turned on there starts", async () => {
    const folder = await nodeFolder("collect_interval = 0\nreport_interval = 0\nformat_interval = 0\nsoftware_interval = 0\ninstance_interval = 0");
    const master = await startMaster(folder);
    const loop = startLoop(folder, "--poll-interval", "0.5");
    whenDone(folder, master, [loop]);
    await loop.until(/node loop started .*collect off/);
    folder.rewrite("collect_interval = 0.5\nreport_interval = 0\nformat_interval = 0\nsoftware_interval = 0\ninstance_interval = 0");
    const from = loop.log().length;
    loop.child.kill("SIGHUP");
    await loop.until(/SIGHUP: .* reloaded[\s\S]*node collect: started/, from);
    expect(loop.log().slice(0, from)).not.toContain("node collect: started");
  }, 120_000);

  test("a master that does not answer: runs wait, looks back off; when it answers, software and instance run at once", async () => {
    const folder = await nodeFolder("collect_interval = 0\nreport_interval = 0\nformat_interval = 0");
    const loop = startLoop(folder, "--software-interval", "0.2", "--instance-interval", "0.2", "--poll-interval", "0.2", "--max-backoff", "4");
    const holder = { master: undefined as ReturnType<typeof startSlapos> | undefined };
    cleanups.push(async () => {
      loop.child.kill("SIGTERM");
      await loop.child.exited;
      await stopSupervisor(folder);
      holder.master?.kill();
      await holder.master?.exited;
    });
    await loop.until(/(next look in [\d.]+ s[\s\S]*){2}/, 0, 90);
    // 1 s, 2 s, 4 s, ... up to --max-backoff, each ±20 %: the first look failed at start ("waiting for the master").
    const waits = [...loop.log().matchAll(/next look in ([\d.]+) s/g)].map((m) => Number(m[1]));
    expect(waits[0]).toBeGreaterThanOrEqual(1.6);
    expect(waits[0]).toBeLessThanOrEqual(2.4);
    expect(waits[1]).toBeGreaterThanOrEqual(3.2);
    expect(waits[1]).toBeLessThanOrEqual(4.8);
    expect(loop.log()).toContain("waiting for the master");
    expect(loop.log()).not.toMatch(/node (software|instance): started/);
    expect(loop.log()).toContain("node software: waits for the master");
    holder.master = startSlapos(["proxy", "start"], { env: folder.env });
    await loop.until(/the master answers again/, 0, 60);
    await loop.until(/node software: started \(pid \d+; master answers again\)/);
  }, 120_000);

  test("bad settings are one-line errors, and no loop starts", async () => {
    const folder = await nodeFolder("collect_interval = soon");
    const bad = await slapos(["node", "run"], { env: folder.env });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain(`collect-interval must be a number of seconds (0 or more), not "soon"`);
    const zero = await slapos(["node", "run", "--poll-interval", "0", "--collect-interval", "1"], { env: folder.env });
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain("poll-interval must be more than 0 seconds");
    expect(existsSync(join(folder.dir, "run", "slapos-node-run.pid"))).toBe(false);
  }, 60_000);

  test("a second loop exits 10; with --replace it takes the place of the first", async () => {
    const folder = await nodeFolder("collect_interval = 0\nreport_interval = 0\nformat_interval = 0\nsoftware_interval = 0\ninstance_interval = 0");
    const first = startLoop(folder);
    cleanups.push(() => first.child.kill("SIGTERM"));
    await first.until(/node loop started/);
    const second = await slapos(["node", "run"], { env: folder.env });
    expect(second.code).toBe(10);
    expect(second.stderr).toContain(`another slapos process is aleady running with pid ${first.child.pid}`);
    const third = startLoop(folder, "--replace");
    cleanups.push(() => third.child.kill("SIGTERM"));
    await third.until(/node loop started/);
    expect(await first.child.exited).toBe(0);
    expect(third.log()).toContain(`replacing the node loop running as pid ${first.child.pid}`);
    expect(readFileSync(join(folder.dir, "run", "slapos-node-run.pid"), "utf8")).toBe(String(third.child.pid));
    third.child.kill("SIGTERM");
    expect(await third.child.exited).toBe(0);
  }, 120_000);
});
