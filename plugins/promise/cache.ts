/**
 * The periodicity cache, `.slapgrid/promise/cache/<title>`: what a promise
 * said about itself the last time it was started, and when it may run again.
 *
 *     {"is_tested": true, "is_anomaly_detected": true, "periodicity": 2,
 *      "next_run_after": 1700000120.5, "timestamp": 1700000000.5,
 *      "module_file": "/srv/slapgrid/slappart0/etc/plugin/x.py", "module_file_mtime": 1699999999.25}
 *
 * `next_run_after` is `timestamp + periodicity × 60` when the promise ran its
 * check in this mode, else `timestamp`. A cache whose module file is gone is
 * ignored (the promise was moved or replaced).
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PromiseMeta, PromiseMode } from "../../core/hooks/groups/promise.ts";
import { PyFloat, pyJsonDumps } from "./py-json.ts";

export interface PromiseCache {
  is_tested: boolean;
  is_anomaly_detected: boolean;
  periodicity: number;
  next_run_after: number;
  timestamp: number;
  module_file: string;
  module_file_mtime: number;
}

export function cachePath(cacheFolder: string, title: string): string {
  return join(cacheFolder, title);
}

/** st_mtime as Python computes it: seconds + nanoseconds × 1e-9, in double precision. */
export function pythonMtime(path: string): number {
  const stat = statSync(path, { bigint: true });
  const seconds = stat.mtimeNs / 1_000_000_000n;
  const nanoseconds = stat.mtimeNs % 1_000_000_000n;
  return Number(seconds) + Number(nanoseconds) * 1e-9;
}

/** Whether the promise runs its check in this mode (else it only refreshes the cache). */
export function startsIn(meta: PromiseMeta, mode: PromiseMode): boolean {
  return mode === "anomaly" ? meta.isAnomalyDetected : meta.isTested;
}

export function writeCache(cacheFolder: string, title: string, meta: PromiseMeta, mode: PromiseMode, now = Date.now() / 1000): void {
  let mtime = 0;
  try {
    mtime = pythonMtime(meta.moduleFile);
  } catch {
    // The module vanished while running; the cache is then ignored on the next run anyway.
  }
  const periodicity = meta.periodicityIsFloat ? new PyFloat(meta.periodicity) : meta.periodicity;
  const text = pyJsonDumps({
    is_tested: meta.isTested,
    is_anomaly_detected: meta.isAnomalyDetected,
    periodicity,
    next_run_after: new PyFloat(startsIn(meta, mode) ? now + meta.periodicity * 60 : now),
    timestamp: new PyFloat(now),
    module_file: meta.moduleFile,
    module_file_mtime: new PyFloat(mtime),
  });
  const path = cachePath(cacheFolder, title);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** The cache of a promise, or undefined when absent, unreadable, or its module file is gone. */
export function readCache(cacheFolder: string, title: string): PromiseCache | undefined {
  const path = cachePath(cacheFolder, title);
  if (!existsSync(path)) return undefined;
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as PromiseCache;
    if (typeof data.module_file !== "string" || !existsSync(data.module_file)) return undefined;
    return data;
  } catch {
    return undefined;
  }
}
