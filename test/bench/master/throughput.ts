/**
 * Figures of the embedded master (run: `installer/build && bun test/bench/master/throughput.ts`).
 *
 * The compiled `dist/slapos proxy start` on a fresh database, driven over
 * loopback HTTP by one sequential client: getFullComputerInformation and
 * requestComputerPartition re-requests per second with p50/p99, and the
 * master's RSS idle and after. First one computer with 20 partitions all
 * allocated, then 1,000 partitions over 10 computers. Re-requests are given
 * twice: the same bodies again (the master answers them from its answer
 * cache while nothing changes) and every body new (the whole request runs).
 *
 * Sequential loopback figures depend most on how fast the kernel wakes the
 * other process: on a 2-core VM, client and master on different cores
 * (the default) give about half the rate of both on one core
 * (`taskset -c 1 bun test/bench/master/throughput.ts`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { urlencode } from "../../../core/slap/form.ts";
import { dumps } from "../../../core/slap/marshal/index.ts";
import { startSlapos } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { formatDocument, requestFields } from "../../core/master/fixtures.ts";

const DURATION_REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function anonMb(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  return Number(/Pss_Anon:\s+(\d+)/.exec(rollup)![1]) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(label: string, n: number, call: (i: number) => Promise<Response>) {
  for (let i = 0; i < 200; i++) await (await call(i)).arrayBuffer(); // warm-up
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const response = await call(i);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status}`);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const rps = n / seconds;
  console.log(
    `${label.padEnd(52)} ${rps.toFixed(0).padStart(6)} req/s   p50 ${(percentile(latencies, 50) * 1000).toFixed(0).padStart(5)} µs   p99 ${(percentile(latencies, 99) * 1000).toFixed(0).padStart(5)} µs`,
  );
  return rps;
}

async function scenario(title: string, computers: number, partitionsEach: number) {
  const dir = mkdtempSync(join(tmpdir(), "slapos-bench-"));
  const port = await freePort();
  const cfg = join(dir, "slapos.cfg");
  writeFileSync(cfg, `[slapos]\ncomputer_id = COMP-0\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${join(dir, "proxy.db")}\n`);
  const child = startSlapos(["proxy", "start", "--cfg", cfg]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/getRunId`)).ok, 30, "master");
    await Bun.sleep(300);
    const idle = rssMb(child.pid);
    const post = (path: string, body: string) =>
      fetch(`${url}${path}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });
    const names: Array<{ name: string; computer: string }> = [];
    for (let c = 0; c < computers; c++) {
      const computer = `COMP-${c}`;
      const partitions = Array.from({ length: partitionsEach }, (_, i) => `slappart${i}`);
      await post("/loadComputerConfigurationFromXML", urlencode([["xml", dumps(formatDocument(partitions, computer))]]));
      await post("/supplySupply", urlencode([["url", "http://sr/software.cfg"], ["computer_id", computer], ["state", "available"]]));
      for (let i = 0; i < partitionsEach; i++) {
        const name = `instance-${c}-${i}`;
        const response = await post(
          "/requestComputerPartition",
          urlencode(requestFields({ sr: "http://sr/software.cfg", name, params: { index: i, name }, filter: { computer_guid: computer } })),
        );
        if (response.status !== 200) throw new Error(`allocation of ${name}: ${response.status}`);
        names.push({ name, computer });
      }
    }
    console.log(`\n${title} — master RSS idle ${idle.toFixed(1)} MB (fresh database)`);
    const bodies = names.map(({ name, computer }, i) =>
      urlencode(requestFields({ sr: "http://sr/software.cfg", name, params: { index: i % partitionsEach, name }, filter: { computer_guid: computer } })),
    );
    const full = await measure(`getFullComputerInformation (${partitionsEach} partitions)`, DURATION_REQUESTS, (i) =>
      fetch(`${url}/getFullComputerInformation?computer_id=COMP-${i % computers}`),
    );
    const request = await measure(`requestComputerPartition re-request (${names.length} instances)`, DURATION_REQUESTS, (i) =>
      post("/requestComputerPartition", bodies[i % bodies.length]),
    );
    // A field the master ignores makes every body new: no answer is found by its body, the whole request runs.
    let unique = 0;
    const uncached = await measure(`re-request, every body new (${names.length} instances)`, DURATION_REQUESTS, (i) =>
      post("/requestComputerPartition", `${bodies[i % bodies.length]}&bench=${unique++}`),
    );
    const busyRss = rssMb(child.pid);
    const busyAnon = anonMb(child.pid);
    await Bun.sleep(3500); // the master collects garbage once idle
    console.log(
      `master RSS right after ${(3 * DURATION_REQUESTS + 600).toLocaleString()} requests ${busyRss.toFixed(1)} MB (anonymous ${busyAnon.toFixed(1)} MB); ` +
        `3 s later ${rssMb(child.pid).toFixed(1)} MB (anonymous ${anonMb(child.pid).toFixed(1)} MB)`,
    );
    return { idle, full, request, uncached, after: rssMb(child.pid) };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`slapos master throughput — sequential loopback HTTP, ${DURATION_REQUESTS} requests per figure (load ${load})`);
await scenario("1 computer, 20 partitions, all allocated", 1, 20);
await scenario("10 computers, 1,000 partitions, all allocated", 10, 100);
console.log("\nreference slapproxy (slapos.core 1.24, same class of machine): 95 and 298 req/s, 72-74 MB");
