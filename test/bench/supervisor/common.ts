/**
 * Shared pieces of the supervisor benchmarks: a supervisord.conf with N
 * programs in a temp folder, our daemon (dist/slapos) or Debian's
 * supervisord (offline, in its own network namespace), RSS from /proc.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RpcClient } from "../../../plugins/supervisor/rpc/client.ts";
import type { RpcValue } from "../../../plugins/supervisor/rpc/codec.ts";

export const BINARY = resolve(import.meta.dir, "../../../dist/slapos");

export interface Setup {
  dir: string;
  conf: string;
  socket: string;
  pidfile: string;
  call(method: string, ...params: RpcValue[]): Promise<RpcValue>;
}

export interface ProgramSpec {
  command: string;
  autostart?: boolean;
  autorestart?: boolean;
  startsecs?: number;
}

export function setup(count: number, spec: ProgramSpec, loglevel = "info"): Setup {
  const dir = mkdtempSync(join(tmpdir(), "sv-bench-"));
  mkdirSync(join(dir, "conf.d"));
  mkdirSync(join(dir, "logs"));
  const socket = join(dir, "sv.sock");
  const pidfile = join(dir, "supervisord.pid");
  const conf = join(dir, "supervisord.conf");
  writeFileSync(
    conf,
    `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n` +
      `[include]\nfiles = ${dir}/conf.d/*.conf\n\n[supervisorctl]\nserverurl = unix://${socket}\n\n` +
      `[supervisord]\nloglevel = ${loglevel}\nlogfile = ${dir}/supervisord.log\npidfile = ${pidfile}\nchildlogdir = ${dir}/logs\n\n` +
      `[unix_http_server]\nfile=${socket}\nchmod=0700\n`,
  );
  for (let i = 0; i < count; i++) {
    const name = `p${String(i).padStart(3, "0")}`;
    writeFileSync(
      join(dir, "conf.d", `${name}.conf`),
      `[program:${name}]\ncommand=${spec.command}\nautostart=${spec.autostart ?? true}\nautorestart=${spec.autorestart ?? false}\n` +
        `startsecs=${spec.startsecs ?? 0}\nstartretries=0\nredirect_stderr=true\nstdout_logfile=${dir}/logs/${name}.log\n` +
        `stdout_logfile_maxbytes=100KB\nstdout_logfile_backups=1\nstopasgroup=true\nkillasgroup=true\n`,
    );
  }
  const client = new RpcClient(`unix://${socket}`);
  return { dir, conf, socket, pidfile, call: (m, ...p) => client.call(`supervisor.${m}`, ...p) };
}

export type Kind = "ours" | "supervisord";

export async function start(kind: Kind, s: Setup): Promise<number> {
  const argv =
    kind === "ours"
      ? [BINARY, "node", "supervisord", "-c", s.conf]
      : ["unshare", "-n", "sh", "-c", `ip link set lo up; exec supervisord -c '${s.conf}'`];
  const child = Bun.spawn(argv, { stdout: "ignore", stderr: "inherit" });
  if ((await child.exited) !== 0) throw new Error(`${kind} did not start`);
  for (let i = 0; i < 600 && !existsSync(s.pidfile); i++) await Bun.sleep(10);
  for (let i = 0; i < 600; i++) {
    try {
      await s.call("getState");
      break;
    } catch {
      await Bun.sleep(10);
    }
  }
  return Number(readFileSync(s.pidfile, "utf8").trim());
}

export async function stop(s: Setup, pid: number): Promise<void> {
  try {
    await s.call("shutdown");
  } catch {
    process.kill(pid, "SIGTERM");
  }
  for (let i = 0; i < 3000 && alive(pid); i++) await Bun.sleep(10);
  rmSync(s.dir, { recursive: true, force: true });
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
  } catch {
    return false;
  }
}

/** Resident set size of a process, in MB. */
export function rssMB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  return kb / 1024;
}

/** Anonymous (private, heap) part of the RSS, in MB. */
export function anonMB(pid: number): number {
  const kb = Number(/RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
  return kb / 1024;
}

export async function allRunning(s: Setup, count: number): Promise<void> {
  for (;;) {
    const infos = (await s.call("getAllProcessInfo")) as Array<{ statename: string }>;
    if (infos.filter((i) => i.statename === "RUNNING").length >= count) return;
    await Bun.sleep(5);
  }
}

export function hasSupervisord(): boolean {
  return Bun.spawnSync(["sh", "-c", "command -v supervisord"]).exitCode === 0;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
