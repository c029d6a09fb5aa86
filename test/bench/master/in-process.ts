/**
 * The master's own cost per request, without HTTP: `app.fetch` called in
 * process on a master with one computer of 20 busy partitions, for
 * getFullComputerInformation (cached and rebuilt) and for a re-request of an
 * existing instance. Useful under a profiler:
 *
 *     bun test/bench/master/in-process.ts
 *     ONLY=request bun --cpu-prof-md --cpu-prof-dir=/tmp/prof test/bench/master/in-process.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMaster } from "../../../core/master/index.ts";
import { Logger } from "../../../core/log/logger.ts";
import { urlencode } from "../../../core/slap/form.ts";
import { dumps } from "../../../core/slap/marshal/index.ts";
import { formatDocument, requestFields } from "../../core/master/fixtures.ts";

const N = Number(process.env.BENCH_REQUESTS ?? 20000);
const PARTITIONS = 20;
const dir = mkdtempSync(join(tmpdir(), "slapos-bench-"));
const master = await createMaster({
  settings: { computerId: "COMP-0", databaseUri: join(dir, "proxy.db"), port: 8080 },
  log: new Logger("bench"),
});
const base = "http://127.0.0.1:8080";
const form = { "Content-Type": "application/x-www-form-urlencoded" };
const post = (path: string, body: string) => master.app.fetch(new Request(`${base}${path}`, { method: "POST", headers: form, body }));

const partitions = Array.from({ length: PARTITIONS }, (_, i) => `slappart${i}`);
await post("/loadComputerConfigurationFromXML", urlencode([["xml", dumps(formatDocument(partitions, "COMP-0"))]]));
await post("/supplySupply", urlencode([["url", "http://sr/software.cfg"], ["computer_id", "COMP-0"], ["state", "available"]]));
const bodies: string[] = [];
for (let i = 0; i < PARTITIONS; i++) {
  const name = `instance-${i}`;
  const body = urlencode(requestFields({ sr: "http://sr/software.cfg", name, params: { index: i, name }, filter: { computer_guid: "COMP-0" } }));
  const response = await post("/requestComputerPartition", body);
  if (response.status !== 200) throw new Error(`allocation of ${name}: ${response.status}`);
  bodies.push(body);
}

const only = process.env.ONLY; // "full", "request" or "rebuilt": one figure, for a profile of it alone
const ROUNDS = Number(process.env.ROUNDS ?? 5);

/** Best of ROUNDS rounds of N/ROUNDS requests: wall and CPU time per request (the machine is shared). */
async function measure(label: string, call: (i: number) => Promise<Response> | Response): Promise<void> {
  if (only && !label.includes(only)) return;
  for (let i = 0; i < 500; i++) await (await call(i)).arrayBuffer();
  const per = Math.ceil(N / ROUNDS);
  let wall = Infinity;
  let cpu = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < per; i++) {
      const response = await call(i);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status}`);
    }
    const used = process.cpuUsage(cpuStarted);
    wall = Math.min(wall, ((performance.now() - started) * 1000) / per);
    cpu = Math.min(cpu, (used.user + used.system) / per);
  }
  console.log(`${label.padEnd(46)} ${(1e6 / wall).toFixed(0).padStart(7)} req/s  ${wall.toFixed(1).padStart(6)} µs/req wall  ${cpu.toFixed(1).padStart(6)} µs/req CPU`);
}

console.log(`slapos master in process (app.fetch, no HTTP), ${N} requests per figure, ${PARTITIONS} partitions`);
await measure("full: getFullComputerInformation (cached)", () => master.app.fetch(new Request(`${base}/getFullComputerInformation?computer_id=COMP-0`)));
await measure("request: requestComputerPartition re-request", (i) => post("/requestComputerPartition", bodies[i % bodies.length]));
// A field the master ignores makes every body new: the answer cache never hits, the whole request runs.
let unique = 0;
await measure("request: re-request, every body new", (i) => post("/requestComputerPartition", `${bodies[i % bodies.length]}&bench=${unique++}`));
// Each bang changes the timestamps, so the next document is built anew.
const bang = urlencode([["computer_id", "COMP-0"], ["computer_partition_id", "slappart0"], ["message", "x"]]);
await measure("rebuilt: bang + getFullComputerInformation", async () => {
  await (await post("/softwareInstanceBang", bang)).arrayBuffer();
  return master.app.fetch(new Request(`${base}/getFullComputerInformation?computer_id=COMP-0`));
});
master.close();
rmSync(dir, { recursive: true, force: true });
