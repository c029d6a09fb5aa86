/**
 * `Computer.format(alter_user, alter_network, create_tap)` (§1.4): roots,
 * software user, managers, then each partition's user, network and
 * directory. Addresses and network side effects go through the
 * `format.allocateAddress` / `format.configureNetwork` hooks, so the network
 * backend is whatever plugin answers them.
 */
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type {
  AddressEntry,
  AddressRequest,
  AllocatedAddress,
  ComputerDocument,
  FormatStage,
  NetworkAction,
  NetworkContext,
  PartitionDocument,
} from "../../core/hooks/groups/format.ts";
import type { Hooks } from "../../core/hooks/catalogue.ts";
import { required } from "../../core/hooks/loader.ts";
import { SlapError } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import type { Runner } from "./exec.ts";
import type { FsOps } from "./fs-ops.ts";
import { modeOf } from "./fs-ops.ts";
import { isIpv4 } from "./ipv4.ts";
import { ipv6FirstAddress, isIpv6, netmaskLength } from "./ipv6.ts";
import { newUser, tunNeedsIpv6 } from "./model.ts";
import { createUser, type UserDatabase } from "./users.ts";

export interface FormatSwitches {
  alterUser: boolean;
  alterNetwork: boolean;
  createTap: boolean;
}

/** What `Computer.format` works with. */
export interface FormatTools {
  hooks: Hooks;
  network: NetworkContext;
  runner: Runner;
  fs: FsOps;
  users: UserDatabase;
  log: Logger;
  /** Given to `format.setup` / `format.tearDown`. */
  stage: FormatStage;
}

const ROOT_MODE = 0o755;
const PARTITION_MODE = 0o750;

function allocate(tools: FormatTools, request: AddressRequest): Promise<AllocatedAddress> {
  return required(tools.hooks.format.allocateAddress, request);
}

function configure(tools: FormatTools, action: NetworkAction): Promise<true> {
  return required(tools.hooks.format.configureNetwork, action);
}

const entry = (a: AllocatedAddress): AddressEntry => ({ addr: a.addr, netmask: a.netmask });

/** `<instance_storage_home>/dataN` directories (N all digits), in the reference's order. */
function externalStorages(home: string | null): string[] {
  if (!home || !existsSync(home)) return [];
  const found = readdirSync(home)
    .filter((name) => name.startsWith("data") && /^\d+$/.test(name.split("data").pop() ?? ""))
    .map((name) => join(home, name));
  return found.reverse(); // the reference pops them off the end of the glob
}

/** `Partition.createPath` / `createExternalPath`: mkdir 0750, chown to the user with alter_user, chmod 0750. */
function createDirectory(tools: FormatTools, path: string, owner: string, alterUser: boolean): void {
  const absolute = resolve(path);
  if (!existsSync(absolute)) tools.fs.mkdir(absolute, PARTITION_MODE);
  if (alterUser) {
    const pw = tools.users.require(owner);
    tools.fs.chown(absolute, pw.uid, pw.gid);
  }
  tools.fs.chmod(absolute, PARTITION_MODE);
}

async function formatTap(tools: FormatTools, computer: ComputerDocument, partition: PartitionDocument, index: number, owner: string) {
  const { network } = tools;
  const tap = partition.tap;
  await configure(tools, { kind: "tap-create", network, partition, owner });
  if (computer.tap_gateway_interface) {
    // Asked for every partition, so candidates stay aligned with indexes even when a tap keeps its IPv4.
    const candidate = await allocate(tools, { kind: "tap-ipv4", network, index, partition });
    if (!tap.ipv4_addr) {
      tap.ipv4_addr = candidate.addr;
      tap.ipv4_netmask = candidate.netmask;
      tap.ipv4_gateway = candidate.gateway ?? "";
      tap.ipv4_network = candidate.network ?? "";
    }
  } else {
    tap.ipv4_addr = tap.ipv4_netmask = tap.ipv4_gateway = tap.ipv4_network = "";
  }
  if (computer.tap_ipv6) {
    const stored = tap.ipv6_addr ? { addr: tap.ipv6_addr, netmask: tap.ipv6_netmask } : undefined;
    const result = await allocate(tools, { kind: "tap-ipv6", network, index, partition, stored });
    if (!stored) {
      tap.ipv6_addr = result.addr;
      tap.ipv6_netmask = result.netmask;
    }
    const base = await allocate(tools, { kind: "computer", network, preferred: null });
    // [BUG] fixed: the reference adds 16 here whatever ipv6_prefixshift is.
    const prefixlen = netmaskLength(base.netmask) + network.prefixShift;
    const gateway = ipv6FirstAddress(tap.ipv6_addr, prefixlen);
    tap.ipv6_gateway = gateway;
    tap.ipv6_network = `${gateway}/${prefixlen}`;
  } else {
    tap.ipv6_addr = tap.ipv6_netmask = tap.ipv6_gateway = tap.ipv6_network = "";
  }
  await configure(tools, { kind: "tap-routes", network, partition });
}

