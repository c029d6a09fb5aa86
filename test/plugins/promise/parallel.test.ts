/**
 * Promises of a partition run in parallel, bounded by the concurrency; the
 * reference's one-at-a-time model is concurrency 1. Asserted on intervals
 * that each promise records (start, end), never on durations.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginHost } from "../../../core/hooks/loader.ts";
import { check, openTempDir, promiseHost, TestPartition } from "./helpers.ts";

let host: PluginHost;
beforeAll(async () => {
  host = await promiseHost();
});

/** `count` promises that each write "start end" (nanoseconds) to stamps/<i> and sleep in between. */
function sleepers(count: number, seconds: number): TestPartition {
  const p = new TestPartition(openTempDir());
  const stamps = join(p.path, "stamps");
  mkdirSync(stamps);
  for (let i = 0; i < count; i++) {
    p.legacy(`sleeper-${i}`, `start=$(date +%s%N)\nsleep ${seconds}\necho "$start $(date +%s%N)" > "${stamps}/${i}"`);
  }
  p.own();
  return p;
}

function intervals(p: TestPartition, count: number): Array<[bigint, bigint]> {
  return Array.from({ length: count }, (_, i) => {
    const [start, end] = readFileSync(join(p.path, "stamps", String(i)), "utf8").trim().split(" ");
    return [BigInt(start), BigInt(end)] as [bigint, bigint];
  });
}

describe("parallel promises", () => {
  test("10 promises that each sleep 1 s all overlap: every one starts before any ends", async () => {
    const p = sleepers(10, 1);
    const report = await check(host, p, { concurrency: 10, timeout: 20 });
    expect(report.error).toBeUndefined();
    const spans = intervals(p, 10);
    const lastStart = spans.reduce((m, [s]) => (s > m ? s : m), 0n);
    const firstEnd = spans.reduce((m, [, e]) => (e < m ? e : m), spans[0][1]);
    expect(lastStart).toBeLessThan(firstEnd);
  });

  test("with concurrency 1 they run one at a time, as the reference does", async () => {
    const p = sleepers(3, 0.2);
    await check(host, p, { concurrency: 1, timeout: 20 });
    const spans = intervals(p, 3).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  });

  test("with concurrency 2 at most two run at once", async () => {
    const p = sleepers(4, 0.3);
    await check(host, p, { concurrency: 2, timeout: 20 });
    const spans = intervals(p, 4);
    for (const [start] of spans) {
      const running = spans.filter(([s, e]) => s <= start && start < e).length;
      expect(running).toBeLessThanOrEqual(2);
    }
  });

  test("the error names the first failing promise in directory order, whatever finishes first", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("a-slow", "sleep 0.5; echo slow; exit 1");
    p.legacy("b-fast", "echo fast; exit 1");
    const order = readdirSync(join(p.path, "etc", "promise"));
    const report = await check(host, p, { concurrency: 4 });
    expect(report.error).toBe(`Promise '${order[0]}' failed with output: ${order[0] === "a-slow" ? "slow" : "fast"}`);
    expect(report.results.map((r) => r.name)).toEqual(order);
  });
});
