/**
 * `parse_computer_xml` (§1.3 step 2, §1.11.1 load, §1.13 partition count):
 * the computer from the stored computer_xml, or a new one, with partitions
 * appended up to `partition_amount`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressEntry, ComputerDocument, InterfaceDocument, Ipv6Range, TapDocument } from "../../core/hooks/groups/format.ts";
import { SlapError, messageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { loads } from "../../core/slap/marshal/index.ts";
import { isPlainDict, type PyDict, type PyValue } from "../../core/slap/marshal/values.ts";
import type { FormatConfig } from "./config.ts";
import { newComputer, newPartition, newTap, newTun, newUser, tunNeedsIpv6 } from "./model.ts";

/** Decreasing partition_amount: the reference logs it at CRITICAL and exits 1. */
export class PartitionShrinkError extends SlapError {
  constructor(message: string) {
    super("format-shrink", message);
  }
}

export function interfaceFromConfig(conf: FormatConfig): InterfaceDocument {
  // The reference writes str(None) when interface_name is unset.
  const name = conf.interfaceName ?? "None";
  return {
    name,
    ipv4_local_network: conf.ipv4LocalNetwork,
    ipv6_interface: conf.ipv6Interface ?? name,
    ipv6_prefixshift: conf.ipv6PrefixShift,
  };
}

function str(value: PyValue | undefined, fallback = ""): string {
  return value === undefined || value === null ? fallback : String(value);
}

function dict(value: PyValue | undefined): PyDict | undefined {
  return isPlainDict(value) ? (value as PyDict) : undefined;
}

function storedTap(value: PyValue | undefined, fallbackName: string): TapDocument {
  const stored = dict(value);
  if (!stored) return newTap(fallbackName);
  const tap = newTap(str(stored.name));
  for (const key of Object.keys(tap) as Array<keyof TapDocument>) {
    if (key !== "name") tap[key] = str(stored[key]);
  }
  return tap;
}

function storedTun(value: PyValue | undefined, index: number, conf: FormatConfig): TapDocument | null {
  const stored = dict(value);
  if (!stored) return conf.createTun ? newTun(index, conf.partitionAmount, conf.tunIpv6) : null;
  const ipv4 = str(stored.ipv4_addr);
  const ipv6 = str(stored.ipv6_addr);
  const tun = newTun(index, conf.partitionAmount, !ipv6 && conf.tunIpv6, str(stored.name));
  if (ipv4) {
    tun.ipv4_addr = ipv4;
    tun.ipv4_netmask = str(stored.ipv4_netmask);
    tun.ipv4_network = str(stored.ipv4_network);
  }
  if (ipv6) {
    tun.ipv6_addr = ipv6;
    tun.ipv6_netmask = str(stored.ipv6_netmask);
    tun.ipv6_network = str(stored.ipv6_network);
    tunNeedsIpv6.delete(tun);
  }
  return tun;
}

/** `Computer.load`: what is kept from the file; everything else comes from the configuration. */
export function loadComputerXml(path: string, conf: FormatConfig): ComputerDocument {
  let stored: PyDict;
  try {
    const value = loads(readFileSync(path, "utf8"));
    if (!isPlainDict(value)) throw new Error("it does not hold a dictionary");
    stored = value as PyDict;
  } catch (error) {
    throw new SlapError("failure", `computer_xml ${path} cannot be loaded: ${messageOf(error)}`, { cause: error });
  }
  const computer = newComputer({
    reference: conf.computerId,
    interface: null,
    address: stored.address === undefined ? null : (stored.address as string | null),
    netmask: stored.netmask === undefined ? null : (stored.netmask as string | null),
    ipv6Interface: conf.ipv6Interface,
    partitionHasIpv6Range: conf.partitionHasIpv6Range,
    softwareUser: str(stored.software_user, "slapsoft"),
    tapGatewayInterface: conf.tapGatewayInterface,
    tapIpv6: conf.tapIpv6,
    // Once stored, the roots win over the configuration (§1.13).
    softwareRoot: str(stored.software_root, conf.softwareRoot),
    instanceRoot: str(stored.instance_root, conf.instanceRoot),
  });
  const partitions = Array.isArray(stored.partition_list) ? stored.partition_list : [];
  partitions.forEach((item, index) => {
    const partition = dict(item);
    if (!partition) throw new SlapError("failure", `computer_xml ${path}: partition ${index} is not a dictionary`);
    const reference = str(partition.reference);
    const user = dict(partition.user);
    const addresses = Array.isArray(partition.address_list) ? partition.address_list : [];
    computer.partition_list.push(
      newPartition({
        reference,
        path: str(partition.path),
        user: newUser(user ? str(user.name) : "root"),
        addressList: addresses.map((a) => {
          const entry = dict(a) ?? {};
          return { addr: str(entry.addr), netmask: str(entry.netmask) } satisfies AddressEntry;
        }),
        ipv6Range: (dict(partition.ipv6_range) ?? {}) as unknown as Ipv6Range,
        tap: storedTap(partition.tap, reference),
        tun: storedTun(partition.tun, index, conf),
      }),
    );
  });
  return computer;
}

/** The computer of an XML-mode run: loaded or new, then grown to partition_amount. */
export function computerFromXml(conf: FormatConfig, log: Logger): ComputerDocument {
  let computer: ComputerDocument;
  if (existsSync(conf.computerXml)) {
    log.debug(`Loading previous computer data from '${conf.computerXml}'`);
    computer = loadComputerXml(conf.computerXml, conf);
  } else {
    log.warning(`Creating new computer data with id '${conf.computerId}'`);
    computer = newComputer({
      reference: conf.computerId,
      interface: null,
      ipv6Interface: conf.ipv6Interface,
      partitionHasIpv6Range: conf.partitionHasIpv6Range,
      softwareUser: conf.softwareUser,
      tapGatewayInterface: conf.tapGatewayInterface,
      tapIpv6: conf.tapIpv6,
      softwareRoot: conf.softwareRoot,
      instanceRoot: conf.instanceRoot,
    });
  }
  computer.interface = interfaceFromConfig(conf);
  const existing = computer.partition_list.length;
  if (conf.partitionAmount < existing) {
    throw new PartitionShrinkError(
      `Requested amount of computer partitions (${conf.partitionAmount}) is lower than already configured (${existing}), cannot continue`,
    );
  }
  if (conf.partitionAmount > existing) log.info(`Adding ${conf.partitionAmount - existing} new partitions`);
  for (let i = existing; i < conf.partitionAmount; i++) {
    const reference = `${conf.partitionBaseName}${i}`;
    computer.partition_list.push(
      newPartition({
        reference,
        path: join(conf.instanceRoot, reference),
        user: newUser(`${conf.userBaseName}${i}`),
        tap: newTap(`${conf.tapBaseName}${i}`),
        tun: conf.createTun ? newTun(i, conf.partitionAmount, conf.tunIpv6) : null,
      }),
    );
  }
  return computer;
}
