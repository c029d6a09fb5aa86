/**
 * Adoption after kill -9, with 100 programs (sleep 1000): how long the
 * new daemon takes from its launch until the 100 are RUNNING with their
 * old pids, and what watching 100 adopted processes (not our children,
 * looked at once a second) costs in CPU and memory while idle, next to
 * the same daemon idle with 100 children of its own.
 * Run: bun test/bench/supervisor/adopt.ts [count]
 */
import { readFileSync } from "node:fs";
import { alive, anonMB, allRunning, fmt, rssMB, setup, start, stop } from "./common.ts";

const count = Number(process.argv[2] ?? 100);
const s = setup(count, { command: "/bin/sleep 1000" });
const first = await start("ours", s);
await allRunning(s, count);
type Info = { name: string; pid: number; statename: string };
/** CPU (ms) the daemon uses in 30 s, once settled. */
async function idleCpu(pid: number): Promise<number> {
  const ticks = () => readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ").slice(11, 13).map(Number);
  await Bun.sleep(2000);
  const [u0, s0] = ticks();
  await Bun.sleep(30_000);
  const [u1, s1] = ticks();
  return (u1 - u0 + s1 - s0) * 10;
}
console.log(`idle with ${count} children of its own: ${await idleCpu(first)} ms of CPU in 30 s; RSS ${fmt(rssMB(first))} MB (anon ${fmt(anonMB(first))})`);
const before = new Map(((await s.call("getAllProcessInfo")) as Info[]).map((i) => [i.name, i.pid]));

process.kill(first, "SIGKILL");
while (alive(first)) await Bun.sleep(5);
const began = performance.now();
const second = await start("ours", s);
let adopted = 0;
for (;;) {
  const infos = (await s.call("getAllProcessInfo")) as Info[];
  adopted = infos.filter((i) => i.statename === "RUNNING" && before.get(i.name) === i.pid).length;
  if (adopted === count || infos.some((i) => i.statename === "RUNNING" && before.get(i.name) !== i.pid)) break;
  await Bun.sleep(5);
}
const seconds = (performance.now() - began) / 1000;
console.log(`${adopted} of ${count} programs adopted (same pid, RUNNING) ${fmt(seconds, 3)} s after the new daemon's launch`);

console.log(`idle with ${count} adopted processes: ${await idleCpu(second)} ms of CPU in 30 s; RSS ${fmt(rssMB(second))} MB (anon ${fmt(anonMB(second))})`);
await stop(s, second);
