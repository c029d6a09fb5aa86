/** Hooks of `slapos node report`, usage collection and the watchdog. */
import { bail, series, waterfall } from "../declare.ts";
import type { PartitionJob } from "./instance.ts";

export interface UsageDocument {
  /** Where it came from (partition id, or "computer"). */
  source: string;
  /** TIO XML text. */
  xml: string;
}

/** A partition as collect sees it: its user (the name stored in collector.db) and its folder. */
export interface CollectPartition {
  /** `slapuser<N>`: the `partition` column of `user` and `folder`. */
  user: string;
  /** `slappart<N>`. */
  id: string;
  /** `<instance_root>/slappart<N>`. */
  path: string;
}

/** A process that may belong to a partition (`collect.attribute`). */
export interface ProcessCandidate {
  pid: number;
  /** Real uid. */
  uid: number;
  partitions: readonly CollectPartition[];
}

/** One row of `user`: a process of a partition (column names as the reference's). */
export interface CollectProcess {
  partition: string;
  pid: number;
  /** `<pid>-<create time>`; the command line is deliberately not stored. */
  process: string;
  cpu_percent: number;
  cpu_time: number;
  cpu_num_threads: number;
  memory_percent: number;
  memory_rss: number;
  io_rw_counter: number;
  io_cycles_counter: number;
}

/** One sample of `slapos node collect`, laid out as the tables of collector.db. */
export interface CollectSample {
  /** UTC `YYYY-MM-DD` and `HH:MM:SS` of the sample. */
  date: string;
  time: string;
  computer: {
    cpu_num_core: number;
    cpu_frequency: number;
    cpu_type: string;
    memory_size: number;
    memory_type: string;
    /** `dev1=total1;dev2=total2` */
    partition_list: string;
  };
  system: {
    loadavg: number;
    cpu_percent: number;
    memory_used: number;
    memory_free: number;
    net_in_bytes: number;
    net_in_errors: number;
    net_in_dropped: number;
    net_out_bytes: number;
    net_out_errors: number;
    net_out_dropped: number;
  };
  disks: Array<{ partition: string; used: number; free: number; mountpoint: string }>;
  temperatures: Array<{ sensor_id: string; temperature: number; alarm: number }>;
  heating?: {
    model_id: string;
    sensor_id: string;
    initial_temperature: number;
    final_temperature: number;
    delta_time: number;
    zero_emission_ratio: number;
  };
  processes: CollectProcess[];
  /** Disk usage of partition folders, in KiB (only those measured this run). */
  folders: Array<{ partition: string; disk_used: number }>;
}

export interface JournalContext {
  computerId: string;
  /** The day the journal covers, `YYYY-MM-DD`. */
  date: string;
}

export function createReportHooks() {
  return {
    report: {
      scripts: series<PartitionJob>("run a partition's etc/report scripts"),
      usage: waterfall<UsageDocument[]>("usage documents to send → documents"),
      aggregate: waterfall<string>("the journal XML sent to the master → XML"),
      send: bail<{ xml: string; computerId: string }, boolean>(
        "send a usage journal; return true when a sink took it (the master is the default sink)",
      ),
      partition: series<PartitionJob>("a destroyed partition is about to be cleaned (manager.report)"),
      canDestroy: bail<{ partition: PartitionJob }, boolean>("return false to postpone destruction"),
      destroy: series<PartitionJob>("clean a destroyed partition (sbin/destroy, supervisor, folder)"),
    },
    collect: {
      sample: waterfall<CollectSample>("one collect sample → sample, before it is stored in collector.db"),
      attribute: bail<ProcessCandidate, string | null>(
        "the partition user a process is accounted to; null: none; undefined: the built-in rule (uid, then cgroup, supervisor group, cwd)",
      ),
      journal: waterfall<string, JournalContext>("a daily consumption journal (TIO XML) → XML, before it is written and queued for node report"),
    },
    watchdog: {
      event: bail<{ eventName: string; headers: Record<string, string>; payload: string }, boolean>(
        "a supervisor event; return true when handled",
      ),
      bang: series<{ partitionId: string; message: string }>("bang the master for a partition"),
    },
  };
}
