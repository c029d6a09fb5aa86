/**
 * Python promise plugins (etc/plugin/*.py), run with the software release's
 * own Python through our runner. The release is a test folder whose
 * bin/buildout names /usr/bin/python3 and whose lib/ holds our test
 * GenericPromise (fixture-sr/).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginHost } from "../../../core/hooks/loader.ts";
import { check, openTempDir, promiseHost, softwareRelease, TestPartition, until, type SoftwareRelease } from "./helpers.ts";

let host: PluginHost;
beforeAll(async () => {
  host = await promiseHost();
});

function setup(via: "shebang" | "sh-exec" | "none" = "shebang"): { p: TestPartition; sr: SoftwareRelease } {
  const root = openTempDir();
  const sr = softwareRelease(root, via);
  const p = new TestPartition(root);
  p.linkSoftware(sr);
  return { p, sr };
}

describe("python plugins with the release's python", () => {
  test("§8.52 a succeeding plugin writes its result, with the reference's title and name", async () => {
    const { p, sr } = setup();
    const worked = join(p.path, "succeed_worked_plugin");
    const path = p.plugin("succeeding.py", sr.lib, [`open(${JSON.stringify(worked)}, 'a').close()`, 'self.logger.info("success")']);
    const report = await check(host, p);
    expect(report.error).toBeUndefined();
    expect(existsSync(worked)).toBe(true);
    const r = p.result("succeeding");
    expect(r).toMatchObject({ title: "succeeding", name: "succeeding.py", path, result: { type: "Test Result", failed: false, message: "success" } });
  });

  test("§8.52 a failing plugin fails the run with its message", async () => {
    const { p, sr } = setup();
    p.plugin("fail.py", sr.lib, ['self.logger.error("failed")']);
    const report = await check(host, p);
    expect(p.result("fail").result).toMatchObject({ failed: true, message: "failed" });
    expect(report.error).toBe("Promise 'fail.py' failed with output: failed");
  });

  test("§8.52 an exception raised in sense() becomes the failure message", async () => {
    const { p, sr } = setup();
    p.plugin("stderr_fail.py", sr.lib, ['raise ValueError("FAILED 254554802")']);
    await check(host, p);
    expect(p.result("stderr_fail").result).toMatchObject({ failed: true, message: "FAILED 254554802" });
  });

  test("§8.29 the PromiseError keeps a plugin's non-ASCII message", async () => {
    const { p, sr } = setup();
    p.plugin("failing_promise_plugin.py", sr.lib, ['self.logger.error(u"héhé fake promise plugin error")']);
    const report = await check(host, p);
    expect(report.error).toBe("Promise 'failing_promise_plugin.py' failed with output: héhé fake promise plugin error");
  });

  test("§8.53 the python named by a /bin/sh bin/buildout's exec line runs the plugins", async () => {
    const { p, sr } = setup("sh-exec");
    p.plugin("succeeding.py", sr.lib, ['self.logger.info("success")']);
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: false, message: "success" });
    expect(existsSync(sr.calledMarker)).toBe(true);
  });

  test("§8.53 a plugin with an extra import before sys.path[0:0] (old slapos.cookbook layout) runs", async () => {
    const { p, sr } = setup();
    p.plugin("old_layout.py", sr.lib, ['self.logger.info("success")'], { before: ["import json"] });
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: false, message: "success" });
  });

  test("§8.40 a plugin that outlives the timeout fails with the reference's message", async () => {
    const { p, sr } = setup();
    const worked = join(p.path, "timed_out_worked_plugin");
    p.plugin("timeout_fail.py", sr.lib, [`open(${JSON.stringify(worked)}, 'a').close()`, "import time", "time.sleep(27)"]);
    await check(host, p, { timeout: 2 });
    expect(existsSync(worked)).toBe(true);
    expect(p.result("timeout_fail").result).toMatchObject({ failed: true, message: "Error: Promise timed out after 2 seconds" });
  });

  test("a plugin whose RunPromise is not a GenericPromise gives 'No output returned by the promise'", async () => {
    const { p } = setup();
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(p.path, "etc", "plugin", "broken.py"), "class RunPromise(object):\n  pass\n");
    p.own();
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: true, message: "Error: No output returned by the promise" });
  });

  test("the runner creates etc/plugin/__init__.py (0644) and removes stale bytecode", async () => {
    const { p, sr } = setup();
    const { writeFileSync, statSync } = await import("node:fs");
    const stale = join(p.path, "etc", "plugin", "gone.pyc");
    writeFileSync(stale, "");
    p.plugin("ok.py", sr.lib, ['self.logger.info("ok")']);
    await check(host, p);
    const init = join(p.path, "etc", "plugin", "__init__.py");
    expect(statSync(init).mode & 0o777).toBe(0o644);
    expect(existsSync(stale)).toBe(false);
  });

  test("extra_config_dict reaches getConfig(); a reserved name is refused", async () => {
    const { p, sr } = setup();
    p.plugin("configured.py", sr.lib, ['self.logger.info("port=%s", self.getConfig("port"))'], { after: ["extra_config_dict = {'port': '8080'}"] });
    p.plugin("reserved.py", sr.lib, ['self.logger.info("x")'], { after: ["extra_config_dict = {'name': 'x'}"] });
    const report = await check(host, p);
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName["configured.py"]).toMatchObject({ failed: false, message: "port=8080" });
    expect(byName["reserved.py"]).toMatchObject({ failed: true, message: "Error: No output returned by the promise" });
  });

  test("§8.66 a plugin's cache keeps its float periodicity and the module file of its class", async () => {
    const { p, sr } = setup();
    const path = p.plugin("my_promise.py", sr.lib, ['self.logger.info("success")'], { periodicity: "0.01", init: ["self.setTestLess()"] });
    await check(host, p, { mode: "anomaly", force: false });
    const text = p.cacheText("my_promise")!;
    const cache = JSON.parse(text);
    expect(cache).toMatchObject({ is_tested: false, is_anomaly_detected: true, periodicity: 0.01, module_file: path });
    expect(cache.next_run_after).toBeCloseTo(cache.timestamp + 0.01 * 60, 6);
    expect(text).toContain('"periodicity": 0.01,');
  });

  test("§8.66 the cache expires with the periodicity: not run before, run again after", async () => {
    const { p, sr } = setup();
    const counter = join(p.path, "runs");
    // A long periodicity, then the cache's due date moved into the past: no test that depends on the clock.
    p.plugin("my_promise.py", sr.lib, [`open(${JSON.stringify(counter)}, 'a').write('x')`, 'self.logger.info("success")'], { periodicity: "60" });
    await check(host, p, { force: false });
    const first = JSON.parse(p.cacheText("my_promise")!);
    expect(first.next_run_after).toBeGreaterThan(first.timestamp);
    const second = await check(host, p, { force: false });
    expect(second.skipped).toBe(1);
    expect(JSON.parse(p.cacheText("my_promise")!).timestamp).toBe(first.timestamp);
    const cacheFile = join(p.path, ".slapgrid", "promise", "cache", "my_promise");
    writeFileSync(cacheFile, JSON.stringify({ ...first, next_run_after: first.timestamp - 1 }));
    await until(first.timestamp);
    await check(host, p, { force: false });
    const third = JSON.parse(p.cacheText("my_promise")!);
    expect(third.timestamp).toBeGreaterThan(first.timestamp);
    expect(readFileSync(counter, "utf8")).toBe("xx");
  });

  test("§8.65 a plugin without test is not run in test mode and writes no result", async () => {
    const { p, sr } = setup();
    p.plugin("my_promise.py", sr.lib, ["import time", "time.sleep(20)"], { init: ["self.setTestLess()"] });
    const report = await check(host, p, { mode: "test", timeout: 10 });
    expect(report.results).toEqual([]);
    expect(p.resultText("my_promise")).toBeUndefined();
  });

  test("§8.65 a plugin without test runs in anomaly mode", async () => {
    const { p, sr } = setup();
    p.plugin("my_promise.py", sr.lib, ['self.logger.info("success")'], { init: ["self.setTestLess()"] });
    const report = await check(host, p, { mode: "anomaly" });
    expect(report.results[0]).toMatchObject({ type: "Anomaly Result", failed: false });
  });

  test("§8.65 a plugin without anomaly is skipped in anomaly mode, and its cache does not delay the test", async () => {
    const { p, sr } = setup();
    p.plugin("my_promise.py", sr.lib, ['self.logger.info("success")'], { periodicity: "5", init: ["self.setAnomalyLess()"] });
    const anomaly = await check(host, p, { mode: "anomaly", force: false });
    expect(anomaly.results).toEqual([]);
    const testRun = await check(host, p, { mode: "test", force: false });
    expect(testRun.results[0]).toMatchObject({ type: "Test Result", failed: false });
  });

  test("§8.65 a plugin without test nor anomaly fails", async () => {
    const { p, sr } = setup();
    p.plugin("my_promise.py", sr.lib, ["pass"], { init: ["self.setTestLess()", "self.setAnomalyLess()"] });
    const report = await check(host, p, { mode: "anomaly" });
    expect(report.results[0]).toMatchObject({ type: "Anomaly Result", failed: true, message: "It's not allowed to disable both Test and Anomaly in promise!" });
    expect(report.error).toBeDefined();
  });

  test("§8.63 only some plugins (run-only list): others and legacy promises are not run", async () => {
    const { p, sr } = setup();
    p.plugin("one.py", sr.lib, ['self.logger.info("1")']);
    p.plugin("two.py", sr.lib, ['self.logger.info("2")']);
    p.legacy("legacy", "exit 1");
    const report = await check(host, p, { only: ["two.py"] });
    expect(report.results.map((r) => r.name)).toEqual(["two.py"]);
  });
});

describe("bang", () => {
  test("a failing anomaly check bangs once per run with 'Promise <title> is failing'", async () => {
    const { p, sr } = setup();
    p.plugin("first.py", sr.lib, ['self.logger.error("down")']);
    p.plugin("second.py", sr.lib, ['self.logger.error("down too")']);
    const bangs: string[] = [];
    const report = await check(host, p, { mode: "anomaly", bang: (message) => void bangs.push(message) });
    expect(bangs).toHaveLength(1);
    expect(["Promise first is failing", "Promise second is failing"]).toContain(bangs[0]);
    expect(report.bang).toBe(bangs[0]);
  });

  test("no bang in test mode, nor when the plugin disallows it", async () => {
    const { p, sr } = setup();
    p.plugin("quiet.py", sr.lib, ['self.logger.error("down")'], { after: ["extra_config_dict = {'bang-on-failure': 'false'}"] });
    const bangs: string[] = [];
    await check(host, p, { mode: "test", bang: (message) => void bangs.push(message) });
    await check(host, p, { mode: "anomaly", bang: (message) => void bangs.push(message) });
    expect(bangs).toEqual([]);
  });

  test("a bang callback that throws does not fail the run beyond the promise", async () => {
    const { p, sr } = setup();
    p.plugin("down.py", sr.lib, ['self.logger.error("down")']);
    const report = await check(host, p, {
      mode: "anomaly",
      bang: () => {
        throw new Error("master unreachable");
      },
    });
    expect(report.error).toBe("Promise 'down.py' failed with output: down");
  });
});

describe("without the release's python", () => {
  test("a plugin is reported SKIPPED with the reason, in the result and in its log", async () => {
    const { p, sr } = setup("none");
    p.plugin("check.py", sr.lib, ['self.logger.info("ok")']);
    const report = await check(host, p);
    expect(report.error).toBeUndefined();
    const r = p.result("check").result;
    expect(r.failed).toBe(false);
    expect(r.message).toMatch(/^SKIPPED: no Python to run promise plugins: .*bin\/buildout names no Python interpreter$/);
    expect(report.results[0].origin).toBe("skipped");
    expect(p.logText("check")).toMatch(/ - WARNING - \d+-\d{3} - SKIPPED: no Python/);
  });

  test("a partition without software_release skips its plugins but runs its legacy promises", async () => {
    const p = new TestPartition(openTempDir());
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(p.path, "etc", "plugin", "check.py"), "raise SystemExit(1)\n");
    p.legacy("legacy", "echo fine");
    p.own();
    const report = await check(host, p);
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName["check.py"].message).toStartWith("SKIPPED: ");
    expect(byName.legacy).toMatchObject({ failed: false, message: "fine" });
  });
});
