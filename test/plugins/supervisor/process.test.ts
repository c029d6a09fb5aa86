/**
 * The process state machine on real processes: back-off and FATAL, spawn
 * errors, autorestart, retrying forever, stop escalation, process groups,
 * no grandchildren left after a stop, no zombies, log rotation, the
 * child's environment.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { isAlive, makeInstance, procStat, program, readText, rpc, script, startDaemon, waitState } from "./helpers.ts";

const instance = makeInstance();
const call = rpc(instance);
const dir = instance.dir;
const out = (name: string) => join(dir, "logs", `${name}.log`);

function daemonPid(): number {
  return Number(readFileSync(instance.pidfile, "utf8").trim());
}

beforeAll(async () => {
  const conf = (name: string, text: string) => writeFileSync(join(instance.confDir, `${name}.conf`), text);
  const quick = script(join(dir, "quick.sh"), "echo quick; exit 3");
  conf("flaky", program(instance, "flaky", quick, { startsecs: 1, startretries: 2 }));
  conf("missing", program(instance, "missing", "/nonexistent/program", { startretries: 1 }));
  writeFileSync(join(dir, "noexec.sh"), "#!/bin/sh\n");
  conf("noexec", program(instance, "noexec", join(dir, "noexec.sh"), { autostart: false }));
  const short = script(join(dir, "short.sh"), "sleep 0.2; exit ${1:-0}");
  conf("again", program(instance, "again", short, { autorestart: true }));
  conf("expected", program(instance, "expected", `${short} 0`, { autorestart: "unexpected" }));
  conf("unexpected", program(instance, "unexpected", `${short} 4`, { autorestart: "unexpected", autostart: false }));
  conf("forever", program(instance, "forever", quick, { startsecs: 1, startretries: "forever" }));
  const spawner = script(
    join(dir, "spawner.sh"),
    `setsid sleep 1001 & echo $! > ${dir}/setsid.pid\n(setsid sleep 1002 & echo $! > ${dir}/orphan.pid) \nsleep 1003 & echo $! > ${dir}/child.pid\nexec sleep 1000`,
  );
  conf("spawner", program(instance, "spawner", spawner, { stopasgroup: false, killasgroup: false }));
  const stubborn = script(join(dir, "stubborn.sh"), "trap '' TERM; echo ready; while true; do sleep 0.1; done");
  conf("stubborn", program(instance, "stubborn", stubborn, { stopwaitsecs: 1, stopasgroup: true }));
  const chatty = script(join(dir, "chatty.sh"), "i=0; while [ $i -lt 300 ]; do echo 0123456789012345678901234567890123456789; sleep 0.002; i=$((i+1)); done; exec sleep 1000");
  conf("chatty", program(instance, "chatty", chatty, { stdout_logfile_maxbytes: "4KB", stdout_logfile_backups: 2 }));
  const envdump = script(join(dir, "env.sh"), "env | sort; pwd; umask; exec sleep 1000");
  conf(
    "envdump",
    program(instance, "envdump", envdump, { environment: 'GREETING="hello world",OTHER=x', directory: dir, umask: "027" }),
  );
  await startDaemon(instance);
});

describe("process control", () => {
  test("a program that exits before startsecs backs off, then goes FATAL after startretries", async () => {
    const info = await waitState(instance, "flaky", "FATAL");
    expect(info.description).toBe("Exited too quickly (process log may have details)");
    const log = readText(instance.log);
    expect(log.match(/spawned: 'flaky' with pid/g)).toHaveLength(3);
    expect(log).toContain("gave up: flaky entered FATAL state, too many start retries too quickly");
  });

  test("a missing command is FATAL with the reason in the log, and the daemon keeps running", async () => {
    const info = await waitState(instance, "missing", "FATAL");
    expect(info.description).toBe("can't find command '/nonexistent/program'");
    expect(readText(instance.log)).toContain("INFO spawnerr: can't find command '/nonexistent/program'");
    expect((await call("getState")) as object).toEqual({ statecode: 1, statename: "RUNNING" });
  });

  test("starting a missing or non-executable command is refused with NO_FILE or NOT_EXECUTABLE", async () => {
    await expect(call("startProcess", "missing")).rejects.toMatchObject({ faultCode: 20 });
    await expect(call("startProcess", "noexec")).rejects.toMatchObject({
      faultCode: 21,
      faultString: `NOT_EXECUTABLE: command at '${join(dir, "noexec.sh")}' is not executable`,
    });
  });

  test("autorestart=true starts the program again after it exits", async () => {
    const first = (await waitState(instance, "again", "RUNNING")).pid;
    await waitFor(async () => ((await call("getProcessInfo", "again")) as { pid: number }).pid !== first, 20, "restart");
    expect(readText(instance.log)).toContain("exited: again (exit status 0; expected)");
  });

  test("autorestart=unexpected leaves an expected exit alone", async () => {
    const info = await waitState(instance, "expected", "EXITED");
    expect(info.exitstatus).toBe(0);
    expect(readText(instance.log).match(/spawned: 'expected'/g)).toHaveLength(1);
  });

  test("autorestart=unexpected restarts after an unexpected exit code", async () => {
    await call("startProcess", "unexpected");
    await waitFor(() => (readText(instance.log).match(/spawned: 'unexpected'/g) ?? []).length >= 2, 20, "second spawn");
    expect(readText(instance.log)).toContain("exited: unexpected (exit status 4; not expected)");
  });

  test("startretries=forever keeps retrying past the default 3 tries", async () => {
    await waitFor(() => (readText(instance.log).match(/spawned: 'forever'/g) ?? []).length >= 5, 30, "5 tries");
    const info = (await call("getProcessInfo", "forever")) as { statename: string };
    expect(["BACKOFF", "STARTING"]).toContain(info.statename);
  }, 40_000);

  test("each process leads its own process group", async () => {
    const { pid } = (await waitState(instance, "spawner", "RUNNING")) as { pid: number };
    expect(Number(procStat(pid)![2])).toBe(pid);
  });

  test("a stop leaves no grandchildren behind, even those that left the process group", async () => {
    await waitFor(() => ["setsid", "orphan", "child"].every((n) => existsSync(join(dir, `${n}.pid`))), 20, "pid files");
    const pids = ["setsid", "orphan", "child"].map((n) => Number(readFileSync(join(dir, `${n}.pid`), "utf8").trim()));
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    await call("stopProcess", "spawner");
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 20, "grandchildren gone");
  });

  test("a process that ignores its stop signal is killed after stopwaitsecs", async () => {
    await waitFor(() => readText(out("stubborn")).includes("ready"), 20, "stubborn ready");
    await call("stopProcess", "stubborn");
    const info = (await call("getProcessInfo", "stubborn")) as { statename: string };
    expect(info.statename).toBe("STOPPED");
    expect(readText(instance.log)).toMatch(/WARN killing 'stubborn' \(\d+\) with SIGKILL/);
    expect(readText(instance.log)).toContain("stopped: stubborn (terminated by SIGKILL)");
  });

  test("no zombie is left among the daemon's children", async () => {
    await waitFor(() => (readText(instance.log).match(/spawned: 'again'/g) ?? []).length >= 3, 20, "restarts");
    const daemon = daemonPid();
    const zombies = readdirSync("/proc")
      .filter((n) => /^\d+$/.test(n))
      .map((n) => procStat(Number(n)))
      .filter((s) => s && Number(s[1]) === daemon && s[0] === "Z");
    expect(zombies).toEqual([]);
  });

  test("stdout is rotated at maxbytes, keeping the configured backups", async () => {
    await waitFor(() => existsSync(`${out("chatty")}.2`), 20, "second backup");
    expect(existsSync(`${out("chatty")}.3`)).toBe(false);
    expect(statSync(`${out("chatty")}.1`).size).toBeGreaterThanOrEqual(4096);
    expect(statSync(`${out("chatty")}.1`).size).toBeLessThan(4096 + 4096);
  }, 30_000);

  test("the child gets the SUPERVISOR_* variables, its environment, directory and umask", async () => {
    await waitFor(() => readText(out("envdump")).includes("0027"), 20, "env dump");
    const text = readText(out("envdump"));
    expect(text).toContain("SUPERVISOR_ENABLED=1\n");
    expect(text).toContain("SUPERVISOR_PROCESS_NAME=envdump\n");
    expect(text).toContain("SUPERVISOR_GROUP_NAME=envdump\n");
    expect(text).toContain(`SUPERVISOR_SERVER_URL=unix://${instance.socket}\n`);
    expect(text).toContain("GREETING=hello world\n");
    expect(text).toContain(`\n${dir}\n0027\n`);
  });
});
