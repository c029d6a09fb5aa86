/**
 * Definition files (§1.11.4): a computer given in full — addresses, users,
 * taps, ranges — instead of discovered; what StandaloneSlapOS and
 * `configure local` use as a normal user. Also the `-o` output, and the
 * writer of a standalone-style definition for callers that format
 * programmatically.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressEntry, ComputerDocument, Ipv6Range } from "../../core/hooks/groups/format.ts";
import type { Logger } from "../../core/log/logger.ts";
import { SlapConfig } from "../../core/config/slap-config.ts";
import type { FormatConfig } from "./config.ts";
import { FormatUsageError } from "./config.ts";
import { ipv6Netmask } from "./ipv6.ts";
import { newComputer, newPartition, newTap, newTun, newUser } from "./model.ts";
import { writeAtomic } from "./persist.ts";

function readDefinition(path: string): SlapConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new FormatUsageError(`input_definition_file ${path} cannot be read`);
  }
  try {
    return SlapConfig.parse(text, path);
  } catch (error) {
    throw new FormatUsageError(`input_definition_file ${path}: ${(error as Error).message}`);
  }
}

/** `parse_computer_definition`: the computer as the file defines it. */
export function parseDefinition(conf: FormatConfig, log: Logger): ComputerDocument {
  const path = conf.inputDefinitionFile!;
  log.info(`Using definition file '${path}'`);
  const definition = readDefinition(path);
  const get = (section: string, option: string): string => {
    const value = definition.raw(section, option);
    if (value === undefined) {
      const where = definition.has(section) ? `has no option '${option}' in [${section}]` : `has no section [${section}]`;
      throw new FormatUsageError(`input_definition_file ${path} ${where}`);
    }
    return value;
  };
  const split = (value: string, what: string): [string, string] => {
    const parts = value.split("/");
    if (parts.length !== 2 || !parts[0]) throw new FormatUsageError(`input_definition_file ${path}: ${what} must be "address/netmask", not ${JSON.stringify(value)}`);
    return [parts[0], parts[1]];
  };
  let address: string | null = null;
  let netmask: string | null = null;
  const computerAddress = definition.raw("computer", "address")?.trim();
  if (computerAddress) [address, netmask] = split(computerAddress, "[computer] address");
  const withInterface = conf.alterNetwork && conf.interfaceName !== null && conf.ipv4LocalNetwork !== null;
  const computer = newComputer({
    reference: conf.computerId,
    interface: withInterface
      ? {
          name: conf.interfaceName!,
          ipv4_local_network: conf.ipv4LocalNetwork,
          ipv6_interface: conf.ipv6Interface ?? conf.interfaceName!,
          ipv6_prefixshift: conf.ipv6PrefixShift,
        }
      : null,
    address,
    netmask,
    ipv6Interface: conf.ipv6Interface,
    partitionHasIpv6Range: conf.partitionHasIpv6Range,
    softwareUser: definition.raw("computer", "software_user") ?? "slapsoft",
    tapGatewayInterface: conf.tapGatewayInterface,
    tapIpv6: conf.tapIpv6,
    softwareRoot: conf.softwareRoot,
    instanceRoot: conf.instanceRoot,
  });
  for (let i = 0; i < conf.partitionAmount; i++) {
    const section = `partition_${i}`;
    const addressList: AddressEntry[] = get(section, "address")
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => {
        const [addr, mask] = split(pair, `[${section}] address`);
        return { addr, netmask: mask };
      });
    let ipv6Range: Ipv6Range | Record<string, never> = {};
    const range = definition.raw(section, "ipv6_range")?.trim();
    if (range) {
      const [addr, length] = split(range, `[${section}] ipv6_range`);
      const prefixlen = Number(length);
      if (!Number.isInteger(prefixlen)) throw new FormatUsageError(`input_definition_file ${path}: [${section}] ipv6_range must be "address/prefixlen", not ${JSON.stringify(range)}`);
      ipv6Range = { addr, netmask: ipv6Netmask(prefixlen), network: range, prefixlen };
    }
    const pathname = get(section, "pathname");
    const partition = newPartition({
      reference: pathname,
      path: join(conf.instanceRoot, pathname),
      user: newUser(get(section, "user")),
      addressList,
      ipv6Range,
      tap: newTap(get(section, "network_interface")),
      // [BUG] fixed: the reference crashes here with create_tun.
      tun: conf.createTun ? newTun(i, conf.partitionAmount, conf.tunIpv6) : null,
    });
    const capabilities = definition.raw(section, "capability_list");
    if (capabilities !== undefined) {
      partition.capability_list = capabilities
        .split("\n")
        .map((c) => c.trim())
        .filter(Boolean);
    }
    computer.partition_list.push(partition);
  }
  return computer;
}

/** `write_computer_definition` (`-o`), written before format runs. */
export function writeDefinition(path: string, computer: ComputerDocument, log: Logger): void {
  const sections: string[] = ["[computer]"];
  if (computer.address !== null && computer.netmask !== null) sections.push(`address = ${computer.address}/${computer.netmask}`);
  let text = sections.join("\n") + "\n\n";
  computer.partition_list.forEach((partition, i) => {
    const lines = [`[partition_${i}]`, `address = ${partition.address_list.map((a) => `${a.addr}/${a.netmask}`).join(" ")}`];
    // [BUG] fixed: the reference fails on partitions without a range (a fresh computer, or partition_has_ipv6_range false).
    const network = (partition.ipv6_range as Partial<Ipv6Range>).network;
    if (network) lines.push(`ipv6_range = ${network}`);
    lines.push(`user = ${partition.user.name}`, `network_interface = ${partition.tap.name}`, `pathname = ${partition.reference}`);
    text += lines.join("\n") + "\n\n";
  });
  writeAtomic(path, text);
  log.info(`Stored computer definition in '${path}'`);
}

/** What a standalone node's definition needs (StandaloneSlapOS' SlapformatDefinitionWriter). */
export interface StandaloneDefinition {
  partitionCount: number;
  /** The node's IPv4 (also every partition's). */
  ipv4: string;
  /** Every partition's IPv6, or one per partition. */
  ipv6: string | ((index: number) => string);
  /** Optional per-partition IPv6 range, `addr/prefixlen`. */
  ipv6Range?: (index: number) => string | undefined;
  partitionBaseName?: string;
  /** The partitions' user: the user running the node. */
  user: string;
}

/** The text of a standalone definition file, as StandaloneSlapOS writes it. */
export function standaloneDefinition(spec: StandaloneDefinition): string {
  let text = `\n[computer]\naddress = ${spec.ipv4}/255.255.255.255\n\n`;
  const base = spec.partitionBaseName ?? "slappart";
  for (let i = 0; i < spec.partitionCount; i++) {
    const ipv6 = typeof spec.ipv6 === "function" ? spec.ipv6(i) : spec.ipv6;
    const range = spec.ipv6Range?.(i);
    text +=
      `\n[partition_${i}]\n` +
      `address = ${spec.ipv4}/255.255.255.255 ${ipv6}/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n` +
      `${range ? `ipv6_range = ${range}` : ""}\n` +
      `pathname = ${base}${i}\n` +
      `user = ${spec.user}\n` +
      `network_interface =\n\n`;
  }
  return text;
}
