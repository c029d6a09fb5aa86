/**
 * The options every slapgrid command shares (node software, instance,
 * report, promise), their merge — `[slapos]`, then `[networkcache]`, then
 * every command-line value that was given — and the reference's checks
 * before anything runs (node-runtime.md §0).
 */
import { existsSync, statSync } from "node:fs";
import type { CommandContext, OptionDef } from "../cli/command.ts";
import { SLAPOS_DEFAULTS, mergeOptions, parseBoolean, type Merged } from "../config/defaults.ts";
import { SlapError } from "../errors.ts";

/** Options of the four slapgrid commands, spelled as the reference spells them. */
export const SLAPGRID_OPTIONS: Record<string, OptionDef> = {
  "instance-root": { type: "string", help: "the instance root directory" },
  "software-root": { type: "string", help: "the software root directory" },
  "master-url": { type: "string", help: "the SlapOS master URL" },
  "computer-id": { type: "string", help: "the computer id" },
  "supervisord-socket": { type: "string", help: "accepted and ignored, as the reference does" },
  "supervisord-configuration-path": { type: "string", help: "accepted and ignored, as the reference does" },
  buildout: { type: "string", help: "location of an external buildout binary" },
  pidfile: { type: "string", help: "file where the pid of the run is written" },
  key_file: { type: "string", help: "SSL authorisation key file" },
  cert_file: { type: "string", help: "SSL authorisation certificate file" },
  signature_private_key_file: { type: "string", help: "signature private key file" },
  master_ca_file: { type: "string", help: "root certificate of the master, to verify it" },
  certificate_repository_path: { type: "string", help: "path to the directory of partition certificates" },
  "maximum-periodicity": { type: "number", help: "periodicity at which buildout runs at most (seconds)" },
  // [BUG] fixed: the reference's argparse default (20) always overrode promise_timeout from the file.
  "promise-timeout": { type: "number", help: "promise timeout in seconds (default: promise_timeout, else 20)" },
  "partition-timeout": { type: "number", help: "buildout timeout per partition in seconds" },
  now: { type: "boolean", help: "launch now, without the random delay" },
  maximal_delay: { type: "number", help: "deprecated: maximal random delay before the run" },
};

/** Options of the command line that name the same `[slapos]` key with dashes. */
function cliLayer(options: CommandContext["options"]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === false) continue;
    out[key.replace(/-/g, "_")] = value;
  }
  return out;
}

export interface SlapgridOptions {
  computerId: string;
  masterUrl: string;
  instanceRoot: string;
  softwareRoot: string;
  keyFile?: string;
  certFile?: string;
  masterCaFile?: string;
  certificateRepositoryPath?: string;
  maximumPeriodicity: number;
  promiseTimeout: number;
  partitionTimeout?: number;
  maximalDelay: number;
  now: boolean;
  rootCheck: boolean;
  /** Everything merged, by underscored key (networkcache keys keep their dashes). */
  raw: Merged;
}

function required(merged: Merged, keys: string[]): void {
  const missing = keys.filter((k) => merged[k] === undefined).sort();
  if (missing.length) throw new SlapError("config", `Missing mandatory parameters: ${missing.join(", ")}`);
  const empty = keys.filter((k) => merged[k] === "").sort();
  if (empty.length) throw new SlapError("config", `Mandatory parameters present but empty: ${empty.join(", ")}`);
}

function integer(value: unknown, name: string): number {
  const n = typeof value === "number" ? value : Number(String(value).trim());
  if (!Number.isInteger(n)) throw new SlapError("config", `${name} must be an integer, not ${JSON.stringify(value)}`);
  return n;
}

/** Merge and check the slapgrid options of a command run. */
export function slapgridOptions(ctx: CommandContext): SlapgridOptions {
  const merged = mergeOptions(SLAPOS_DEFAULTS, ctx.config, ["slapos", "networkcache"], cliLayer(ctx.options));
  required(merged, ["computer_id", "instance_root", "master_url", "software_root"]);
  if (merged.key_file !== undefined || merged.cert_file !== undefined) {
    required(merged, ["key_file", "cert_file", "certificate_repository_path"]);
  }
  for (const key of ["key_file", "cert_file", "master_ca_file", "signature_private_key_file"]) {
    const path = merged[key];
    if (path !== undefined && path !== "" && !existsSync(String(path))) {
      throw new SlapError("config", `File ${key} does not exist: ${path}`);
    }
  }
  const repository = merged.certificate_repository_path;
  if (repository !== undefined && repository !== "" && !(existsSync(String(repository)) && statSync(String(repository)).isDirectory())) {
    throw new SlapError("config", `certificate_repository_path is not a directory: ${repository}`);
  }
  const text = (key: string) => (merged[key] === undefined || merged[key] === "" ? undefined : String(merged[key]));
  return {
    computerId: String(merged.computer_id),
    masterUrl: String(merged.master_url),
    instanceRoot: String(merged.instance_root),
    softwareRoot: String(merged.software_root),
    keyFile: text("key_file"),
    certFile: text("cert_file"),
    masterCaFile: text("master_ca_file"),
    certificateRepositoryPath: text("certificate_repository_path"),
    // [BUG] fixed: the reference keeps maximum_periodicity from the file as a string and crashes comparing it.
    maximumPeriodicity: integer(merged.maximum_periodicity, "maximum_periodicity"),
    promiseTimeout: integer(merged.promise_timeout, "promise_timeout"),
    partitionTimeout: merged.partition_timeout === undefined || merged.partition_timeout === "" ? undefined : integer(merged.partition_timeout, "partition_timeout"),
    maximalDelay: integer(merged.maximal_delay ?? 0, "maximal_delay"),
    now: Boolean(merged.now),
    rootCheck: parseBoolean(merged.root_check, "root_check"),
    raw: merged,
  };
}

/** The reference's root check: exit 5 when root_check is on and we are not root. */
export function checkRoot(rootCheck: boolean): void {
  if (rootCheck && process.getuid?.() !== 0) throw new SlapError("not-root", "This slapos command must be run as root.");
}

/** Sleep a random 1..maximalDelay seconds unless --now (cron spreads runs this way). */
export async function randomDelay(maximalDelay: number, now: boolean, log: { info(m: string): void }): Promise<void> {
  if (now || maximalDelay <= 0) return;
  const seconds = 1 + Math.floor(Math.random() * maximalDelay);
  log.info(`Sleeping for a random time of ${seconds} seconds...`);
  await Bun.sleep(seconds * 1000);
}
