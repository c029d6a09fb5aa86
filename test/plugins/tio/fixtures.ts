/**
 * Synthetic samples for storage and report tests: the reference tests'
 * values (loadavg 0.1, cpu 10.0, memory 100.0, disk /dev/sdx1 10/20, a
 * process of fakeuser0…), stored through the same insert as a real run.
 */
import type { CollectProcess, CollectSample } from "../../../core/hooks/groups/report.ts";
import { CollectorDb } from "../../../plugins/tio/store/database.ts";
import { tempDir } from "../../helpers/tmp.ts";

export function process(partition: string, overrides: Partial<CollectProcess> = {}): CollectProcess {
  return {
    partition,
    pid: 10,
    process: "10-12345",
    cpu_percent: 0.1,
    cpu_time: 10.0,
    cpu_num_threads: 1,
    memory_percent: 10.0,
    memory_rss: 10.0,
    io_rw_counter: 0.1,
    io_cycles_counter: 0.1,
    ...overrides,
  };
}

export function sampleAt(date: string, time: string, overrides: Partial<CollectSample> = {}): CollectSample {
  return {
    date,
    time,
    computer: { cpu_num_core: 1, cpu_frequency: 0, cpu_type: "0", memory_size: 100, memory_type: "0", partition_list: "/dev/sdx1" },
    system: {
      loadavg: 0.1,
      cpu_percent: 10.0,
      memory_used: 100.0,
      memory_free: 100.0,
      net_in_bytes: 10.0,
      net_in_errors: 1,
      net_in_dropped: 2,
      net_out_bytes: 12.0,
      net_out_errors: 1,
      net_out_dropped: 1,
    },
    disks: [{ partition: "/dev/sdx1", used: 10, free: 20, mountpoint: "/mnt" }],
    temperatures: [],
    processes: [process("fakeuser0")],
    folders: [{ partition: "fakeuser0", disk_used: 0.1 }],
    ...overrides,
  };
}

/** A fresh bootstrapped database in a temp folder. */
export function freshDb(): { db: CollectorDb; folder: string } {
  const folder = tempDir("slapos-tio-db-");
  return { db: new CollectorDb(folder, { create: true }), folder };
}

/** Today and the days before it, UTC. */
export function utcDay(offset = 0, from = new Date()): string {
  return new Date(Date.parse(from.toISOString().slice(0, 10) + "T00:00:00Z") - offset * 86_400_000).toISOString().slice(0, 10);
}
