/**
 * The options of `slapos node format` (§1.1): defaults, then `[slapformat]`,
 * then `[slapos]` (a key in `[slapos]` wins), then the command line; then
 * the reference's validation, in its order, each failure one line naming
 * the option.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { FORMAT_DEFAULTS, mergeOptions, type Merged } from "../../core/config/defaults.ts";
import type { SlapConfig } from "../../core/config/slap-config.ts";
import { SlapError } from "../../core/errors.ts";
import { reprString } from "../../core/slap/python-repr.ts";
import { missingBinaries } from "./exec.ts";
import { parseIpv4Cidr } from "./ipv4.ts";

/** A UsageError of the reference: the message, then `For help use --help`, exit 1. */
export class FormatUsageError extends SlapError {
  constructor(message: string) {
    super("format-usage", message);
  }
}

/** A fatal configuration problem the reference logs at CRITICAL before exiting 1. */
export class FormatFatalError extends SlapError {
  constructor(message: string) {
    super("format-fatal", message);
  }
}

/** The validated options of one format run. */
export interface FormatConfig {
  computerId: string;
  masterUrl: string;
  masterRestUrl: string | null;
  keyFile: string | null;
  certFile: string | null;
  instanceRoot: string;
  softwareRoot: string;
  /** Absolute. */
  computerXml: string;
  computerJson: string | null;
  inputDefinitionFile: string | null;
  outputDefinitionFile: string | null;
  alterUser: boolean;
  alterNetwork: boolean;
  partitionHasIpv6Range: boolean;
  createTap: boolean;
  createTun: boolean;
  tapIpv6: boolean;
  tunIpv6: boolean;
  interfaceName: string | null;
  ipv6Interface: string | null;
  ipv4LocalNetwork: string | null;
  ipv6PrefixShift: number;
  tapGatewayInterface: string;
  softwareUser: string;
  instanceStorageHome: string | null;
  partitionBaseName: string;
  userBaseName: string;
  tapBaseName: string;
  partitionAmount: number;
  certificateRepositoryPath: string | null;
  logFile: string | null;
  /** Ours: `[slapformat] public_ipv4_lookup = false` skips asking public services for the node's IPv4. */
  publicIpv4Lookup: boolean;
  dryRun: boolean;
  now: boolean;
  /** Every merged option, for plugins (`format.setup` and friends). */
  options: Readonly<Merged>;
}

/** Options the command line may give (long names as the reference spells them). */
export interface FormatCommandLine {
  computer_xml?: string;
  computer_json?: string;
  input_definition_file?: string;
  output_definition_file?: string;
  alter_user?: string;
  alter_network?: string;
  now?: boolean;
  dry_run?: boolean;
  console?: string;
  cfg?: string;
}

/** Step 1–3 of §1.1: the merged options. A missing section is an error naming it. */
export function mergeFormatOptions(config: SlapConfig, cli: FormatCommandLine = {}): Merged {
  for (const section of ["slapformat", "slapos"]) {
    if (!config.has(section)) {
      throw new FormatFatalError(`No section: ${reprString(section)} in ${config.path ?? "the configuration"}`);
    }
  }
  return mergeOptions(FORMAT_DEFAULTS, config, ["slapformat", "slapos"], { ...cli });
}

function text(options: Merged, key: string): string | null {
  const value = options[key];
  if (value === undefined || value === null || value === "") return null;
  return String(value);
}

/** `true`/`false` in any case, as the reference's setConfig accepts them. */
export function booleanOption(options: Merged, key: string): boolean {
  const value = options[key];
  if (typeof value === "boolean") return value;
  const lowered = String(value ?? "").toLowerCase();
  if (lowered === "true") return true;
  if (lowered === "false") return false;
  throw new FormatUsageError(`Option ${reprString(key)} needs to be "True" or "False", wrong value: ${reprString(String(value))}`);
}

function integerOption(options: Merged, key: string): number {
  const value = String(options[key] ?? "").trim();
  if (!/^[+-]?\d+$/.test(value)) {
    throw new FormatUsageError(`Option ${reprString(key)} needs to be an integer, wrong value: ${reprString(value)}`);
  }
  return Number(value);
}

/** The root check's switch (`root_check`, default True). */
export function rootCheck(options: Merged): boolean {
  return booleanOption({ root_check: "True", ...options }, "root_check");
}

