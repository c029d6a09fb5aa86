/**
 * Figures of the appliance (issue 7), through dist/slapos:
 * - time from `configure local --demo` in a fresh base folder to the demo's
 *   URL answering (the command returns once it answers), a re-run, --stop;
 * - memory of the whole appliance idle with the demo running: master,
 *   supervisor, node loop, watchdog and the demo's service — RSS, its
 *   anonymous (private) part, and PSS (shared pages counted once);
 * - size of the binary.
 *
 *     installer/build && bun test/bench/appliance/demo.ts [runs]
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createServer } from "node:net";

const BINARY = resolve(import.meta.dir, "../../../dist/slapos");
const runs = Number(process.argv[2] ?? 3);

function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => done(port));
    });
  });
}

async function run(args: string[]): Promise<{ seconds: number; stdout: string; code: number }> {
  const start = performance.now();
  const child = Bun.spawn([BINARY, ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, , code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { seconds: (performance.now() - start) / 1000, stdout, code };
}

function kb(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : 0;
}

function pss(pid: number): number {
  const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return match ? Number(match[1]) : 0;
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}

function processes(base: string): Record<string, number> {
  const status = Bun.spawnSync([BINARY, "node", "status"], { env: { ...process.env, SLAPOS_CONFIGURATION: join(base, "etc", "slapos.cfg") } }).stdout.toString();
  const pid = (name: string) => Number(new RegExp(`^${name} +RUNNING +pid (\\d+)`, "m").exec(status)?.[1]);
  return {
    master: pid("slapos-proxy"),
    supervisor: Number(readFileSync(join(base, "inst", "var", "run", "supervisord.pid"), "utf8")),
    "node loop": pid("slapos-node-run"),
    watchdog: pid("watchdog"),
    "demo service": pid("slappart0:hello-on-watch"),
  };
}

const mb = (k: number) => (k / 1024).toFixed(1);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const times: number[] = [];
let kept: string | undefined;
for (let i = 0; i < runs; i++) {
  const base = join(mkdtempSync(join(tmpdir(), "slapos-bench-")), "node");
  const port = await freePort();
  const first = await run(["configure", "local", "--demo", "--base", base, "--daemon-listen-port", String(port)]);
  if (first.code !== 0) throw new Error(`configure local --demo failed:\n${first.stdout}`);
  times.push(first.seconds);
  if (i < runs - 1) {
    await run(["configure", "local", "--base", base, "--stop"]);
    rmSync(resolve(base, ".."), { recursive: true, force: true });
  } else kept = base;
}
const base = kept!;
const again = await run(["configure", "local", "--demo", "--base", base]);

// Idle: the loop's first runs are over and no run is going.
await Bun.sleep(5000);
const pids = processes(base);
for (let i = 0; i < 100 && childrenOf(pids["node loop"]).length; i++) await Bun.sleep(200);

console.log(`configure local --demo, fresh folder → URL answers: median ${median(times).toFixed(2)} s (${times.map((t) => t.toFixed(2)).join(", ")})`);
console.log(`configure local --demo again (nothing to do): ${again.seconds.toFixed(2)} s`);
let rss = 0;
let anon = 0;
let proportional = 0;
console.log("\nidle, demo running (MB):      RSS   anon    PSS");
for (const [name, pid] of Object.entries(pids)) {
  const r = kb(pid, "VmRSS");
  const a = kb(pid, "RssAnon");
  const p = pss(pid);
  rss += r;
  anon += a;
  proportional += p;
  console.log(`  ${name.padEnd(26)} ${mb(r).padStart(6)} ${mb(a).padStart(6)} ${mb(p).padStart(6)}`);
}
console.log(`  ${"whole appliance".padEnd(26)} ${mb(rss).padStart(6)} ${mb(anon).padStart(6)} ${mb(proportional).padStart(6)}`);
// CPU of the idle appliance: the loop looks at the master every 5 s (and at the supervisor); runs every minute.
const ticks = () =>
  Object.values(pids).reduce((sum, pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return sum + Number(fields[11]) + Number(fields[12]);
  }, 0);
const window = Number(process.env.CPU_WINDOW ?? 30);
const before = ticks();
await Bun.sleep(window * 1000);
console.log(`\nCPU of these processes, idle, over ${window} s: ${((ticks() - before) / 100).toFixed(2)} s (runs started by the loop not counted)`);
const stop = await run(["configure", "local", "--base", base, "--stop"]);
console.log(`\nconfigure local --stop: ${stop.seconds.toFixed(2)} s`);
console.log(`binary: ${(statSync(BINARY).size / 1024 / 1024).toFixed(1)} MB (${statSync(BINARY).size} bytes)`);
rmSync(resolve(base, ".."), { recursive: true, force: true });
