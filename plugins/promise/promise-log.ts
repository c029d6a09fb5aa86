/**
 * A promise's log, `.slapgrid/promise/log/<title>.log`, in GenericPromise's
 * format, and the verdict read back from it as GenericPromise's `_test()` and
 * `_anomaly()` do:
 *
 *     2026-11-22 10:00:00 - ERROR - 1795860000-123 - connection refused
 *
 * (local time; the third field is the run's transaction id,
 * `<int(time)>-<100..999>`; a message's extra lines follow unprefixed).
 */
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { PromiseLogLine } from "../../core/hooks/groups/promise.ts";

export function logPath(logFolder: string, title: string): string {
  return join(logFolder, `${title}.log`);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `%Y-%m-%d %H:%M:%S`, local time, as logging's asctime with that datefmt. */
export function logStamp(date = new Date()): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A new transaction id: `int(time.time())-randint(100, 999)`. */
export function transactionId(now = Date.now()): string {
  return `${Math.floor(now / 1000)}-${100 + Math.floor(Math.random() * 900)}`;
}

/** Append one run's lines, all under one transaction id. */
export function appendRun(file: string, lines: PromiseLogLine[], now = new Date()): void {
  if (!lines.length) return;
  const stamp = logStamp(now);
  const tid = transactionId(now.getTime());
  appendFileSync(file, lines.map((line) => `${stamp} - ${line.level} - ${tid} - ${line.message}\n`).join(""));
}

/** Python's str.strip(): its whitespace differs from JavaScript's trim() (\x1c-\x1f, \x85; not \ufeff). */
export function pyStrip(text: string): string {
  return text.replace(/^[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "");
}

export interface LoggedLine {
  date: string;
  status: string;
  message: string;
}

const LINE = /^(\d{4}-\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2})\s+-?\s*(\w+)\s+-?\s+(\d+-\d{3})\s+-?\s*([^\n]*)/;
const ERROR_LEVELS = new Set(["CRITICAL", "ERROR"]);

/**
 * Parse lines from the newest backwards, as getLastPromiseResultList does.
 * Returns the runs found (newest first, each in logged order) and whether the
 * parse stopped on a run older than the ones wanted (so they are complete).
 */
function parseBackwards(lines: string[], count: number): { runs: LoggedLine[][]; complete: boolean } {
  const runs: LoggedLine[][] = [];
  let current: LoggedLine[] = [];
  let tid: string | undefined;
  let seen = 0;
  let continuation = "";
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i];
    if (!line) continue; // the reference skips empty lines, even inside a message
    const match = LINE.exec(line);
    if (!match) {
      continuation = `\n${line}${continuation}`;
      continue;
    }
    const [, date, status, id, message] = match;
    if (id !== tid) {
      if (tid !== undefined) {
        runs.push(current);
        current = [];
      }
      seen++;
      if (seen > count) return { runs, complete: true };
      tid = id;
    }
    current.unshift({ date, status, message: pyStrip(`${message}${continuation}`) });
    continuation = "";
  }
  if (current.length) runs.push(current);
  return { runs, complete: false };
}

/** The latest `count` runs of a promise log, newest first. Reads only the end of a big file. */
export function latestRuns(file: string, count: number): LoggedLine[][] {
  if (!existsSync(file)) return [];
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    let want = Math.min(size, 64 * 1024);
    for (;;) {
      const buffer = Buffer.alloc(want);
      readSync(fd, buffer, 0, want, size - want);
      const lines = new TextDecoder().decode(buffer).split("\n");
      // A chunk that does not start the file may start inside a line: drop it.
      if (want < size) lines.shift();
      const parsed = parseBackwards(lines, count);
      if (parsed.complete || want === size) return parsed.runs;
      want = Math.min(size, want * 4);
    }
  } finally {
    closeSync(fd);
  }
}

export interface Verdict {
  failed: boolean;
  message: string;
}

/**
 * GenericPromise.__checkPromiseResult: the latest run decides the message; it
 * fails when it failed and `failureAmount` of the latest `resultCount` runs
 * (counting it) failed.
 */
export function verdictFromLog(file: string, resultCount: number, failureAmount: number): Verdict {
  const runs = latestRuns(file, resultCount);
  if (!runs.length) return { failed: false, message: "No result found!" };
  const latest = runs[0];
  const problem = latest.some((line) => ERROR_LEVELS.has(line.status));
  const message = pyStrip(latest.map((line) => `\n${line.message}`).join(""));
  if (!problem) return { failed: false, message };
  let failures = 1;
  for (let i = 1; i < runs.length && failures < failureAmount; i++) {
    if (runs[i].some((line) => ERROR_LEVELS.has(line.status))) failures++;
  }
  return { failed: failures === failureAmount, message };
}
