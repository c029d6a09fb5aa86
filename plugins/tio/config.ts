/**
 * What `slapos node collect` reads from slapos.cfg (format-collect-cli.md
 * §2.1), checked once, with clear one-line errors.
 *
 * [BUG] fixed: the shipped slapos.cfg.example spells the `[collect]` keys
 * `enable`, `time_cycle`, `pid_folder` and `use_quota`, which the reference
 * never reads; both spellings are honoured here (the reference's own keys
 * win when both are given).
 */
import { join } from "node:path";
import { FORMAT_DEFAULTS } from "../../core/config/defaults.ts";
import type { SlapConfig } from "../../core/config/slap-config.ts";
import { SlapError } from "../../core/errors.ts";
import type { CollectPartition } from "../../core/hooks/groups/report.ts";

export interface CollectConfig {
  instanceRoot: string;
  computerId: string;
  /** Days of reported rows kept in collector.db (`[slapos] collect_cache`, default 15). */
  collectCache: number;
  partitions: CollectPartition[];
  computerModelId: string;
  /** Undefined: no heating test (`no_sensor`). */
  heatingSensorId?: string;
  diskUsage: {
    enabled: boolean;
    /** Where `<user>_disk_size.pid` guards live. */
    pidFolder: string;
    /** Seconds between two measures of one partition; 0 measures every run. */
    timeCycle: number;
  };
  /**
   * Seconds between the two CPU samples when there is no usable previous
   * run to take deltas from (ours; the reference blocks 5 s every run).
   */
  cpuSampleInterval: number;
  /** A previous run older than this (seconds) is not used for CPU deltas. */
  cpuDeltaMaxAge: number;
  /** `sensors` binary (ours; default: `sensors` on PATH). */
  sensorsBinary: string;
  /** Seconds between two readings of the heating test (reference: 30). */
  heatingInterval: number;
  /** The reference's root check; `[slapos] root_check` (default true). */
  rootCheck: boolean;
}

const TRUE_WORDS = new Set(["true", "on", "1"]);

function integer(value: string, name: string): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isInteger(n)) throw new SlapError("config", `${name} must be an integer, not ${JSON.stringify(value)}`);
  return n;
}

function seconds(value: string, name: string): number {
  const n = Number(value.trim());
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) throw new SlapError("config", `${name} must be a number of seconds, not ${JSON.stringify(value)}`);
  return n;
}

function rootCheckOf(value: string | undefined): boolean {
  const text = (value ?? "True").trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(text)) return true;
  if (["false", "0", "no", "off"].includes(text)) return false;
  throw new SlapError("config", `[slapos] root_check must be true or false, not ${JSON.stringify(value)}`);
}

/** Read and check the collect configuration. */
export function collectConfig(config: SlapConfig): CollectConfig {
  const slapos = (key: string) => config.get("slapos", key);
  const format = (key: string) => config.get("slapformat", key);
  if (!config.has("slapos")) throw new SlapError("config", "slapos.cfg has no [slapos] section");
  const missing = ["instance_root", "computer_id"].filter((k) => !slapos(k));
  if (missing.length) throw new SlapError("config", `Missing mandatory parameters in [slapos]: ${missing.join(", ")}`);
  const amountText = format("partition_amount");
  if (amountText === undefined) throw new SlapError("config", "Missing mandatory parameter: [slapformat] partition_amount");
  const amount = integer(amountText, "[slapformat] partition_amount");
  if (amount < 0) throw new SlapError("config", "[slapformat] partition_amount must not be negative");
  const instanceRoot = slapos("instance_root")!;
  const userBase = format("user_base_name") || FORMAT_DEFAULTS.user_base_name;
  const partitionBase = format("partition_base_name") || FORMAT_DEFAULTS.partition_base_name;
  const partitions: CollectPartition[] = [];
  for (let i = 0; i < amount; i++) {
    partitions.push({ user: `${userBase}${i}`, id: `${partitionBase}${i}`, path: `${instanceRoot}/${partitionBase}${i}` });
  }
  const collect = (key: string, alias: string) => config.get("collect", key) ?? config.get("collect", alias);
  const enabled = collect("report_disk_usage", "enable");
  const sensor = format("heating_sensor_id");
  return {
    instanceRoot,
    computerId: slapos("computer_id")!,
    collectCache: slapos("collect_cache") === undefined ? 15 : integer(slapos("collect_cache")!, "[slapos] collect_cache"),
    partitions,
    computerModelId: format("computer_model_id") ?? "no_model",
    heatingSensorId: sensor === undefined || sensor === "no_sensor" ? undefined : sensor,
    diskUsage: {
      enabled: enabled === undefined ? true : TRUE_WORDS.has(enabled.trim().toLowerCase()),
      pidFolder: collect("disk_snapshot_process_pid_foder", "pid_folder") ?? join(instanceRoot, "var", "run"),
      timeCycle: integer(collect("disk_snapshot_time_cycle", "time_cycle") ?? "86400", "[collect] disk_snapshot_time_cycle"),
    },
    cpuSampleInterval: seconds(config.get("collect", "cpu_sample_interval") ?? "1", "[collect] cpu_sample_interval"),
    cpuDeltaMaxAge: seconds(config.get("collect", "cpu_delta_max_age") ?? "900", "[collect] cpu_delta_max_age"),
    sensorsBinary: config.get("collect", "sensors_binary") ?? "sensors",
    heatingInterval: seconds(config.get("collect", "heating_interval") ?? "30", "[collect] heating_interval"),
    rootCheck: rootCheckOf(slapos("root_check")),
  };
}
