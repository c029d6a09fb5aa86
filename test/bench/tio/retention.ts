/**
 * collector.db size over 30 days of 1-minute samples of a node with 20
 * partitions of 10 processes each (200 process rows, 1 computer, 1 system
 * and 1 disk row per sample; one disk-usage row per partition per day),
 * with the retention of collect (collect_cache = 15, the default): at each
 * day's first run the previous day is dumped, archived and marked
 * reported, and reported rows older than 15 days are deleted (VACUUM).
 * Samples are inserted through the same code as a run, on a moved clock.
 *
 *     bun test/bench/tio/retention.ts [days]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CollectSample } from "../../../core/hooks/groups/report.ts";
import { compressDayFolders } from "../../../plugins/tio/files/tar-gz.ts";
import { dumpPastDays } from "../../../plugins/tio/report/raw-dump.ts";
import { CollectorDb } from "../../../plugins/tio/store/database.ts";

const DAYS = Number(process.argv[2] ?? 30);
const KEEP = 15;
const PARTITIONS = 20;
const PROCESSES_EACH = 10;
const dir = mkdtempSync(join(tmpdir(), "slapos-bench-tio-db-"));

function sample(date: string, minute: number): CollectSample {
  const time = `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:07`;
  const processes: CollectSample["processes"] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (let k = 0; k < PROCESSES_EACH; k++) {
      const pid = 10000 + p * 100 + k;
      processes.push({
        partition: `slapuser${p}`,
        pid,
        process: `${pid}-1714550400.12`,
        cpu_percent: Math.round(Math.random() * 1000) / 10,
        cpu_time: 1000 + minute * 0.37,
        cpu_num_threads: 1 + (k % 4),
        memory_percent: Math.random() * 2,
        memory_rss: 20_000_000 + k * 1_000_000,
        io_rw_counter: 4096 * minute,
        io_cycles_counter: 10 * minute,
      });
    }
  }
  return {
    date,
    time,
    computer: { cpu_num_core: 8, cpu_frequency: 0, cpu_type: "0", memory_size: 33_000_000_000, memory_type: "0", partition_list: "/dev/sda1=500000000000" },
    system: {
      loadavg: 1.5,
      cpu_percent: 42.7,
      memory_used: 12_000_000_000,
      memory_free: 21_000_000_000,
      net_in_bytes: 1e9 + minute * 1e5,
      net_in_errors: 0,
      net_in_dropped: 0,
      net_out_bytes: 2e9 + minute * 1e5,
      net_out_errors: 0,
      net_out_dropped: 0,
    },
    disks: [{ partition: "/dev/sda1", used: 200_000_000_000, free: 300_000_000_000, mountpoint: "/" }],
    temperatures: [],
    processes,
    folders: minute === 0 ? Array.from({ length: PARTITIONS }, (_, p) => ({ partition: `slapuser${p}`, disk_used: 1_500_000 + p })) : [],
  };
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const db = new CollectorDb(dir, { create: true });
const start = Date.parse("2031-01-01T00:00:00Z");
let archives = 0;
let peak = 0;
const began = performance.now();
try {
  for (let d = 0; d < DAYS; d++) {
    const date = new Date(start + d * 86_400_000).toISOString().slice(0, 10);
    // The first run of the day: yesterday is dumped, archived, marked; old reported rows go.
    const t0 = performance.now();
    dumpPastDays(db, dir, date);
    await compressDayFolders(dir);
    db.garbageCollect(KEEP, date);
    const daily = performance.now() - t0;
    db.db.transaction(() => {
      for (let m = 0; m < 1440; m++) db.insertSample(sample(date, m));
    })();
    const size = statSync(join(dir, "collector.db")).size;
    peak = Math.max(peak, size);
    archives = readdirSync(dir)
      .filter((n) => n.endsWith(".tar.gz"))
      .reduce((sum, n) => sum + statSync(join(dir, n)).size, 0);
    if (d === 0 || d === KEEP - 1 || d === KEEP || d === DAYS - 1 || (d + 1) % 5 === 0) {
      console.log(
        `day ${String(d + 1).padStart(2)}: collector.db ${mib(size)} MiB, archives so far ${mib(archives)} MiB` +
          (d ? ` (daily dump + archive + GC: ${(daily / 1000).toFixed(1)} s)` : ""),
      );
    }
  }
  const rows = (db.db.query("SELECT count(*) AS n FROM user").get() as { n: number }).n;
  console.log(
    `after ${DAYS} days (collect_cache = ${KEEP}): collector.db ${mib(statSync(join(dir, "collector.db")).size)} MiB (peak ${mib(peak)} MiB), ` +
      `${rows} process rows kept, ${mib(archives)} MiB of day archives; ${((performance.now() - began) / 1000).toFixed(0)} s in all`,
  );
} finally {
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
