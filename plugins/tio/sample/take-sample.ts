/**
 * One collect sample (format-collect-cli.md §2.2): the partitions'
 * processes, the computer, the system load, the disks, the temperatures,
 * the optional heating test and the partitions' disk usage, laid out as
 * the rows of collector.db and passed through the `collect.sample` hook.
 */
import type { CollectPartition, CollectProcess, CollectSample } from "../../../core/hooks/groups/report.ts";
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import type { Logger } from "../../../core/log/logger.ts";
import { floatRepr } from "../../../core/slap/marshal/float-repr.ts";
import type { CollectConfig } from "../config.ts";
import { readDisks } from "../proc/disks.ts";
import { listPids, processOwner, readProcess, realUid, type ProcessStat } from "../proc/process.ts";
import { CLOCK_TICKS, cpuLoadPercent, readLoadAverage, readMemory, readNetCounters, readUptime } from "../proc/system.ts";
import { pyRound } from "../py-round.ts";
import type { CollectorDb } from "../store/database.ts";
import { Attribution } from "./attribution.ts";
import { bootMark, loadMark, markNow, processCpuPercent, processKey, type CpuMark } from "./cpu-window.ts";
import { guardedFolderSize } from "./disk-usage.ts";
import { heatingTest } from "./heating.ts";
import { readSensors } from "./sensors.ts";

export interface SampleOptions {
  config: CollectConfig;
  db: CollectorDb;
  log: Logger;
  hooks?: Hooks;
  /** Where the previous run's CPU counters are kept. */
  statePath: string;
  now?: () => Date;
  procRoot?: string;
}

export interface Seen {
  stat: ProcessStat;
  user: string;
}

/** The processes of the partitions, now. */
export async function scanProcesses(attribution: Attribution, hooks: Hooks | undefined, procRoot: string): Promise<Seen[]> {
  const asked = hooks?.collect.attribute.isUsed() ?? false;
  const out: Seen[] = [];
  for (const pid of listPids(procRoot)) {
    if (pid === process.pid) continue;
    let owner = processOwner(pid, procRoot);
    // A process that is not dumpable (it changed credentials without exec) has a /proc folder owned by
    // root whatever its uid: its real uid is in its status, where psutil reads it for the reference.
    if (owner === 0 && !asked && !attribution.concerns(0)) owner = realUid(pid, procRoot);
    if (owner === undefined || (!asked && !attribution.concerns(owner))) continue;
    const stat = readProcess(pid, procRoot);
    if (!stat) continue;
    let user: string | null | undefined;
    if (asked) user = await hooks!.collect.attribute.promise({ pid, uid: stat.uid, partitions: attribution.partitions });
    if (user === undefined) user = attribution.userOf(pid, stat.uid, procRoot);
    if (user) out.push({ stat, user });
  }
  return out;
}

function marked(seen: Seen[], base: CpuMark): CpuMark {
  const processes = new Map<string, number>();
  for (const { stat } of seen) processes.set(processKey(stat.pid, stat.starttime), stat.utime + stat.stime);
  return { ...base, processes };
}

