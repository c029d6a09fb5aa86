/**
 * Figures of the binary itself: size, `slapos --help` wall time (median and
 * p90 of 50 runs), and peak RSS of a run. Run: bun test/bench/cli/startup.ts
 * (after installer/build).
 */
import { statSync } from "node:fs";
import { BINARY } from "../../helpers/binary.ts";

const runs = Number(process.env.RUNS ?? 50);
const times: number[] = [];
let maxRss = 0;
for (let i = 0; i < runs + 3; i++) {
  const start = performance.now();
  const result = Bun.spawnSync([BINARY, "--help"], { stdout: "pipe", stderr: "pipe" });
  const elapsed = performance.now() - start;
  if (result.exitCode !== 0) throw new Error(`slapos --help exited ${result.exitCode}`);
  if (i >= 3) times.push(elapsed); // the first runs warm the page cache
  maxRss = Math.max(maxRss, result.resourceUsage?.maxRSS ?? 0);
}
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
const size = statSync(BINARY).size;
console.log(`binary size:            ${(size / 1024 / 1024).toFixed(1)} MiB`);
console.log(`slapos --help:          median ${pct(50).toFixed(1)} ms, p90 ${pct(90).toFixed(1)} ms (${runs} runs)`);
console.log(`peak RSS of --help:     ${(maxRss / 1024 / 1024).toFixed(1)} MiB`);
