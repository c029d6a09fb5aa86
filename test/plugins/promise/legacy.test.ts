/**
 * The engine with legacy promises (etc/promise executables): results, error
 * text, timeouts, output, deprecated files, bad files; the §8 acceptance
 * checks that concern promises are named after their number.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PluginHost } from "../../../core/hooks/loader.ts";
import { addLogFile } from "../../../core/log/logger.ts";
import { SlapError, exitCodeOf } from "../../../core/errors.ts";
import { check, openTempDir, promiseHost, TestPartition } from "./helpers.ts";

let host: PluginHost;
beforeAll(async () => {
  host = await promiseHost();
});

function partition(): TestPartition {
  return new TestPartition(openTempDir());
}

describe("legacy promises", () => {
  test("§8.38 a failing legacy promise is a PromiseError (code promise, exit 2) and its file did run", async () => {
    const p = partition();
    const worked = join(p.path, "fail_worked");
    p.legacy("fail", `touch "${worked}"\nexit 127`);
    const report = await check(host, p);
    expect(existsSync(worked)).toBe(true);
    expect(report.error).toBe("Promise 'fail' failed with output: ");
    // What the node runtime and `slapos promise run` raise with it.
    expect(exitCodeOf(new SlapError("promise", report.error!))).toBe(2);
  });

  test("§8.38 one and two succeeding legacy promises give no error", async () => {
    const p = partition();
    for (const i of [0, 1]) p.legacy(`succeed_${i}`, `touch "${join(p.path, `succeed_${i}_worked`)}"\nexit 0`);
    const report = await check(host, p);
    expect(report.error).toBeUndefined();
    expect(report.results.map((r) => r.failed)).toEqual([false, false]);
    for (const i of [0, 1]) expect(existsSync(join(p.path, `succeed_${i}_worked`))).toBe(true);
  });

  test("§8.52 result JSON: message is the stripped output, byte layout of Python's json.dump", async () => {
    const p = partition();
    const path = p.legacy("check-web", "echo '  success  '");
    const report = await check(host, p);
    const text = p.resultText("check-web")!;
    const r = report.results[0];
    expect(text).toBe(
      `{"title": "check-web", "name": "check-web", "path": "${path}", "execution-time": ${JSON.stringify(r.executionTime)}, ` +
        `"result": {"type": "Test Result", "failed": false, "date": "${r.date}", "message": "success"}}`,
    );
    expect(r.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
  });

  test("§8.29 the error names the first failing promise with Python repr quoting and keeps non-ASCII output", async () => {
    const p = partition();
    p.legacy("failing_promise", "echo 'héhé fake promise error'; exit 1");
    const report = await check(host, p);
    expect(report.error).toBe("Promise 'failing_promise' failed with output: héhé fake promise error");
    // On disk the message is ASCII-escaped as json.dump does.
    expect(p.resultText("failing_promise")).toContain('"message": "h\\u00e9h\\u00e9 fake promise error"');
  });

  test("a name holding a quote is quoted as repr() does", async () => {
    const p = partition();
    p.legacy("it's", "echo no; exit 1");
    const report = await check(host, p);
    expect(report.error).toBe(`Promise "it's" failed with output: no`);
  });

  test("§8.39 stderr is merged into the message and reaches the run's log file", async () => {
    const p = partition();
    p.legacy("stderr_writer", "echo 'Error Promise 254554802' 1>&2\nexit 127");
    const logFile = join(p.path, ".slapgrid", "log", "instance.log");
    mkdirSync(join(p.path, ".slapgrid", "log"), { recursive: true });
    const detach = addLogFile(logFile);
    try {
      const report = await check(host, p);
      expect(report.results[0].message).toBe("Error Promise 254554802");
    } finally {
      detach();
    }
    expect(readFileSync(logFile, "utf8")).toContain("Error Promise 254554802");
  });

  test("§8.40 a promise that outlives the timeout fails with the reference's message", async () => {
    const p = partition();
    const worked = join(p.path, "timed_out_worked");
    p.legacy("timed_out_promise", `touch "${worked}"\nsleep 25\nexit 0`);
    const report = await check(host, p, { timeout: 1 });
    expect(existsSync(worked)).toBe(true);
    expect(report.results[0]).toMatchObject({ failed: true, origin: "timeout", message: "Error: Promise timed out after 1 seconds" });
    expect(p.result("timed_out_promise").result.message).toBe("Error: Promise timed out after 1 seconds");
    expect(report.error).toBe("Promise 'timed_out_promise' failed with output: Error: Promise timed out after 1 seconds");
  });

  test("§8.40 a timed-out promise's processes are killed, children included", async () => {
    const p = partition();
    const pidFile = join(p.path, "child.pid");
    p.legacy("forks", `sleep 60 &\necho $! > "${pidFile}"\nwait`);
    await check(host, p, { timeout: 1 });
    const pid = Number(readFileSync(pidFile, "utf8"));
    let alive = true;
    for (let i = 0; i < 40 && alive; i++) {
      try {
        process.kill(pid, 0);
        const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
        alive = state !== "Z";
        if (alive) await Bun.sleep(50);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  test("§8.40 one succeeding and one timing-out promise: the run fails, the good result is kept", async () => {
    const p = partition();
    p.legacy("promise_0", "exit 0");
    p.legacy("promise_1", "sleep 25");
    const report = await check(host, p, { timeout: 1 });
    const byName = Object.fromEntries(report.results.map((r) => [r.name, r]));
    expect(byName.promise_0.failed).toBe(false);
    expect(byName.promise_1.failed).toBe(true);
    expect(report.error).toContain("Promise 'promise_1' failed");
  });

  test("a long output is cut to its last 5000 characters behind '...'", async () => {
    const p = partition();
    p.legacy("chatty", "i=0; while [ $i -lt 2000 ]; do printf 'line %05d\\n' $i; i=$((i+1)); done; exit 1");
    const report = await check(host, p);
    const message = report.results[0].message;
    expect(message.length).toBe(5003);
    expect(message.startsWith("...")).toBe(true);
    expect(message.endsWith("line 01999")).toBe(true);
    expect(p.result("chatty").result.message).toBe(message);
  });

  test("the promise log gets one line per run in GenericPromise's format", async () => {
    const p = partition();
    p.legacy("twice", "echo first line; echo second line; exit 3");
    await check(host, p);
    await check(host, p);
    const lines = p.logText("twice").split("\n").filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - ERROR - \d+-\d{3} - first line$/);
    expect(lines[1]).toBe("second line");
  });

  test("legacy promises run in the partition folder with a clean environment", async () => {
    const p = partition();
    const out = join(p.path, "env.txt");
    p.legacy("env", `pwd > "${out}"; echo "HOME=$HOME LANG=$LANG PYTHONPATH=$PYTHONPATH NOUSER=$PYTHONNOUSERSITE" >> "${out}"`);
    const saved = { LANG: process.env.LANG, PYTHONPATH: process.env.PYTHONPATH };
    process.env.LANG = "fr_FR.UTF-8";
    process.env.PYTHONPATH = "/nowhere";
    try {
      await check(host, p);
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    }
    const [cwd, env] = readFileSync(out, "utf8").split("\n");
    expect(cwd).toBe(p.path);
    expect(env).toMatch(/^HOME=\S+ LANG= PYTHONPATH= NOUSER=true$/);
  });

  test("a file that is not an executable regular file is warned about and skipped", async () => {
    const p = partition();
    p.legacy("not-executable", "exit 1", 0o644);
    mkdirSync(join(p.path, "etc", "promise", "a-folder"));
    p.legacy("fine", "exit 0");
    const logFile = join(openTempDir(), "run.log");
    const detach = addLogFile(logFile);
    try {
      const report = await check(host, p);
      expect(report.results.map((r) => r.name)).toEqual(["fine"]);
    } finally {
      detach();
    }
    expect(readFileSync(logFile, "utf8")).toContain(`Bad promise file at '${join(p.path, "etc", "promise", "not-executable")}'.`);
  });

  test("files of older slapos.core versions are removed", async () => {
    const p = partition();
    p.legacy("check", "exit 0");
    const state = p.state();
    mkdirSync(join(state, "history"), { recursive: true });
    const old = ["check.timestamp", "check.periodicity", "promise_stats.json", "promise_status.json", "global.json", "public.json"];
    for (const name of old) writeFileSync(join(state, name), "{}");
    writeFileSync(join(state, "history", "x.json"), "{}");
    await check(host, p);
    for (const name of [...old, "history"]) expect(existsSync(join(state, name))).toBe(false);
  });

  test("a partition without etc/promise nor etc/plugin checks nothing and succeeds", async () => {
    const p = partition();
    rmSync(join(p.path, "etc"), { recursive: true });
    const report = await check(host, p);
    expect(report).toMatchObject({ results: [], skipped: 0, error: undefined });
  });
});

describe("periodicity and modes (legacy promises)", () => {
  test("§8.63 without force a promise checked less than its periodicity ago is not run again", async () => {
    const p = partition();
    const counter = join(p.path, "runs");
    p.legacy("count", `echo x >> "${counter}"`);
    await check(host, p, { force: false });
    const second = await check(host, p, { force: false });
    expect(readFileSync(counter, "utf8")).toBe("x\n");
    expect(second.skipped).toBe(1);
    expect(second.results).toEqual([]);
  });

  test("§8.63 force runs it again", async () => {
    const p = partition();
    const counter = join(p.path, "runs");
    p.legacy("count", `echo x >> "${counter}"`);
    await check(host, p, { force: false });
    await check(host, p, { force: true });
    expect(readFileSync(counter, "utf8")).toBe("x\nx\n");
  });

  test("§8.63 a stored failure counts again while the promise is not due", async () => {
    const p = partition();
    p.legacy("flaky", "echo broken; exit 1");
    const first = await check(host, p, { force: false });
    const date = first.results[0].date;
    p.legacy("flaky", "exit 0");
    const second = await check(host, p, { force: false });
    expect(second.results[0]).toMatchObject({ failed: true, message: "broken", origin: "cached", date });
    expect(second.error).toBe("Promise 'flaky' failed with output: broken");
  });

  test("§8.64 anomaly mode tolerates one timeout, then fails", async () => {
    const p = partition();
    p.legacy("slow", "sleep 25");
    const first = await check(host, p, { mode: "anomaly", timeout: 1 });
    expect(first.results[0]).toMatchObject({ failed: false, type: "Anomaly Result", message: "Error: Promise timed out after 1 seconds" });
    expect(first.error).toBeUndefined();
    const second = await check(host, p, { mode: "anomaly", timeout: 1 });
    expect(second.results[0].failed).toBe(true);
    expect(second.error).toContain("timed out");
  });

  test("§8.64 test mode fails on the first timeout", async () => {
    const p = partition();
    p.legacy("slow", "sleep 25");
    const report = await check(host, p, { mode: "test", timeout: 1 });
    expect(report.results[0]).toMatchObject({ failed: true, type: "Test Result" });
  });

  test("in anomaly mode a legacy promise fails only after 3 failing runs, reports a Test Result and never bangs", async () => {
    const p = partition();
    p.legacy("down", "echo down; exit 1");
    const bangs: string[] = [];
    const bang = (message: string) => void bangs.push(message);
    const failed: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const report = await check(host, p, { mode: "anomaly", force: true, bang });
      failed.push(report.results[0].failed);
      expect(report.results[0].type).toBe("Test Result");
    }
    expect(failed).toEqual([false, false, true]);
    expect(bangs).toEqual([]);
  });

  test("§8.66 the cache file has the reference's keys, order and arithmetic", async () => {
    const p = partition();
    const path = p.legacy("cached", "exit 0");
    await check(host, p);
    const text = p.cacheText("cached")!;
    expect(Object.keys(JSON.parse(text))).toEqual([
      "is_tested", "is_anomaly_detected", "periodicity", "next_run_after", "timestamp", "module_file", "module_file_mtime",
    ]);
    const cache = JSON.parse(text);
    expect(cache).toMatchObject({ is_tested: true, is_anomaly_detected: true, periodicity: 2, module_file: path });
    expect(cache.next_run_after).toBeCloseTo(cache.timestamp + 120, 6);
    const { statSync } = await import("node:fs");
    expect(cache.module_file_mtime).toBeCloseTo(statSync(path).mtimeMs / 1000, 2);
    expect(text).toMatch(/^\{"is_tested": true, "is_anomaly_detected": true, "periodicity": 2, "next_run_after": \d+\.\d+, /);
  });

  test("a cache whose module file is gone is ignored (the promise runs)", async () => {
    const p = partition();
    const counter = join(p.path, "runs");
    const path = p.legacy("moved", `echo x >> "${counter}"`);
    await check(host, p, { force: false });
    const cache = JSON.parse(p.cacheText("moved")!);
    cache.module_file = join(p.path, "gone");
    writeFileSync(p.state("cache", "moved"), JSON.stringify(cache));
    await check(host, p, { force: false });
    expect(readFileSync(counter, "utf8")).toBe("x\nx\n");
    expect(existsSync(path)).toBe(true);
  });
});
