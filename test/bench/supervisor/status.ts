/**
 * Wall time of `status` with 10 programs: our client
 * (`slapos node supervisorctl -c FILE status`) and the stock supervisorctl
 * (run offline, inside `unshare -n`; the cost of unshare alone is shown),
 * against our daemon and against Debian's supervisord. Median of 20 runs.
 * Run: bun test/bench/supervisor/status.ts
 */
import { allRunning, BINARY, fmt, hasSupervisord, setup, start, stop, type Kind } from "./common.ts";

const RUNS = 20;

async function median(argv: string[]): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const began = performance.now();
    const child = Bun.spawn(argv, { stdout: "ignore", stderr: "ignore" });
    await child.exited;
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] / 1000;
}

const unshare = await median(["unshare", "-n", "true"]);
console.log(`status with 10 programs, median of ${RUNS} runs (s); unshare -n alone: ${fmt(unshare, 3)}`);
console.log("daemon        our client   stock supervisorctl");
const kinds: Kind[] = hasSupervisord() ? ["ours", "supervisord"] : ["ours"];
for (const kind of kinds) {
  const s = setup(10, { command: "/bin/sleep 1000" });
  const pid = await start(kind, s);
  await allRunning(s, 10);
  const ours = await median([BINARY, "node", "supervisorctl", "-c", s.conf, "status"]);
  const stock = hasSupervisord() ? await median(["unshare", "-n", "supervisorctl", "-c", s.conf, "status"]) : NaN;
  console.log(`${kind.padEnd(12)}  ${fmt(ours, 3).padStart(10)}   ${fmt(stock, 3).padStart(10)}`);
  await stop(s, pid);
}
