/**
 * RSS of the daemon: idle (no program), with 10 and with 100 running
 * programs; ours and Debian's supervisord.
 * Run: bun test/bench/supervisor/memory.ts
 */
import { anonMB, allRunning, fmt, hasSupervisord, rssMB, setup, start, stop, type Kind } from "./common.ts";

const kinds: Kind[] = hasSupervisord() ? ["ours", "supervisord"] : ["ours"];
console.log("daemon RSS (MB), programs = sleep 1000");
console.log("kind         programs  RSS    anon");
for (const kind of kinds) {
  for (const count of [0, 10, 100]) {
    const s = setup(count, { command: "/bin/sleep 1000" });
    const pid = await start(kind, s);
    await allRunning(s, count);
    await Bun.sleep(2000);
    console.log(`${kind.padEnd(12)} ${String(count).padStart(8)}  ${fmt(rssMB(pid)).padStart(5)}  ${fmt(anonMB(pid)).padStart(5)}`);
    await stop(s, pid);
  }
}
