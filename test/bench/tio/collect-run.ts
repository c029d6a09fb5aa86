/**
 * Time and peak RSS of one `slapos node collect` run through the compiled
 * binary, on a node of 20 partitions (20 partition users, each running 10
 * sleeping processes: 200 processes, each partition holding 500 small
 * files): the first run (no previous CPU counters: two samples 1 s apart,
 * every partition's disk usage walked), then steady runs (CPU deltas since
 * the previous run, disk usage within its daily cycle), as cron runs it
 * every minute. Needs root (partition users).
 *
 *     installer/build && bun test/bench/tio/collect-run.ts
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BINARY = resolve(import.meta.dir, "../../../dist/slapos");
const PARTITIONS = 20;
const PROCESSES_EACH = 10;
const FILES_EACH = 500;
const STEADY_RUNS = 7;

if (process.getuid?.() !== 0) {
  console.log("needs root (it creates 20 partition users)");
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "slapos-bench-tio-"));
chmodSync(dir, 0o755);
const instanceRoot = join(dir, "inst");
mkdirSync(instanceRoot, { mode: 0o755 });
const base = `tiob${process.pid % 10000}u`;
const users: string[] = [];
const children: ChildProcess[] = [];

function cleanUp(): void {
  for (const child of children) child.kill("SIGKILL");
  Bun.sleepSync(100);
  for (const name of users) Bun.spawnSync(["userdel", name]);
  rmSync(dir, { recursive: true, force: true });
}

try {
  for (let i = 0; i < PARTITIONS; i++) {
    const path = join(instanceRoot, `slappart${i}`);
    mkdirSync(path);
    const name = `${base}${i}`;
    Bun.spawnSync(["useradd", "--system", "--no-create-home", "--home-dir", path, "--shell", "/usr/sbin/nologin", "--user-group", name]);
    users.push(name);
    const uid = Number(Bun.spawnSync(["id", "-u", name]).stdout.toString().trim());
    const gid = Number(Bun.spawnSync(["id", "-g", name]).stdout.toString().trim());
    for (let f = 0; f < FILES_EACH; f++) {
      const sub = join(path, `d${f % 20}`);
      mkdirSync(sub, { recursive: true });
      writeFileSync(join(sub, `f${f}`), "x".repeat(100 + f));
    }
    Bun.spawnSync(["chown", "-R", `${uid}:${gid}`, path]);
    chownSync(path, uid, gid);
    for (let p = 0; p < PROCESSES_EACH; p++) {
      children.push(spawn("sleep", ["3600"], { cwd: path, uid, gid, stdio: "ignore" }));
    }
  }
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(
    cfg,
    `[slapos]\ninstance_root = ${instanceRoot}\ncomputer_id = COMP-BENCH\nroot_check = True\n\n` +
      `[slapformat]\npartition_amount = ${PARTITIONS}\nuser_base_name = ${base}\npartition_base_name = slappart\n`,
  );
  await Bun.sleep(300);

  const run = async () => {
    const start = performance.now();
    const child = Bun.spawn([BINARY, "node", "collect", "--cfg", cfg], { stdout: "ignore", stderr: "pipe" });
    const stderr = await new Response(child.stderr).text();
    const code = await child.exited;
    const ms = performance.now() - start;
    if (code !== 0) throw new Error(`collect failed (${code}): ${stderr}`);
    return { ms, rssMiB: (child.resourceUsage()?.maxRSS ?? 0) / 1024 / 1024 };
  };

  const baseline = await (async () => {
    const start = performance.now();
    const child = Bun.spawn([BINARY, "--version"], { stdout: "ignore", stderr: "ignore" });
    await child.exited;
    return { ms: performance.now() - start, rssMiB: (child.resourceUsage()?.maxRSS ?? 0) / 1024 / 1024 };
  })();
  const first = await run();
  const steady: Array<{ ms: number; rssMiB: number }> = [];
  for (let i = 0; i < STEADY_RUNS; i++) steady.push(await run());
  const { Database } = await import("bun:sqlite");
  const db = new Database(join(instanceRoot, "var", "data-log", "collector.db"), { readonly: true });
  const rows = db.query("SELECT count(*) AS n FROM user").get() as { n: number };
  const perRun = rows.n / (STEADY_RUNS + 1);
  db.close();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`node collect, ${PARTITIONS} partitions, ${perRun} processes accounted per run (${PARTITIONS * PROCESSES_EACH} started)`);
  console.log(`  for scale, slapos --version: ${baseline.ms.toFixed(0)} ms, peak RSS ${baseline.rssMiB.toFixed(1)} MiB`);
  console.log(`  first run (two CPU samples 1 s apart, ${PARTITIONS} disk walks of ${FILES_EACH} files): ${first.ms.toFixed(0)} ms, peak RSS ${first.rssMiB.toFixed(1)} MiB`);
  console.log(
    `  steady run (CPU deltas since the previous run), median of ${STEADY_RUNS}: ${median(steady.map((s) => s.ms)).toFixed(0)} ms, ` +
      `peak RSS ${median(steady.map((s) => s.rssMiB)).toFixed(1)} MiB`,
  );
} finally {
  cleanUp();
}