/** `FormatConfig.setConfig`: validate and type the merged options. */
export function validateFormatOptions(options: Merged): FormatConfig {
  for (const option of ["bridge_name", "no_bridge"]) {
    if (text(options, option)) throw new FormatUsageError(`Option ${reprString(option)} is totally deprecated, please update your config file`);
  }
  const flags = Object.fromEntries(
    ["alter_network", "alter_user", "partition_has_ipv6_range", "create_tap", "create_tun", "tap_ipv6", "tun_ipv6"].map((key) => [
      key,
      booleanOption(options, key),
    ]),
  );
  const dryRun = Boolean(options.dry_run);
  if (!dryRun) {
    const probes: string[][] = [];
    if (flags.alter_user) probes.push(["groupadd"], ["useradd"], ["usermod"], ["passwd", "-h"]);
    if (flags.create_tap || flags.alter_network) probes.push(["ip"]);
    const missing = missingBinaries(probes);
    if (missing.length) throw new FormatUsageError(`Some required binaries are missing or not functional: ${missing.join(",")}`);
  }
  for (const parameter of ["computer_id", "instance_root", "master_url", "software_root", "computer_xml"]) {
    if (!text(options, parameter)) throw new FormatUsageError(`Parameter ${reprString(parameter)} is not defined.`);
  }
  for (const option of ["key_file", "cert_file", "master_ca_file"]) {
    const path = text(options, option);
    if (path && !existsSync(path)) throw new FormatFatalError(`File ${reprString(path)} does not exist or is not readable (${option}).`);
  }
  // [BUG] fixed: a missing or non-numeric partition_amount crashes the reference.
  if (!text(options, "partition_amount")) throw new FormatUsageError(`Parameter 'partition_amount' is not defined.`);
  const partitionAmount = integerOption(options, "partition_amount");
  if (partitionAmount < 0) throw new FormatUsageError(`Option 'partition_amount' needs to be 0 or more, wrong value: '${partitionAmount}'`);
  const shift = integerOption(options, "ipv6_prefixshift");
  // [BUG] fixed: 2^S must hold 4 × (amount + 1); at amount = 2^(S-2) the reference's last index overflows its block.
  if (shift < 2 || 2 ** shift < 4 * (partitionAmount + 1)) {
    throw new FormatFatalError(`ipv6_prefixshift ${shift} is too small for partition_amount ${partitionAmount}`);
  }
  const inputDefinition = text(options, "input_definition_file");
  const interfaceName = text(options, "interface_name");
  const ipv6Interface = text(options, "ipv6_interface");
  const ipv4LocalNetwork = text(options, "ipv4_local_network");
  // Clear errors where the reference would crash on a missing interface.
  if (!inputDefinition && !interfaceName && !ipv6Interface) throw new FormatUsageError(`Parameter 'interface_name' is not defined.`);
  if (flags.alter_network) {
    if (!interfaceName) throw new FormatUsageError(`Parameter 'interface_name' is not defined (alter_network is true).`);
    if (!ipv4LocalNetwork) throw new FormatUsageError(`Parameter 'ipv4_local_network' is not defined (alter_network is true).`);
  }
  if (ipv4LocalNetwork && !parseIpv4Cidr(ipv4LocalNetwork)) {
    throw new FormatUsageError(`Option 'ipv4_local_network' needs to be an IPv4 network such as 10.0.0.0/16, wrong value: ${reprString(ipv4LocalNetwork)}`);
  }
  const keyFile = text(options, "key_file");
  const certFile = text(options, "cert_file");
  return {
    computerId: text(options, "computer_id")!,
    masterUrl: text(options, "master_url")!,
    masterRestUrl: text(options, "master_rest_url"),
    keyFile,
    certFile,
    instanceRoot: text(options, "instance_root")!,
    softwareRoot: text(options, "software_root")!,
    computerXml: resolve(text(options, "computer_xml")!),
    computerJson: text(options, "computer_json"),
    inputDefinitionFile: inputDefinition ? resolve(inputDefinition) : null,
    outputDefinitionFile: text(options, "output_definition_file") ? resolve(text(options, "output_definition_file")!) : null,
    alterUser: flags.alter_user,
    alterNetwork: flags.alter_network,
    partitionHasIpv6Range: flags.partition_has_ipv6_range,
    createTap: flags.create_tap,
    createTun: flags.create_tun,
    tapIpv6: flags.tap_ipv6,
    tunIpv6: flags.tun_ipv6,
    interfaceName,
    ipv6Interface,
    ipv4LocalNetwork,
    ipv6PrefixShift: shift,
    tapGatewayInterface: text(options, "tap_gateway_interface") ?? "",
    softwareUser: text(options, "software_user") ?? "slapsoft",
    instanceStorageHome: text(options, "instance_storage_home"),
    partitionBaseName: text(options, "partition_base_name") ?? "slappart",
    userBaseName: text(options, "user_base_name") ?? "slapuser",
    tapBaseName: text(options, "tap_base_name") ?? "slaptap",
    partitionAmount,
    certificateRepositoryPath: text(options, "certificate_repository_path"),
    logFile: text(options, "log_file"),
    publicIpv4Lookup: options.public_ipv4_lookup === undefined ? true : booleanOption(options, "public_ipv4_lookup"),
    dryRun,
    now: Boolean(options.now),
    options: Object.freeze({ ...options }),
  };
}