async function formatTun(tools: FormatTools, partition: PartitionDocument, index: number, owner: string) {
  const tun = partition.tun!;
  const { network } = tools;
  await configure(tools, { kind: "tun-create", network, partition, owner });
  if (tunNeedsIpv6.has(tun)) {
    const range = await allocate(tools, { kind: "tun-ipv6-range", network, index, partition });
    const prefixlen = range.prefixlen ?? netmaskLength(range.netmask);
    const first = ipv6FirstAddress(range.addr, prefixlen);
    tun.ipv6_addr = first;
    tun.ipv6_netmask = range.netmask;
    tun.ipv6_network = `${first}/${prefixlen}`;
  }
  await configure(tools, { kind: "tun-routes", network, partition });
}

async function formatAddresses(tools: FormatTools, partition: PartitionDocument, index: number) {
  const { network } = tools;
  if (!partition.address_list.length) {
    partition.address_list.push(entry(await allocate(tools, { kind: "ipv4", network, index, partition })));
    partition.address_list.push(entry(await allocate(tools, { kind: "ipv6", network, index, partition })));
    return;
  }
  const old = partition.address_list;
  if (old.length !== 2) throw new SlapError("failure", `There should be exactly 2 stored addresses. Got: ${JSON.stringify(old)}`);
  if (!old.some((a) => isIpv6(a.addr))) throw new SlapError("failure", "No valid IPv6 address loaded from XML config");
  if (!old.some((a) => isIpv4(a.addr))) throw new SlapError("failure", "No valid IPv4 address loaded from XML config");
  partition.address_list = [];
  for (const stored of old) {
    const kind = isIpv6(stored.addr) ? "ipv6" : isIpv4(stored.addr) ? "ipv4" : undefined;
    if (!kind) throw new SlapError("failure", `Address '${stored.addr}' is incorrect`);
    partition.address_list.push(entry(await allocate(tools, { kind, network, index, partition, stored })));
  }
}

async function formatRange(tools: FormatTools, computer: ComputerDocument, partition: PartitionDocument, index: number) {
  if (!computer.partition_has_ipv6_range) {
    partition.ipv6_range = {};
    return;
  }
  const range = partition.ipv6_range as Partial<{ addr: string }>;
  if (!range.addr) {
    const made = await allocate(tools, { kind: "ipv6-range", network: tools.network, index, partition });
    partition.ipv6_range = {
      addr: made.addr,
      netmask: made.netmask,
      network: made.network ?? `${made.addr}/${made.prefixlen}`,
      prefixlen: made.prefixlen ?? netmaskLength(made.netmask),
    };
  } else if (!isIpv6(range.addr)) {
    throw new SlapError("failure", `existing IPv6 range '${range.addr}' is incorrect`);
  }
  await configure(tools, { kind: "range-route", network: tools.network, partition });
}

/** Format the machine after the computer document. */
export async function formatComputer(computer: ComputerDocument, switches: FormatSwitches, tools: FormatTools): Promise<void> {
  const { fs, users, runner, network } = tools;
  for (const path of [computer.instance_root, computer.software_root]) {
    const mode = modeOf(path);
    if (mode === undefined) fs.makedirs(path, ROOT_MODE);
    else if (mode !== ROOT_MODE) fs.chmod(path, ROOT_MODE);
  }
  const softwareUser = { ...newUser(computer.software_user), path: computer.software_root };
  if (switches.alterUser) {
    createUser(runner, users, softwareUser);
    const pw = users.require(softwareUser.name);
    fs.chown(computer.software_root, pw.uid, pw.gid);
  }
  const softwareMode = modeOf(computer.software_root);
  if (softwareMode !== undefined && softwareMode !== ROOT_MODE) fs.chmod(computer.software_root, ROOT_MODE);

  await tools.hooks.format.setup.promise(tools.stage);
  const storages = externalStorages(computer.instance_storage_home);

  if (switches.alterNetwork) {
    if (computer.address !== null) {
      await allocate(tools, { kind: "computer-readd", network, stored: { addr: computer.address, netmask: computer.netmask ?? "" } });
    }
    await configure(tools, { kind: "prepare", network, computer });
  }

  try {
    for (const [index, partition] of computer.partition_list.entries()) {
      partition.path = join(computer.instance_root, partition.reference);
      partition.user.path = partition.path;
      partition.user.additional_group_list = [computer.software_user];
      partition.external_storage_list = storages.map((storage) => `${storage}/${partition.reference}`);
      if (switches.alterUser) createUser(runner, users, partition.user);
      if (switches.alterNetwork) {
        const owner = users.hasUser(partition.user.name) ? partition.user.name : "root";
        if (switches.createTap) await formatTap(tools, computer, partition, index, owner);
        if (partition.tun) await formatTun(tools, partition, index, owner);
        await formatAddresses(tools, partition, index);
        await formatRange(tools, computer, partition, index);
      }
      createDirectory(tools, partition.path, partition.user.name, switches.alterUser);
      for (const path of partition.external_storage_list) createDirectory(tools, path, partition.user.name, switches.alterUser);
    }
  } finally {
    await tools.hooks.format.tearDown.promise(tools.stage);
  }
}
