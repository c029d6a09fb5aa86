/**
 * The on-disk formats in isolation: Python's json.dumps layout, the promise
 * log (GenericPromise's lines read back as its _test/_anomaly do), the
 * instance python detection, titles, message truncation.
 */
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PyFloat, pyJsonDumps } from "../../../plugins/promise/py-json.ts";
import { appendRun, latestRuns, pyStrip, verdictFromLog } from "../../../plugins/promise/promise-log.ts";
import { instancePython } from "../../../plugins/promise/instance-python.ts";
import { splitExtension } from "../../../plugins/promise/discover.ts";
import { truncateMessage } from "../../../plugins/promise/result-file.ts";
import { tempDir } from "../../helpers/tmp.ts";

describe("Python json.dumps layout", () => {
  test("separators, key order, ensure_ascii escapes and float repr", () => {
    const text = pyJsonDumps({
      a: 1,
      b: new PyFloat(2),
      c: "é\n\t\"\\\u2028😀\u007f",
      d: [true, null, false],
      e: 0.1,
      f: new PyFloat(1795308230.951),
      g: new PyFloat(1e-5),
    });
    expect(text).toBe(
      '{"a": 1, "b": 2.0, "c": "\\u00e9\\n\\t\\"\\\\\\u2028\\ud83d\\ude00\\u007f", "d": [true, null, false], "e": 0.1, "f": 1795308230.951, "g": 1e-05}',
    );
  });
});

describe("promise log", () => {
  const dir = tempDir();
  let n = 0;
  const file = () => join(dir, `p${n++}.log`);

  test("lines of one run share a transaction id; extra lines of a message follow unprefixed", () => {
    const path = file();
    appendRun(path, [
      { level: "INFO", message: "Promise is running...\nmessage in new line" },
      { level: "INFO", message: "success" },
    ]);
    const runs = latestRuns(path, 1);
    expect(runs).toHaveLength(1);
    expect(runs[0].map((l) => [l.status, l.message])).toEqual([
      ["INFO", "Promise is running...\nmessage in new line"],
      ["INFO", "success"],
    ]);
  });

  test("the latest run decides the message; runs are read newest first", () => {
    const path = file();
    const line = (tid: string, level: string, message: string) => `2026-01-01 10:00:00 - ${level} - ${tid} - ${message}\n`;
    writeFileSync(path, line("100-111", "ERROR", "first") + line("101-222", "INFO", "second") + "\n" + line("102-333", "ERROR", "third"));
    expect(latestRuns(path, 2).map((run) => run[0].message)).toEqual(["third", "second"]);
    expect(latestRuns(path, 100)).toHaveLength(3);
  });

  test("an empty line inside a message is dropped when read back, as the reference does", () => {
    const path = file();
    appendRun(path, [{ level: "ERROR", message: "a\n\nb" }]);
    expect(latestRuns(path, 1)[0][0].message).toBe("a\nb");
  });

  test("failure_amount of result_count: fails only when that many of the latest runs failed", () => {
    const path = file();
    const line = (tid: string, level: string) => `2026-01-01 10:00:00 - ${level} - ${tid} - ${level.toLowerCase()}\n`;
    writeFileSync(path, line("1-100", "ERROR") + line("2-100", "INFO") + line("3-100", "ERROR"));
    expect(verdictFromLog(path, 3, 3)).toEqual({ failed: false, message: "error" });
    expect(verdictFromLog(path, 1, 1)).toEqual({ failed: true, message: "error" });
    appendFileSync(path, line("4-100", "ERROR"));
    expect(verdictFromLog(path, 2, 2)).toEqual({ failed: true, message: "error" });
    expect(verdictFromLog(path, 3, 3)).toEqual({ failed: false, message: "error" });
    appendFileSync(path, line("5-100", "CRITICAL"));
    expect(verdictFromLog(path, 3, 3)).toEqual({ failed: true, message: "critical" });
  });

  test("no log: 'No result found!', not a failure", () => {
    expect(verdictFromLog(join(dir, "absent.log"), 1, 1)).toEqual({ failed: false, message: "No result found!" });
  });

  test("a big log is read from its end, runs intact across the read boundary", () => {
    const path = file();
    const filler = Array.from({ length: 5000 }, (_, i) => `2026-01-01 10:00:00 - INFO - ${1000 + i}-123 - filler ${"x".repeat(40)}\n`).join("");
    const long = Array.from({ length: 6000 }, (_, i) => `continuation ${i}`).join("\n");
    writeFileSync(path, `${filler}2026-01-01 10:00:01 - ERROR - 9999-123 - head\n${long}\n`);
    const runs = latestRuns(path, 1);
    expect(runs[0]).toHaveLength(1);
    expect(runs[0][0].message).toBe(`head\n${long}`);
    expect(latestRuns(path, 2)[1][0].message).toBe(`filler ${"x".repeat(40)}`);
  });

  test("str.strip() whitespace is Python's", () => {
    expect(pyStrip("\x1c\x85 a b \t\n")).toBe("a b");
    expect(pyStrip("\ufeffa")).toBe("\ufeffa");
  });
});

describe("instance python", () => {
  const dir = tempDir();
  const release = (buildout: string | undefined) => {
    const path = join(dir, `sr${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(path, "bin"), { recursive: true });
    if (buildout !== undefined) writeFileSync(join(path, "bin", "buildout"), buildout);
    return path;
  };

  test("the shebang's interpreter, without its arguments", () => {
    expect(instancePython(release("#!/opt/slapos/parts/python3/bin/python3.11 -S\nimport sys\n"))).toBe("/opt/slapos/parts/python3/bin/python3.11");
  });

  test("a /bin/sh shebang: the program of the `exec` second line", () => {
    expect(instancePython(release(`#!/bin/sh\nexec '/srv/sr/bin/python 3' "$@"\n`))).toBe("/srv/sr/bin/python 3");
  });

  test("a /bin/sh script without an exec line, no shebang, or no bin/buildout: no python", () => {
    expect(instancePython(release("#!/bin/sh\necho hi\n"))).toBeUndefined();
    expect(instancePython(release("print('no shebang')\n"))).toBeUndefined();
    expect(instancePython(release(undefined))).toBeUndefined();
    expect(instancePython(undefined)).toBeUndefined();
  });
});

describe("titles and messages", () => {
  test("titles are os.path.splitext's root", () => {
    expect(splitExtension("my_promise.py")).toBe("my_promise");
    expect(splitExtension("check.sh")).toBe("check");
    expect(splitExtension("check-web")).toBe("check-web");
    expect(splitExtension(".hidden")).toBe(".hidden");
    expect(splitExtension("a.b.c")).toBe("a.b");
  });

  test("truncation keeps '...' and the last 5000 characters, and is stable", () => {
    const long = "x".repeat(4000) + "y".repeat(4000);
    const cut = truncateMessage(long);
    expect(cut).toBe(`...${long.slice(-5000)}`);
    expect(truncateMessage(cut)).toBe(cut);
    expect(truncateMessage("short")).toBe("short");
  });
});
