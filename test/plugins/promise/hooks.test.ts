/**
 * The hooks around a promise run, as core and other plugins use them:
 * promise.check (what the node runtime calls), promise.list,
 * promise.result, promise.done.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { PromiseResult } from "../../../core/hooks/groups/promise.ts";
import { required } from "../../../core/hooks/loader.ts";
import type { Plugin } from "../../../core/hooks/plugin.ts";
import { check, openTempDir, promiseHost, TestPartition } from "./helpers.ts";

function plugin(name: string, apply: Plugin["apply"]): Plugin {
  return { name, version: "1.0.0", apiVersion: "^1.0.0", apply };
}

describe("promise hooks", () => {
  test("promise.check answers the node runtime with the results and the PromiseError text", async () => {
    const host = await promiseHost();
    const p = new TestPartition(openTempDir(), "slappart7");
    p.legacy("down", "echo down; exit 1");
    const report = await required(host.hooks.promise.check, {
      partitionId: p.id,
      partitionPath: p.path,
      mode: "test",
      force: true,
      timeout: 5,
    });
    expect(report.results.map((r) => r.name)).toEqual(["down"]);
    expect(report.error).toBe("Promise 'down' failed with output: down");
  });

  test("a partition folder that does not exist is one clear error", async () => {
    const host = await promiseHost();
    const missing = join(openTempDir(), "slappart9");
    const error = await required(host.hooks.promise.check, {
      partitionId: "slappart9",
      partitionPath: missing,
      mode: "test",
      force: true,
      timeout: 5,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`Partition directory ${missing} does not exist.`);
  });

  test("promise.list may filter what runs", async () => {
    const host = await promiseHost(
      plugin("only-b", (hooks) => void hooks.promise.list.tapPromise("only-b", async (specs) => specs.filter((s) => s.name === "b"))),
    );
    const p = new TestPartition(openTempDir());
    p.legacy("a", "exit 1");
    p.legacy("b", "exit 0");
    const report = await check(host, p);
    expect(report.results.map((r) => r.name)).toEqual(["b"]);
  });

  test("promise.result sees every written result; a tap that throws does not stop the run", async () => {
    const seen: PromiseResult[] = [];
    const host = await promiseHost(
      plugin("watcher", (hooks) => void hooks.promise.result.tapPromise("watcher", async ({ result }) => void seen.push(result))),
      plugin("thrower", (hooks) =>
        void hooks.promise.result.tapPromise("thrower", async () => {
          throw new Error("sink down");
        }),
      ),
    );
    const p = new TestPartition(openTempDir());
    p.legacy("a", "exit 0");
    p.legacy("b", "exit 0");
    const report = await check(host, p);
    expect(report.results).toHaveLength(2);
    expect(seen.map((r) => r.name).sort()).toEqual(["a", "b"]);
  });

  test("promise.done may replace the run's error", async () => {
    const host = await promiseHost(
      plugin("strict", (hooks) =>
        void hooks.promise.done.tapPromise("strict", async ({ results, error }) =>
          error ? undefined : new Error(`strict: ${results.length} promise(s) passed but the partition is not reviewed`),
        ),
      ),
    );
    const p = new TestPartition(openTempDir());
    p.legacy("a", "exit 0");
    expect((await check(host, p)).error).toBe("strict: 1 promise(s) passed but the partition is not reviewed");
  });
});
