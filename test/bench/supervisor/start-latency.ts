/**
 * Start-to-RUNNING latency for 100 programs (sleep, startsecs=0, as the
 * node writes them): (1) from launching the daemon to all 100 RUNNING
 * (autostart), (2) one startAllProcesses RPC (wait=true) on a running
 * daemon with autostart=false. Ours and Debian's supervisord.
 * Run: bun test/bench/supervisor/start-latency.ts
 */
import { allRunning, fmt, hasSupervisord, setup, start, stop, type Kind } from "./common.ts";

const COUNT = 100;
console.log(`start-to-RUNNING of ${COUNT} programs (s)`);
console.log("daemon        launch→all RUNNING   startAllProcesses");
const kinds: Kind[] = hasSupervisord() ? ["ours", "supervisord"] : ["ours"];
for (const kind of kinds) {
  const auto = setup(COUNT, { command: "/bin/sleep 1000" });
  let began = performance.now();
  let pid = await start(kind, auto);
  await allRunning(auto, COUNT);
  const launch = (performance.now() - began) / 1000;
  await stop(auto, pid);

  const manual = setup(COUNT, { command: "/bin/sleep 1000", autostart: false });
  pid = await start(kind, manual);
  began = performance.now();
  await manual.call("startAllProcesses", true);
  await allRunning(manual, COUNT);
  const rpc = (performance.now() - began) / 1000;
  await stop(manual, pid);
  console.log(`${kind.padEnd(12)}  ${fmt(launch, 3).padStart(18)}   ${fmt(rpc, 3).padStart(17)}`);
}
