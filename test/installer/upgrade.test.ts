/**
 * Upgrading in place: install.sh replaces /opt/slapos/bin/slapos with a
 * rename, so what runs from the former binary keeps running (its image
 * stays mapped) — the supervisor daemon and the programs it started, the
 * master — while every new invocation gets the new binary.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../helpers/binary.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { tempDir } from "../helpers/tmp.ts";
import { install } from "./helpers.ts";

const started: Array<{ kill(signal?: number | NodeJS.Signals): void; exited: Promise<number> }> = [];
afterAll(async () => {
  for (const child of started) child.kill("SIGTERM");
  await Promise.all(started.map((c) => c.exited));
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A copy of the binary at another path: what a newer build would be. */
function newerBinary(): string {
  const path = join(tempDir(), "slapos");
  copyFileSync(BINARY, path);
  return path;
}

function upgrade(root: string) {
  const before = statSync(join(root, "opt/slapos/bin/slapos")).ino;
  const r = install(["--prefix", root, "--binary", newerBinary()]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("install.sh: upgraded: slapos ");
  expect(statSync(join(root, "opt/slapos/bin/slapos")).ino).not.toBe(before);
}

const hasSupervisor = Bun.spawnSync([BINARY, "help", "node", "supervisord"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

describe("upgrade in place", () => {
  test("a master started from the installed binary keeps running and serving across the upgrade", async () => {
    const root = tempDir();
    expect(install(["--prefix", root, "--binary", BINARY]).code).toBe(0);
    const port = await freePort();
    const cfg = join(root, "etc/opt/slapos/slapos-proxy.cfg");
    writeFileSync(cfg, `[slapos]\ncomputer_id = local_computer\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${join(root, "opt/slapos/slapproxy.db")}\n`);
    const master = Bun.spawn([join(root, "opt/slapos/bin/slapos"), "proxy", "start", "--cfg", cfg], { stdout: "ignore", stderr: "ignore" });
    started.push(master);
    const runId = async () => (await fetch(`http://127.0.0.1:${port}/getRunId`)).text();
    await waitFor(async () => Boolean(await runId()), 30, "the master");
    const before = await runId();
    upgrade(root);
    expect(alive(master.pid)).toBe(true);
    expect(readlinkSync(`/proc/${master.pid}/exe`)).toEndWith(" (deleted)"); // still the former image
    expect(await runId()).toBe(before);
  });

  test.skipIf(!hasSupervisor)("the supervisor daemon and its program keep their pids; the new binary's supervisorctl sees the program running", async () => {
    const root = tempDir();
    expect(install(["--prefix", root, "--binary", BINARY]).code).toBe(0);
    const dir = tempDir();
    const socket = join(dir, "sv.sock");
    const pidfile = join(dir, "program.pid");
    const conf = join(dir, "supervisord.conf");
    writeFileSync(
      conf,
      [
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "[supervisorctl]",
        `serverurl = unix://${socket}`,
        "[supervisord]",
        `logfile = ${join(dir, "supervisord.log")}`,
        `pidfile = ${join(dir, "supervisord.pid")}`,
        `childlogdir = ${dir}`,
        "[unix_http_server]",
        `file = ${socket}`,
        "[program:service]",
        `command = /bin/sh -c 'echo $$ > ${pidfile}; exec sleep 3600'`,
        "startsecs = 0",
        "autostart = true",
        "",
      ].join("\n"),
    );
    const slapos = join(root, "opt/slapos/bin/slapos");
    const daemon = Bun.spawn([slapos, "node", "supervisord", "-n", "-c", conf], { stdout: "ignore", stderr: "ignore" });
    started.push(daemon);
    await waitFor(() => existsSync(pidfile) && readFileSync(pidfile, "utf8").trim() !== "", 30, "the program");
    const program = Number(readFileSync(pidfile, "utf8"));
    upgrade(root);
    expect(alive(daemon.pid)).toBe(true);
    expect(alive(program)).toBe(true);
    expect(Number(readFileSync(pidfile, "utf8"))).toBe(program);
    const status = Bun.spawnSync([slapos, "node", "supervisorctl", "-c", conf, "status", "service"], { stdout: "pipe", stderr: "pipe" });
    expect(status.stdout.toString()).toMatch(new RegExp(`^service\\s+RUNNING\\s+pid ${program},`));
  });
});
