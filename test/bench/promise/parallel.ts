/**
 * Figures: 100 promises in one partition (50 legacy shell scripts, 50
 * built-in port checks against a real listener), checked in parallel
 * (default concurrency) versus one at a time (concurrency 1, the reference's
 * sequential model). Two shapes of shell promise: instant (`exit 0`, the
 * cost is spawning) and waiting (`sleep 0.1`, as a check that waits on a
 * service).
 *
 *     bun test/bench/promise/parallel.ts
 *
 * As root it creates a throwaway user to own the partition (promises run as
 * the partition owner) and removes it at the end.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { configureLogging, log } from "../../../core/log/logger.ts";
import { promisePlugin, runPartitionPromises } from "../../../plugins/promise/index.ts";
import { DEFAULT_CONCURRENCY } from "../../../plugins/promise/engine.ts";

configureLogging({ level: "CRITICAL" });
const root = process.getuid?.() === 0;
const user = root ? `slaposbench${process.pid}` : undefined;
if (user) Bun.spawnSync(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group", user]);

const base = mkdtempSync(join(tmpdir(), "slapos-promise-bench-"));
chmodSync(base, 0o755);
const server = createServer((socket) => socket.end());
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as { port: number }).port;

const host = new PluginHost();
host.add(promisePlugin);
await host.applyAll((l) => ({ config: undefined as never, options: {}, log, source: l.source, command: "bench" }));

function partition(name: string, shellBody: string): string {
  const path = join(base, name);
  mkdirSync(join(path, "etc", "promise"), { recursive: true });
  mkdirSync(join(path, "etc", "plugin"), { recursive: true });
  for (let i = 0; i < 50; i++) {
    writeFileSync(join(path, "etc", "promise", `shell-${i}`), `#!/bin/sh\n${shellBody}\n`, { mode: 0o755 });
    writeFileSync(join(path, "etc", "plugin", `port-${i}.promise.json`), JSON.stringify({ kind: "port-listening", host: "127.0.0.1", port }));
  }
  if (user) Bun.spawnSync(["chown", "-R", `${user}:${user}`, path]);
  return path;
}

async function wall(path: string, concurrency: number): Promise<number> {
  const start = performance.now();
  const report = await runPartitionPromises(host.hooks, { partitionId: "slappart0", partitionPath: path, mode: "test", force: true, timeout: 20, concurrency });
  const seconds = (performance.now() - start) / 1000;
  if (report.error || report.results.length !== 100) throw new Error(`bench run failed: ${report.error}`);
  return seconds;
}

async function best(path: string, concurrency: number, runs = 3): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await wall(path, concurrency));
  return min;
}

try {
  console.log(`100 promises (50 shell + 50 port checks), ${availableParallelism()} CPUs, default concurrency ${DEFAULT_CONCURRENCY}${root ? ", run as a dropped user" : ""}; best of 3`);
  for (const [label, body] of [["instant shell (exit 0)", "exit 0"], ["waiting shell (sleep 0.1)", "sleep 0.1"]] as const) {
    const path = partition(label.split(" ")[0], body);
    const sequential = await best(path, 1);
    const parallel = await best(path, DEFAULT_CONCURRENCY);
    const wide = await best(path, 32);
    console.log(
      `${label.padEnd(26)} sequential ${sequential.toFixed(2)} s (${((sequential / 100) * 1000).toFixed(1)} ms/promise)  ` +
        `parallel ${parallel.toFixed(2)} s (×${(sequential / parallel).toFixed(1)})  ` +
        `concurrency 32 ${wide.toFixed(2)} s (×${(sequential / wide).toFixed(1)})`,
    );
  }
} finally {
  server.close();
  rmSync(base, { recursive: true, force: true });
  if (user) Bun.spawnSync(["userdel", user]);
}