function utcStamp(date: Date): { date: string; time: string } {
  const iso = date.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** Disk usage rows of the partitions due for a measure (time cycle, pid guard, > 1 MiB). */
function folderRows(options: SampleOptions, now: Date): CollectSample["folders"] {
  const { config, db, log } = options;
  const rows: CollectSample["folders"] = [];
  if (!config.diskUsage.enabled) return rows;
  for (const partition of config.partitions) {
    const cycle = config.diskUsage.timeCycle;
    const last = cycle ? db.lastFolderMeasure(partition.user) : undefined;
    if (last) {
      const spent = (now.getTime() - Date.parse(`${last.date}T${last.time}Z`)) / 1000;
      if (spent < cycle) {
        log.debug(`Time cycle is not over (${cycle - spent} seconds remaining). No computation of disk usage on the partition ${partition.user}.`);
        continue;
      }
    }
    const size = guardedFolderSize(partition.path, `${config.diskUsage.pidFolder}/${partition.user}_disk_size.pid`);
    if (size === undefined) {
      log.warning(`Disk usage of ${partition.user} is still being measured by another process. Try later.`);
      continue;
    }
    // Empty partitions (1 MiB or less) are not recorded.
    if (size <= 1024) continue;
    rows.push({ partition: partition.user, disk_used: size });
  }
  return rows;
}

function processRow(seen: Seen, before: CpuMark, after: CpuMark, memoryTotal: number, bootTime: number): CollectProcess {
  const { stat, user } = seen;
  const created = stat.starttime / CLOCK_TICKS + bootTime;
  const ticks = stat.utime + stat.stime;
  return {
    partition: user,
    pid: stat.pid,
    process: `${stat.pid}-${floatRepr(created)}`,
    cpu_percent: pyRound(processCpuPercent(before, after, processKey(stat.pid, stat.starttime), ticks, stat.starttime), 1),
    cpu_time: 0 + stat.utime / CLOCK_TICKS + stat.stime / CLOCK_TICKS + stat.cutime / CLOCK_TICKS + stat.cstime / CLOCK_TICKS,
    cpu_num_threads: stat.threads,
    memory_percent: memoryTotal ? (stat.rss / memoryTotal) * 100 : 0,
    memory_rss: stat.rss,
    io_rw_counter: stat.io ? stat.io.readBytes + stat.io.writeBytes : 0,
    io_cycles_counter: stat.io ? stat.io.readCalls + stat.io.writeCalls : 0,
  };
}

async function maybeHeating(options: SampleOptions, now: Date, cpuCount: number): Promise<CollectSample["heating"]> {
  const { config, db, log } = options;
  if (!config.heatingSensorId) return undefined;
  const uptime = readUptime(options.procRoot);
  if (uptime <= 86400) return undefined;
  const last = db.lastHeating();
  if (last && (now.getTime() - Date.parse(`${last.date}T${last.time}Z`)) / 1000 <= uptime) return undefined;
  return heatingTest({
    sensorId: config.heatingSensorId,
    modelId: config.computerModelId,
    sensorsBinary: config.sensorsBinary,
    interval: config.heatingInterval,
    cpuCount,
    log,
  });
}

/** Take one sample; returns it (after the `collect.sample` hook) and the CPU mark to keep for the next run. */
export async function takeSample(options: SampleOptions): Promise<{ sample: CollectSample; mark: CpuMark }> {
  const { config, log, hooks } = options;
  const procRoot = options.procRoot ?? "/proc";
  const clock = options.now ?? (() => new Date());
  const attribution = new Attribution(config.partitions);

  const first = markNow();
  let before = loadMark(options.statePath, first, config.cpuDeltaMaxAge);
  let after: CpuMark;
  let seen: Seen[];
  if (before) {
    after = first;
    seen = await scanProcesses(attribution, hooks, procRoot);
  } else if (config.cpuSampleInterval > 0) {
    before = marked(await scanProcesses(attribution, hooks, procRoot), first);
    await Bun.sleep(config.cpuSampleInterval * 1000);
    after = markNow();
    seen = await scanProcesses(attribution, hooks, procRoot);
  } else {
    before = bootMark(first);
    after = first;
    seen = await scanProcesses(attribution, hooks, procRoot);
  }
  const now = clock();
  const { date, time } = utcStamp(now);
  const memory = readMemory(procRoot);
  const order = new Map(config.partitions.map((p: CollectPartition, i) => [p.user, i]));
  seen.sort((a, b) => order.get(a.user)! - order.get(b.user)! || a.stat.pid - b.stat.pid);
  const unreadable = seen.filter((s) => !s.stat.io).length;
  // [BUG] fixed: the reference exits 0 without storing anything when one process denies access.
  if (unreadable) log.warning(`IO counters of ${unreadable} process(es) are not readable: stored as 0 (run collect as root).`);
  const processes = seen.map((s) => processRow(s, before!, after, memory.total, after.cpu.bootTime));

  const disks = readDisks(procRoot);
  const net = readNetCounters(procRoot);
  const sensors = await readSensors(log, config.sensorsBinary);
  let sample: CollectSample = {
    date,
    time,
    computer: {
      cpu_num_core: after.cpu.count,
      cpu_frequency: 0,
      cpu_type: "0",
      memory_size: memory.total,
      memory_type: "0",
      partition_list: disks.map((d) => `${d.device}=${d.total}`).join(";"),
    },
    system: {
      loadavg: readLoadAverage(procRoot),
      cpu_percent: cpuLoadPercent(before.cpu, after.cpu),
      memory_used: memory.total - memory.available,
      memory_free: memory.available,
      net_in_bytes: net.bytesRecv,
      net_in_errors: net.errIn,
      net_in_dropped: net.dropIn,
      net_out_bytes: net.bytesSent,
      net_out_errors: net.errOut,
      net_out_dropped: net.dropOut,
    },
    disks: disks.map((d) => ({ partition: d.device, used: d.used, free: d.free, mountpoint: d.mountpoint })),
    temperatures: sensors.map((s) => ({ sensor_id: s.sensorId, temperature: s.temperature, alarm: s.alarm })),
    heating: await maybeHeating(options, now, after.cpu.count),
    processes,
    folders: folderRows(options, now),
  };
  if (hooks) sample = await hooks.collect.sample.promise(sample);
  return { sample, mark: marked(seen, after) };
}
