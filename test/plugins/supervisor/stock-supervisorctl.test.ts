/**
 * The stock supervisorctl (Debian's `supervisor` package) drives our
 * daemon through a whole session: status, start, stop, restart, tail,
 * reread and update after a program was added, changed and removed,
 * avail, pid, shutdown.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { isAlive, makeInstance, program, script, startDaemon, stockCtl, type Instance } from "./helpers.ts";

const instance: Instance = makeInstance();
const ctl = (...args: string[]) => stockCtl(instance.conf, args);

async function pidOf(name: string): Promise<number> {
  const result = await ctl("pid", name);
  return Number(result.stdout.trim());
}

describe("stock supervisorctl against our daemon", () => {
  beforeAll(async () => {
    const loop = script(join(instance.dir, "loop.sh"), 'echo "hello $1"; exec sleep 1000');
    writeFileSync(join(instance.confDir, "a.conf"), program(instance, "a", `${loop} a`));
    writeFileSync(join(instance.confDir, "b.conf"), program(instance, "b", `${loop} b`, { autostart: false }));
    writeFileSync(join(instance.confDir, "keep.conf"), program(instance, "keep", `${loop} keep`));
    await startDaemon(instance);
    await waitFor(async () => (await ctl("status", "a")).stdout.includes("RUNNING"), 30, "a running");
  });

  test("status lists every process with supervisorctl's columns and exits 3 when one is stopped", async () => {
    const result = await ctl("status");
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^a {32}RUNNING   pid \d+, uptime \d+:\d\d:\d\d$/);
    expect(lines[1]).toBe(`b${" ".repeat(32)}STOPPED   Not started`);
    expect(lines[2]).toMatch(/^keep {29}RUNNING   pid \d+, uptime /);
    expect(result.code).toBe(3);
  });

  test("start starts a stopped process", async () => {
    const result = await ctl("start", "b");
    expect(result.stdout).toBe("b: started\n");
    expect(result.code).toBe(0);
    expect((await ctl("status", "b")).stdout).toMatch(/^b +RUNNING +pid \d+/);
  });

  test("start of an unknown name says no such process", async () => {
    const result = await ctl("start", "nosuch");
    expect(result.stdout).toBe("nosuch: ERROR (no such process)\n");
    expect(result.code).toBe(1);
  });

  test("stop stops a running process", async () => {
    const result = await ctl("stop", "a");
    expect(result.stdout).toBe("a: stopped\n");
    expect((await ctl("status", "a")).stdout).toMatch(/^a +STOPPED +[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\n$/);
  });

  test("restart stops then starts, with a new pid", async () => {
    const before = await pidOf("b");
    const result = await ctl("restart", "b");
    expect(result.stdout).toBe("b: stopped\nb: started\n");
    const after = await pidOf("b");
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
  });

  test("tail shows the process's output", async () => {
    await waitFor(async () => (await ctl("tail", "b")).stdout.includes("hello b"), 20, "b output");
    const result = await ctl("tail", "b");
    expect(result.stdout).toContain("hello b\n");
    expect(result.code).toBe(0);
  });

  test("tail -f follows the log over HTTP until interrupted", async () => {
    const child = Bun.spawn(
      ["unshare", "-n", "sh", "-c", `ip link set lo up; timeout -s INT 2 supervisorctl -c '${instance.conf}' tail -f b`],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [stdout, stderr] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect(stdout).toStartWith("==> Press Ctrl-C to exit <==\n");
    expect(stdout).toContain("hello b\n");
    expect(stderr).toBe("");
  });

  test("reread reports added, changed and removed programs without touching them", async () => {
    const loop = join(instance.dir, "loop.sh");
    writeFileSync(join(instance.confDir, "c.conf"), program(instance, "c", `${loop} c`));
    writeFileSync(join(instance.confDir, "b.conf"), program(instance, "b", `${loop} b2`, { autostart: false }));
    rmSync(join(instance.confDir, "a.conf"));
    const result = await ctl("reread");
    expect(result.stdout).toBe("a: disappeared\nb: changed\nc: available\n");
    expect((await ctl("status", "b")).stdout).toMatch(/RUNNING/);
  });

  test("update applies the changes and leaves unchanged programs running", async () => {
    const keepBefore = await pidOf("keep");
    const result = await ctl("update");
    expect(result.stdout).toBe("a: stopped\na: removed process group\nb: stopped\nb: updated process group\nc: added process group\n");
    expect(await pidOf("keep")).toBe(keepBefore);
    await waitFor(async () => (await ctl("status", "c")).stdout.includes("RUNNING"), 20, "c running");
    const status = await ctl("status");
    expect(status.stdout).not.toMatch(/^a /m);
    expect(status.stdout).toMatch(/^b +STOPPED +Not started$/m);
  });

  test("avail lists configured processes with in use, autostart and priorities", async () => {
    const result = await ctl("avail");
    expect(result.stdout).toBe(
      [
        `b${" ".repeat(31)} in use    manual    999:999`,
        `c${" ".repeat(31)} in use    auto      999:999`,
        `keep${" ".repeat(28)} in use    auto      999:999`,
        "",
      ].join("\n"),
    );
  });

  test("pid gives the daemon's pid, and a process's", async () => {
    const daemon = Number(readFileSync(instance.pidfile, "utf8").trim());
    expect((await ctl("pid")).stdout).toBe(`${daemon}\n`);
    const c = await pidOf("c");
    expect(isAlive(c)).toBe(true);
  });

  test("shutdown stops the processes and the daemon", async () => {
    const daemon = Number(readFileSync(instance.pidfile, "utf8").trim());
    const keep = await pidOf("keep");
    const result = await ctl("shutdown");
    expect(result.stdout).toBe("Shut down\n");
    await waitFor(() => !isAlive(daemon), 30, "daemon exit");
    expect(isAlive(keep)).toBe(false);
    expect(existsSync(instance.socket)).toBe(false);
    expect(existsSync(instance.pidfile)).toBe(false);
  });
});
