/**
 * The daemon's own controls: reload (restart in place), SIGHUP, SIGUSR2
 * (reopen logs), the main log over RPC, signals and stdin to a process.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { makeInstance, program, readText, rpc, script, startDaemon, stockCtl, waitState } from "./helpers.ts";

const instance = makeInstance();
const call = rpc(instance);
const daemonPid = () => Number(readFileSync(instance.pidfile, "utf8").trim());
const pidOf = async (name: string) => ((await call("getProcessInfo", name)) as { pid: number }).pid;

beforeAll(async () => {
  const trapper = script(join(instance.dir, "trap.sh"), "trap 'echo got USR1' USR1\nwhile true; do sleep 0.1; done");
  writeFileSync(join(instance.confDir, "t.conf"), program(instance, "trapper", trapper));
  const reader = script(join(instance.dir, "read.sh"), 'while read line; do echo "stdin: $line"; done');
  writeFileSync(join(instance.confDir, "r.conf"), program(instance, "reader", reader));
  await startDaemon(instance);
  await waitState(instance, "trapper", "RUNNING");
});

describe("daemon controls", () => {
  test("signalProcess delivers a signal to a running process", async () => {
    const result = await stockCtl(instance.conf, ["signal", "USR1", "trapper"]);
    expect(result.stdout).toBe("trapper: signalled\n");
    await waitFor(() => readText(join(instance.dir, "logs", "trapper.log")).includes("got USR1"), 20, "trap output");
  });

  test("sendProcessStdin writes to the process's stdin", async () => {
    await waitState(instance, "reader", "RUNNING");
    expect(await call("sendProcessStdin", "reader", "hello stdin\n")).toBe(true);
    await waitFor(() => readText(join(instance.dir, "logs", "reader.log")).includes("stdin: hello stdin"), 20, "stdin echo");
  });

  test("readLog and maintail read the main log", async () => {
    const tail = await stockCtl(instance.conf, ["maintail", "-2000"]);
    expect(tail.stdout).toContain("INFO spawned: 'trapper' with pid");
    expect(String(await call("readLog", 0, 0))).toStartWith(readFileSync(instance.log, "utf8").slice(0, 40));
    await expect(call("readLog", -10, 5)).rejects.toMatchObject({ faultCode: 3, faultString: "BAD_ARGUMENTS" });
  });

  test("SIGUSR2 reopens the log files (after an external rotation)", async () => {
    renameSync(instance.log, `${instance.log}.old`);
    process.kill(daemonPid(), "SIGUSR2");
    // As supervisord, the line announcing the reopen is the last one of the old file.
    await waitFor(() => readText(`${instance.log}.old`).includes("INFO supervisord logreopen"), 20, "reopen");
    await call("stopProcess", "reader");
    expect(readText(instance.log)).toContain("stopped: reader");
  });

  test("reload restarts every process in the same daemon", async () => {
    const daemon = daemonPid();
    const before = await pidOf("trapper");
    const result = await stockCtl(instance.conf, ["reload"]);
    expect(result.stdout).toBe("Restarted supervisord\n");
    await waitFor(async () => {
      const info = (await call("getProcessInfo", "trapper")) as { pid: number; statename: string };
      return info.statename === "RUNNING" && info.pid !== before;
    }, 30, "restarted process");
    expect(daemonPid()).toBe(daemon);
  });

  test("SIGHUP restarts too, and re-reads the configuration", async () => {
    writeFileSync(join(instance.confDir, "n.conf"), program(instance, "newcomer", "/bin/sleep 1000"));
    process.kill(daemonPid(), "SIGHUP");
    await waitState(instance, "newcomer", "RUNNING");
    expect(readText(instance.log)).toContain("WARN received SIGHUP indicating restart request");
    expect(existsSync(instance.socket)).toBe(true);
  });
});
