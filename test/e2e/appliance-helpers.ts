/**
 * Shared pieces of the appliance tests (configure local, node run): a
 * base folder per test with a free master port, its status and pids, and
 * a stop of every node a test file started, whatever happened.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SlapClient } from "../../core/slap/client.ts";
import { slapos, type RunResult } from "../helpers/binary.ts";
import { freePort, waitFor } from "../helpers/ports.ts";

const started: string[] = [];

/** Stop each node, then remove its folder (not tempDir's: its cleanup could run before ours and leave the node running). */
async function stopAll(): Promise<void> {
  for (const base of started.splice(0)) {
    await slapos(["configure", "local", "--base", base, "--stop"]);
    if (!process.env.KEEP_TEST_DIRS) rmSync(dirname(base), { recursive: true, force: true });
  }
}

/** Stop, when the file ends, every node made by `newNode`, and remove its folder. */
export function stopNodesAfterFile(): void {
  afterAll(stopAll, 120_000);
}

export interface Node {
  base: string;
  port: number;
  url: string;
  /** `dist/slapos configure local --base BASE --daemon-listen-port PORT ARGS`. */
  configure(...args: string[]): Promise<RunResult>;
  /** `dist/slapos` with this node's configuration in the environment. */
  slapos(...args: string[]): Promise<RunResult>;
}

/** A node in a fresh temporary base folder (nothing started yet). */
export async function newNode(prefix = "slapos-appliance-"): Promise<Node> {
  const base = join(mkdtempSync(join(tmpdir(), prefix)), "node");
  const port = await freePort();
  started.push(base);
  const env = { SLAPOS_CONFIGURATION: join(base, "etc", "slapos.cfg"), SLAPOS_CLIENT_CONFIGURATION: join(base, "etc", "slapos-client.cfg") };
  return {
    base,
    port,
    url: `http://127.0.0.1:${port}`,
    configure: (...args) => slapos(["configure", "local", "--base", base, "--daemon-listen-port", String(port), ...args], { timeout: 300 }),
    slapos: (...args) => slapos(args, { env }),
  };
}

/** The demo's URL from configure local's summary. */
export function demoUrl(stdout: string): string {
  const match = /^ {2}demo {8}(\S+) answers/m.exec(stdout);
  if (!match) throw new Error(`no demo URL in:\n${stdout}`);
  return match[1];
}

/** Pids of the node's processes from `configure local --status`: master, supervisor, loop, partitions by name. */
export async function statusPids(node: Node): Promise<{ code: number; master?: number; supervisor?: number; loop?: number; partitions: Record<string, string> }> {
  const r = await slapos(["configure", "local", "--base", node.base, "--status"]);
  const pid = (re: RegExp) => {
    const m = re.exec(r.stdout);
    return m ? Number(m[1]) : undefined;
  };
  const partitions: Record<string, string> = {};
  for (const m of r.stdout.matchAll(/^partition {3}(\S+) (.*)$/gm)) partitions[m[1]] = m[2];
  return {
    code: r.code,
    master: pid(/^master .*(?:RUNNING|STARTING), pid (\d+)/m),
    supervisor: pid(/^supervisor .*running \(pid (\d+)\)/m),
    loop: pid(/^node loop +(?:RUNNING|STARTING) \(pid (\d+)\)/m),
    partitions,
  };
}

export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok && (await response.text()).startsWith("Hello from");
  } catch {
    return false;
  }
}

/** The pid of the demo's service, from the processes carrying its supervisor program name. */
export function demoServicePid(node: Node): number | undefined {
  const result = Bun.spawnSync(["sh", "-c", `grep -l -z -x 'SUPERVISOR_PROCESS_NAME=hello-on-watch' /proc/[0-9]*/environ 2>/dev/null`]);
  const socket = `SUPERVISOR_SERVER_URL=unix://${node.base}/inst/sv.sock`;
  for (const path of result.stdout.toString().trim().split("\n").filter(Boolean)) {
    try {
      if (readFileSync(path, "latin1").split("\0").includes(socket)) return Number(path.split("/")[2]);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** Ids of the partitions the node's master knows. */
export async function masterPartitions(node: Node): Promise<string[]> {
  const computer = await new SlapClient({ masterUrl: node.url }).getFullComputerInformation("local_computer");
  return computer.getComputerPartitionList().map((p) => p.getId());
}

export const timestampOf = (node: Node, partition = "slappart0") => readFileSync(join(node.base, "inst", partition, ".timestamp"), "utf8");

export { freePort, waitFor };
