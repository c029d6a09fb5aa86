/**
 * One `slapos node collect` run (format-collect-cli.md §2): sample, store,
 * then the reports — today's system CSVs, the raw dumps of past days, the
 * consumption journals of yesterday and the day before (queued in
 * `xml_report/<computer_id>/` for `node report`), the partitions' monitor
 * JSON, the day archives — and the garbage collection.
 *
 * A failure to store the sample (a full disk) fails the run with a clear
 * error; collector.db keeps every earlier row (see store/database.ts). A
 * failing report step is logged and the others still run; the run then
 * exits 1.
 */
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { messageOf, SlapError } from "../../core/errors.ts";
import type { Hooks } from "../../core/hooks/catalogue.ts";
import type { Logger } from "../../core/log/logger.ts";
import type { CollectConfig } from "./config.ts";
import { writeFileAtomic } from "./files/atomic.ts";
import { compressDayFolders } from "./files/tar-gz.ts";
import { buildXmlReport } from "./report/consumption.ts";
import { buildMonitorReport, previousMinute } from "./report/monitor.ts";
import { dumpPastDays } from "./report/raw-dump.ts";
import { writeSystemCsv } from "./report/system-csv.ts";
import { saveMark } from "./sample/cpu-window.ts";
import { takeSample } from "./sample/take-sample.ts";
import { CollectorDb } from "./store/database.ts";

export interface CollectRunOptions {
  config: CollectConfig;
  log: Logger;
  hooks?: Hooks;
  /** The clock (tests move it); UTC is taken from it. */
  now?: () => Date;
}

export interface CollectPaths {
  dataLog: string;
  consumption: string;
  xmlReport: string;
}

export function collectPaths(config: CollectConfig): CollectPaths {
  const varFolder = join(config.instanceRoot, "var");
  return {
    dataLog: join(varFolder, "data-log"),
    consumption: join(varFolder, "consumption-report"),
    xmlReport: join(varFolder, "xml_report", config.computerId),
  };
}

function dayBefore(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

/** Run every report step; returns the failures (already logged). */
async function reports(db: CollectorDb, options: CollectRunOptions, paths: CollectPaths, now: Date): Promise<string[]> {
  const { config, log, hooks } = options;
  const today = now.toISOString().slice(0, 10);
  const failures: string[] = [];
  const step = async (name: string, work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      failures.push(`${name}: ${messageOf(error)}`);
      log.error(`Collect: ${name} failed: ${messageOf(error)}`);
    }
  };
  await step("system CSV files", () => writeSystemCsv(db, paths.dataLog, today));
  await step("raw dumps of past days", () => dumpPastDays(db, paths.dataLog, today));
  await step("consumption journals", async () => {
    const users = config.partitions.map((p) => p.user);
    for (const days of [1, 2]) {
      const date = dayBefore(today, days);
      const transform = hooks ? (xml: string) => hooks.collect.journal.promise(xml, { computerId: config.computerId, date }) : undefined;
      const written = await buildXmlReport(db, config.computerId, users, paths.consumption, date, transform);
      if (written) {
        // Written beside the journal then renamed into place: node report never sees a partial or temporary file.
        writeFileAtomic(join(paths.xmlReport, basename(written.path)), written.xml, 0o644, paths.consumption);
        log.debug(`Consumption journal ${written.path} queued in ${paths.xmlReport}`);
      }
    }
  });
  await step("monitor files", () => buildMonitorReport(db, config.partitions, previousMinute(now)));
  await step("day archives", () => compressDayFolders(paths.dataLog));
  await step("garbage collection", () => db.garbageCollect(config.collectCache, today));
  return failures;
}

function ensureFolder(path: string, enforceMode: boolean): void {
  mkdirSync(path, { recursive: true, mode: 0o755 });
  if (enforceMode && (statSync(path).mode & 0o7777) !== 0o755) chmodSync(path, 0o755);
}

/** One collect run; returns the exit code. */
export async function runCollect(options: CollectRunOptions): Promise<number> {
  const { config, log } = options;
  const clock = options.now ?? (() => new Date());
  log.info("Collecting data...");
  const paths = collectPaths(config);
  ensureFolder(paths.dataLog, true);
  ensureFolder(paths.consumption, false);
  ensureFolder(paths.xmlReport, false);
  const db = new CollectorDb(paths.dataLog, { create: true });
  try {
    const statePath = join(paths.dataLog, ".cpu-state.json");
    const { sample, mark } = await takeSample({ config, db, log, hooks: options.hooks, statePath, now: clock });
    log.info("Inserting computer and user information into database...");
    try {
      db.insertSample(sample);
    } catch (error) {
      throw new SlapError("failure", `Cannot store the sample in ${db.path}: ${messageOf(error)} (earlier samples are kept)`, { cause: error });
    }
    saveMark(statePath, mark);
    log.info("Done.");
    log.info("Writing csv, XML and JSON files...");
    const failures = await reports(db, options, paths, clock());
    log.info("Done.");
    log.info("Finished collecting.");
    log.info("=".repeat(80));
    return failures.length ? 1 : 0;
  } finally {
    db.close();
  }
}
