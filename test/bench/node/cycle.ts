/**
 * Figures of the node runtime, through the compiled binary against our
 * master (in-process), as a node runs them:
 *
 * 1. the demo (examples/hello): `node software` from nothing, the first
 *    `node instance` (deploys, starts, checks its promise), a no-change one;
 * 2. a no-change `node instance` over 100 partitions of a trivial release,
 *    stopped (pure skip) and started (the anomaly check of each, which with
 *    a slapproxy-like master reports `started` for every partition);
 * 3. `node promise` on a partition with 100 promises (50 legacy shell
 *    scripts, 50 built-in port checks), run in parallel.
 *
 *     installer/build && bun test/bench/node/cycle.ts
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { Node, instanceProfile, scriptPart, stopNodes, writeRelease } from "../../core/node/harness.ts";
import { ROOT } from "../../helpers/binary.ts";

const DEMO = resolve(ROOT, "examples/hello/software.cfg");

async function timed(node: Node, kind: "software" | "instance" | "report" | "promise", ...args: string[]): Promise<number> {
  const start = performance.now();
  const run = await node.node(kind, ...args);
  const seconds = (performance.now() - start) / 1000;
  if (run.code !== 0) throw new Error(`node ${kind} exited ${run.code}:\n${run.stderr.slice(-2000)}`);
  return seconds;
}

async function best(runs: number, once: () => Promise<number>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) min = Math.min(min, await once());
  return min;
}

const figures: Array<[string, string]> = [];
const note = (what: string, seconds: number) => {
  figures.push([what, `${seconds.toFixed(3)} s`]);
  console.log(`${what}: ${seconds.toFixed(3)} s`);
};

// 1. the demo
{
  const node = await Node.create({ partitions: 1 });
  await node.supply(DEMO);
  note("demo: node software (build from nothing)", await timed(node, "software"));
  await node.request("hello", DEMO);
  note("demo: node instance (first deploy, service started, promise checked)", await timed(node, "instance"));
  note("demo: node instance, nothing changed (best of 5)", await best(5, () => timed(node, "instance")));
  note("demo: node promise (best of 5)", await best(5, () => timed(node, "promise")));
}

// 2. 100 partitions
const base = (await import("node:fs")).mkdtempSync(join((await import("node:os")).tmpdir(), "slapos-node-bench-"));
const trivial = writeRelease(base, "trivial", {
  instance: instanceProfile({ wrapper: scriptPart("etc/run/wrapper", "exec sleep 100000") }),
});
for (const state of ["stopped", "started"] as const) {
  const node = await Node.create({ partitions: 100 });
  await node.supply(trivial);
  await timed(node, "software");
  for (let i = 0; i < 100; i++) await node.request(`instance-${i}`, trivial, { state });
  const first = await timed(node, "instance");
  note(`100 ${state} partitions: first node instance (100 buildouts${state === "started" ? ", 100 programs started" : ""})`, first);
  note(`100 ${state} partitions: node instance, nothing changed (best of 5)`, await best(5, () => timed(node, "instance")));
}

// 3. 100 promises
{
  const server = createServer((socket) => socket.end());
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const port = (server.address() as { port: number }).port;
  const node = await Node.create({ partitions: 1 });
  const parts: Record<string, string> = {};
  for (let i = 0; i < 50; i++) parts[`shell-${i}`] = scriptPart(`etc/promise/shell-${i}`, "exit 0");
  parts.plugins = "recipe = plone.recipe.command\ncommand = mkdir -p etc/plugin";
  const url = writeRelease(base, "promises", { instance: instanceProfile(parts) });
  await node.deploy(url);
  await timed(node, "instance");
  mkdirSync(join(node.partition(0), "etc", "plugin"), { recursive: true });
  for (let i = 0; i < 50; i++) {
    writeFileSync(join(node.partition(0), "etc", "plugin", `port-${i}.promise.json`), JSON.stringify({ kind: "port-listening", host: "127.0.0.1", port }));
  }
  note("100 promises (50 shell, 50 port checks): node promise (best of 5)", await best(5, () => timed(node, "promise")));
  server.close();
}

await stopNodes();
(await import("node:fs")).rmSync(base, { recursive: true, force: true });
console.log("\n| what | time |\n|---|---|");
for (const [what, value] of figures) console.log(`| ${what} | ${value} |`);
process.exit(0);
