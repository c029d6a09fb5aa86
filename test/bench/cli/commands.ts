/**
 * Wall time of short `slapos` commands, each run 30 times (min and median):
 * `--help`, `node status` (supervisor running), `node instance` with
 * nothing to do (one free partition, master in this process), and
 * `request` of an existing instance (`RUNS=n` to change the count). Also the peak RSS of each.
 *
 *     installer/build && bun test/bench/cli/commands.ts
 */
import { existsSync } from "node:fs";
import { BINARY } from "../../helpers/binary.ts";
import { Node, stopNodes } from "../../core/node/harness.ts";

const RUNS = Number(process.env.RUNS ?? 30);
const node = await Node.create({ partitions: 1 });
const env = { ...process.env, SLAPOS_CONFIGURATION: node.cfg, SLAPOS_CLIENT_CONFIGURATION: node.cfg } as Record<string, string>;
const URL_SR = "http://example.com/software.cfg";

async function run(args: string[]): Promise<{ ms: number; code: number; out: string }> {
  const start = performance.now();
  const child = Bun.spawn([BINARY, ...args], { env, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { ms: performance.now() - start, code, out: out + err };
}

/**
 * Peak RSS in MB through GNU time (a child spawned from this big process
 * would count the pages of the fork before its exec), or NaN without it.
 */
async function peakRss(args: string[]): Promise<number> {
  if (!existsSync("/usr/bin/time")) return NaN;
  const child = Bun.spawn(["/usr/bin/time", "-f", "RSS %M", BINARY, ...args], { env, stdout: "pipe", stderr: "pipe" });
  const [, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const match = /RSS (\d+)\s*$/.exec(err);
  return match ? Number(match[1]) / 1024 : NaN;
}

async function figure(label: string, args: string[]): Promise<void> {
  const first = await run(args);
  if (first.code !== 0) throw new Error(`slapos ${args.join(" ")} exited ${first.code}:\n${first.out}`);
  await run(args);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await run(args)).ms);
  const rss = await peakRss(args);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`${label.padEnd(38)} min ${times[0].toFixed(1).padStart(6)} ms   median ${median.toFixed(1).padStart(6)} ms   peak RSS ${rss.toFixed(1)} MB`);
}

try {
  await node.supply(URL_SR);
  await node.slapos(["node", "instance", "--now"]); // launches the supervisor
  console.log(`slapos short commands, ${RUNS} runs each (load ${(await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ")})`);
  await figure("slapos --help", ["--help"]);
  await figure("slapos node status", ["node", "status"]);
  await figure("slapos node instance (nothing to do)", ["node", "instance", "--now"]);
  await node.request("bench", URL_SR, { state: "stopped" });
  await figure("slapos request (existing instance)", ["request", "bench", URL_SR]);
} finally {
  await stopNodes();
}
