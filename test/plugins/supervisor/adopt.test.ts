/**
 * kill -9 of the daemon, then a new daemon of the same configuration: it
 * adopts the processes the first one left running (same pid, RUNNING,
 * original start time), reads their output again (what they wrote
 * meanwhile included: they did not die of SIGPIPE), stops and signals
 * them, notices when they exit (then autorestart and the watchdog's event
 * as for its own children), starts nothing twice, restarts what changed
 * and stops what the configuration no longer has. All through the
 * compiled binary, real processes, the stock supervisorctl for status.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pidsWithEnvironment } from "../../../core/node/run/procs.ts";
import { BINARY } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { isAlive, killDaemon, makeInstance, procStat, program, readText, rpc, script, startDaemon, stockCtl, waitState, type Instance } from "./helpers.ts";

type Info = { pid: number; start: number; statename: string; exitstatus: number; spawnerr: string };

const instance = makeInstance("", "sv-adopt-");
const call = rpc(instance);
const dir = instance.dir;
const info = async (name: string) => (await call("getProcessInfo", name)) as unknown as Info;
const daemonPid = () => Number(readFileSync(instance.pidfile, "utf8").trim());
/** Processes carrying a program's markers whose parent does not: the copies of it that run. */
const marked = (inst: Instance, name: string) => {
  const pids = pidsWithEnvironment([`SUPERVISOR_SERVER_URL=unix://${inst.socket}`, `SUPERVISOR_PROCESS_NAME=${name}`]);
  return pids.filter((pid) => !pids.includes(Number(procStat(pid)?.[1])));
};

const bangs: Array<Record<string, string>> = [];
let master: ReturnType<typeof Bun.serve> | undefined;
const before: Record<string, Info> = {};

const conf = (name: string, text: string) => writeFileSync(join(instance.confDir, `${name}.conf`), text);
const flag = (name: string) => join(dir, `${name}.flag`);
/** Waits for its flag file, removes it and exits 3. */
const quitter = () => script(join(dir, "quitter.sh"), `while [ ! -e "$1" ]; do sleep 0.05; done; rm -f "$1"; exit 3`);

beforeAll(async () => {
  const port = await freePort();
  master = Bun.serve({
    port,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (new URL(request.url).pathname === "/softwareInstanceBang") bangs.push(Object.fromEntries(new URLSearchParams(await request.text())));
      return new Response("OK");
    },
  });
  const ticker = script(
    join(dir, "ticker.sh"),
    `sleep 1001 & echo $! > ${dir}/grandchild.pid\nsetsid sleep 1002 & echo $! > ${dir}/escaped.pid\n` +
      `trap 'echo got USR1' USR1\ni=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.05; done`,
  );
  conf("steady", program(instance, "steady", ticker));
  const two = script(join(dir, "two.sh"), `i=0; while true; do i=$((i+1)); echo "out $i"; echo "err $i" >&2; sleep 0.05; done`);
  conf("two", program(instance, "two", two, { redirect_stderr: false, stderr_logfile: join(dir, "logs", "two.err") }));
  const stubborn = script(join(dir, "stubborn.sh"), "trap '' TERM; while true; do sleep 0.05; done");
  conf("stubborn", program(instance, "stubborn", stubborn, { stopwaitsecs: 3 }));
  conf("keeper", program(instance, "keeper", "sleep 1000", { autorestart: true }));
  conf("quitter", program(instance, "quitter", `${quitter()} ${flag("quitter")}`, { autorestart: true }));
  conf("changed", program(instance, "changed", "sleep 1000", { environment: "VERSION=1" }));
  conf("removed", program(instance, "removed", "sleep 1000"));
  mkdirSync(join(dir, "slappart0"));
  writeFileSync(join(dir, "slappart0", ".timestamp"), "1700000000");
  conf(
    "slappart0",
    `[group:slappart0]\nprograms=slappart0_svc\n\n` +
      program(instance, "slappart0_svc", `${quitter()} ${flag("svc")}`, { process_name: "svc-on-watch", autorestart: false }),
  );
  conf(
    "watchdog",
    `[eventlistener:watchdog]\ncommand=${BINARY} node watchdog --master-url 'http://127.0.0.1:${port}' --computer-id COMP-1 --instance-root '${dir}'\n` +
      `events=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL\nstderr_logfile=${join(dir, "logs", "watchdog.err")}\n`,
  );
  await startDaemon(instance);
  for (const name of ["steady", "two", "stubborn", "keeper", "quitter", "changed", "removed", "slappart0:svc-on-watch", "watchdog"]) {
    before[name] = (await waitState(instance, name, "RUNNING")) as unknown as Info;
  }
  await waitFor(() => readText(join(dir, "logs", "steady.log")).includes("tick 3"), 20, "ticks");

  // While no daemon runs: one program changes, another goes away.
  conf("changed", program(instance, "changed", "sleep 1000", { environment: "VERSION=2" }));
  rmSync(join(instance.confDir, "removed.conf"));
  // One process is being stopped when the daemon dies (it ignores SIGTERM; SIGKILL is 3 s away).
  await call("stopProcess", "stubborn", false);
  await waitFor(() => readText(join(dir, "supervisord.processes.json")).includes('"name":"stubborn","pid":' + before.stubborn.pid), 10, "stubborn noted");
  await waitFor(() => /"name":"stubborn"[^}]*"state":"STOPPING"/.test(readText(join(dir, "supervisord.processes.json"))), 10, "STOPPING noted");
  await killDaemon(instance);
  await Bun.sleep(300); // the ticker writes into its pipe meanwhile
  await startDaemon(instance);
}, 120_000);

