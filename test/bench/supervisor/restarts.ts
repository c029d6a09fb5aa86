/**
 * RSS of our daemon while one program (/bin/true, autorestart=true) is
 * restarted 10,000 times: printed as a series of points, to show it stays
 * flat. Run: bun test/bench/supervisor/restarts.ts [count]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { anonMB, fmt, rssMB, setup, start, stop } from "./common.ts";

const total = Number(process.argv[2] ?? 10_000);
const s = setup(1, { command: "/bin/true", autorestart: true });
const pid = await start("ours", s);
const log = join(s.dir, "supervisord.log");
const spawns = () => (readFileSync(log, "latin1").match(/ spawned: /g) ?? []).length;

console.log(`restarts of /bin/true (autorestart=true), daemon pid ${pid}`);
console.log("restarts   RSS MB  anon MB");
const began = performance.now();
let next = 0;
for (;;) {
  const n = spawns();
  if (n >= next) {
    console.log(`${String(n).padStart(8)}  ${fmt(rssMB(pid)).padStart(7)}  ${fmt(anonMB(pid)).padStart(7)}`);
    next += total / 10;
  }
  if (n >= total) break;
  await Bun.sleep(200);
}
const seconds = (performance.now() - began) / 1000;
console.log(`${total} restarts in ${fmt(seconds)} s (${fmt(total / seconds, 0)} restarts/s)`);
await stop(s, pid);
