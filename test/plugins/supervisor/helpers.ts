/**
 * Test fixtures for the supervisor: a supervisord.conf in a temp folder
 * (own socket, own log, own childlogdir), the daemon started through the
 * compiled binary, and the stock Debian supervisorctl run offline.
 */
import { afterAll } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RpcClient } from "../../../plugins/supervisor/rpc/client.ts";
import type { RpcValue } from "../../../plugins/supervisor/rpc/codec.ts";
import { slapos } from "../../helpers/binary.ts";
import { waitFor } from "../../helpers/ports.ts";

export interface Instance {
  dir: string;
  conf: string;
  confDir: string;
  socket: string;
  log: string;
  pidfile: string;
}

/**
 * A supervisord.conf with an include directory; `extra` is appended to the
 * main file. Call it while the test file loads (not inside a hook): the
 * temp folder's cleanup is registered on first use.
 */
export function makeInstance(extra = "", prefix = "sv-"): Instance {
  const instance = { dir: "", conf: "", confDir: "", socket: "", log: "", pidfile: "" };
  // Before tempDir's own cleanup is registered (hooks run in order): stop the daemon first.
  track(instance);
  const dir = tempDir(prefix);
  const confDir = join(dir, "conf.d");
  mkdirSync(confDir);
  mkdirSync(join(dir, "logs"));
  const socket = join(dir, "sv.sock");
  const log = join(dir, "supervisord.log");
  const pidfile = join(dir, "supervisord.pid");
  const conf = join(dir, "supervisord.conf");
  writeFileSync(
    conf,
    `[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = ${confDir}/*.conf

[supervisorctl]
serverurl = unix://${socket}

[supervisord]
loglevel = debug
logfile = ${log}
pidfile = ${pidfile}
childlogdir = ${join(dir, "logs")}

[unix_http_server]
file=${socket}
chmod=0700
${extra}`,
  );
  return Object.assign(instance, { dir, conf, confDir, socket, log, pidfile });
}

/** Write an executable script. */
export function script(path: string, body: string): string {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/** A [program:x] section with test-friendly defaults (its own log file). */
export function program(instance: Instance, name: string, command: string, options: Record<string, string | number | boolean> = {}): string {
  const lines = [
    `[program:${name}]`,
    `command=${command}`,
    `stdout_logfile=${join(instance.dir, "logs", `${name}.log`)}`,
    "redirect_stderr=true",
    "startsecs=0",
    "stopwaitsecs=5",
    ...Object.entries(options).map(([k, v]) => `${k}=${v}`),
  ];
  return lines.join("\n") + "\n";
}

/**
 * A temp folder removed when this test file ends (test/helpers/tmp.ts
 * registers its cleanup once per process, so in a multi-file run only the
 * first file's folders would go). Call it while the file loads.
 */
export function tempDir(prefix = "sv-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => {
    if (!process.env.KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Daemon pid of each instance, noted when known, so cleanup works after the temp folder is gone. */
const pids = new Map<Instance, number>();

function remember(instance: Instance): void {
  try {
    pids.set(instance, Number(readFileSync(instance.pidfile, "utf8").trim()));
  } catch {
    // not running (yet, or any more)
  }
}

async function cleanup(instance: Instance): Promise<void> {
  remember(instance);
  const pid = pids.get(instance);
  if (!pid || !isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  await waitFor(() => !isAlive(pid), 30, "daemon exit").catch(() => process.kill(pid, "SIGKILL"));
}

/**
 * Stop this instance's daemon (whoever started it) when the test file ends.
 * Call it while the file loads; call noteDaemon once the daemon runs.
 */
export function track(instance: Instance): void {
  afterAll(() => cleanup(instance), 60_000);
}

/** Note the daemon's pid now (its pidfile may be deleted with the temp folder before cleanup). */
export function noteDaemon(instance: Instance): void {
  remember(instance);
}

/** Start the daemon (detached, through dist/slapos) and wait for its socket. */
export async function startDaemon(instance: Instance, args: string[] = []): Promise<void> {
  const result = await slapos(["node", "supervisord", "-c", instance.conf, ...args], { timeout: 60 });
  if (result.code !== 0) throw new Error(`supervisord failed (${result.code}): ${result.stderr}${result.stdout}`);
  await waitFor(() => existsSync(instance.socket), 30, "supervisor socket");
  remember(instance);
}

/** kill -9 of the instance's daemon; resolves once it is gone. */
export async function killDaemon(instance: Instance): Promise<void> {
  const pid = Number(readFileSync(instance.pidfile, "utf8").trim());
  process.kill(pid, "SIGKILL");
  await waitFor(() => !isAlive(pid), 10, "the daemon's death");
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The stock supervisorctl (Debian's), run offline in its own network namespace. */
export async function stockCtl(conf: string, args: string[]): Promise<CtlResult> {
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const child = Bun.spawn(["unshare", "-n", "sh", "-c", `ip link set lo up; exec supervisorctl -c '${conf}' ${quoted}`], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Our client: `slapos node supervisorctl -c CONF ARGS`. */
export async function ourCtl(conf: string, args: string[]): Promise<CtlResult> {
  return slapos(["node", "supervisorctl", "-c", conf, ...args], { timeout: 60 });
}

/** Remove what changes from run to run (pids, uptimes, dates) from status output. */
export function normalize(text: string): string {
  return text
    .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid N, uptime T")
    .replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/g, "DATE")
    .replace(/^\d+$/gm, "PID");
}

export function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** An XML-RPC client of the instance's socket. */
export function rpc(instance: Instance) {
  const client = new RpcClient(`unix://${instance.socket}`);
  return (method: string, ...params: RpcValue[]) => client.call(method.includes(".") ? method : `supervisor.${method}`, ...params);
}

/** Wait until a process reaches a state (by name), returning its info. */
export async function waitState(instance: Instance, name: string, state: string, seconds = 30): Promise<Record<string, RpcValue>> {
  const call = rpc(instance);
  let info: Record<string, RpcValue> = {};
  await waitFor(async () => {
    info = (await call("getProcessInfo", name)) as Record<string, RpcValue>;
    return info.statename === state;
  }, seconds, `${name} ${state}`);
  return info;
}

/** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, ...]. */
export function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}