afterAll(async () => {
  master?.stop(true);
  // Whatever a failed test left: nothing of this instance may outlive the file.
  for (const name of ["steady", "two", "stubborn", "keeper", "quitter", "changed", "removed", "svc-on-watch", "watchdog"]) {
    for (const pid of pidsWithEnvironment([`SUPERVISOR_SERVER_URL=unix://${instance.socket}`, `SUPERVISOR_PROCESS_NAME=${name}`])) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
});

describe("a new daemon adopts what the killed one left running", () => {
  test("status (stock supervisorctl) shows the same pid RUNNING, with its original start time", async () => {
    const status = await stockCtl(instance.conf, ["status", "steady"]);
    expect(status.stdout).toMatch(new RegExp(`^steady\\s+RUNNING\\s+pid ${before.steady.pid}, uptime `));
    expect((await info("steady")).start).toBe(before.steady.start);
    expect(readText(instance.log)).toContain(`adopted: 'steady' with pid ${before.steady.pid}, started by a previous supervisord`);
  });

  test("what it wrote while no daemon ran reaches its log, nothing lost (no SIGPIPE)", async () => {
    const latest = () => Math.max(...[...readText(join(dir, "logs", "steady.log")).matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1])));
    const seen = latest();
    await waitFor(() => latest() > seen + 3, 20, "new ticks");
    const ticks = [...readText(join(dir, "logs", "steady.log")).matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ticks.slice(0, ticks.length - 1)).toEqual(ticks.slice(0, ticks.length - 1).map((_, i) => i + 1));
  });

  test("stdout and stderr on separate pipes are both read again", async () => {
    const last = (file: string, word: string) =>
      Math.max(0, ...[...readText(join(dir, "logs", file)).matchAll(new RegExp(`^${word} (\\d+)$`, "gm"))].map((m) => Number(m[1])));
    const out = last("two.log", "out");
    const err = last("two.err", "err");
    await waitFor(() => last("two.log", "out") > out + 3 && last("two.err", "err") > err + 3, 20, "both streams");
    expect(readText(join(dir, "logs", "two.log"))).not.toContain("err ");
    expect((await info("two")).pid).toBe(before.two.pid);
  });

  test("a process the killed daemon was stopping is stopped (SIGKILL after stopwaitsecs)", async () => {
    await waitState(instance, "stubborn", "STOPPED", 30);
    expect(isAlive(before.stubborn.pid)).toBe(false);
    expect(readText(instance.log)).toContain("stopping stubborn: the previous supervisord was stopping it");
    expect(readText(instance.log)).toContain(`killing 'stubborn' (${before.stubborn.pid}) with SIGKILL`);
  });

  test("a program with autorestart=true is not started a second time", async () => {
    expect((await info("keeper")).pid).toBe(before.keeper.pid);
    expect(marked(instance, "keeper")).toEqual([before.keeper.pid]);
    expect(readText(instance.log).match(/spawned: 'keeper'/g)).toHaveLength(1);
  });

  test("a signal reaches an adopted process", async () => {
    expect(await call("signalProcess", "steady", "USR1")).toBe(true);
    await waitFor(() => readText(join(dir, "logs", "steady.log")).includes("got USR1"), 20, "USR1 handled");
  });

  test("an adopted program that exits is seen as exited (status unknown) and restarted per autorestart", async () => {
    writeFileSync(flag("quitter"), "");
    await waitFor(async () => (await info("quitter")).pid !== before.quitter.pid && (await info("quitter")).statename === "RUNNING", 20, "restart");
    expect(readText(instance.log)).toContain("exited: quitter (exit status unknown: adopted from a previous supervisord; not expected)");
    expect(marked(instance, "quitter")).toEqual([(await info("quitter")).pid]);
  });

  test("the watchdog gets PROCESS_STATE_EXITED of an adopted -on-watch program and bangs the master", async () => {
    writeFileSync(flag("svc"), "");
    await waitFor(() => bangs.length === 1, 30, "bang");
    expect(bangs[0]).toEqual({
      computer_id: "COMP-1",
      computer_partition_id: "slappart0",
      message: "svc-on-watch process in partition slappart0 encountered a problem",
    });
    const svc = await info("slappart0:svc-on-watch");
    expect(svc.statename).toBe("EXITED");
    expect(svc.exitstatus).toBe(-1);
  });

  test("the event listener is not adopted: one watchdog runs, not the killed daemon's", async () => {
    const watchdog = await info("watchdog");
    expect(watchdog.statename).toBe("RUNNING");
    expect(watchdog.pid).not.toBe(before.watchdog.pid);
    expect(isAlive(before.watchdog.pid)).toBe(false);
  });

  test("a program whose configuration changed while no daemon ran is stopped and started again", async () => {
    const now = await waitState(instance, "changed", "RUNNING");
    expect(now.pid).not.toBe(before.changed.pid);
    expect(isAlive(before.changed.pid)).toBe(false);
    expect(readFileSync(`/proc/${now.pid}/environ`, "latin1").split("\0")).toContain("VERSION=2");
  });

  test("a program the configuration no longer has is stopped", async () => {
    await waitFor(() => !isAlive(before.removed.pid), 20, "removed stopped");
    await expect(call("getProcessInfo", "removed")).rejects.toMatchObject({ faultCode: 10 });
    expect(readText(instance.log)).toContain(`stopping 'removed' (pid ${before.removed.pid}), started by a previous supervisord`);
  });

  test("stop (stock supervisorctl) stops an adopted process and its grandchildren", async () => {
    const grandchild = Number(readText(join(dir, "grandchild.pid")));
    const escaped = Number(readText(join(dir, "escaped.pid")));
    expect(isAlive(grandchild) && isAlive(escaped)).toBe(true);
    const stop = await stockCtl(instance.conf, ["stop", "steady"]);
    expect(stop.stdout).toBe("steady: stopped\n");
    expect((await info("steady")).statename).toBe("STOPPED");
    expect(isAlive(before.steady.pid)).toBe(false);
    await waitFor(() => !isAlive(grandchild) && !isAlive(escaped), 20, "grandchildren gone");
  });

  test("the state file lists the running processes, and a shutdown stops the adopted ones and removes it", async () => {
    const state = JSON.parse(readText(join(dir, "supervisord.processes.json"))) as { processes: Array<{ name: string; pid: number }> };
    expect(state.processes.find((p) => p.name === "keeper")?.pid).toBe(before.keeper.pid);
    expect(state.processes.some((p) => p.name === "steady")).toBe(false);
    const daemon = daemonPid();
    expect((await stockCtl(instance.conf, ["shutdown"])).stdout).toBe("Shut down\n");
    await waitFor(() => !isAlive(daemon), 30, "shutdown");
    expect(isAlive(before.keeper.pid)).toBe(false);
    expect(existsSync(join(dir, "supervisord.processes.json"))).toBe(false);
  });
});
