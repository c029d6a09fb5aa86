/**
 * The computer model (§1.2) as plain documents — the very shape that is
 * serialised to computer_xml, computer_json, `.slapos-resource` and the
 * master — and the constructors of its parts.
 */
import type {
  AddressEntry,
  ComputerDocument,
  InterfaceDocument,
  PartitionDocument,
  TapDocument,
  UserDocument,
} from "../../core/hooks/groups/format.ts";
import type { PyDict, PyValue } from "../../core/slap/marshal/values.ts";
import { tunIpv4 } from "./ipv4.ts";

export function newTap(name: string): TapDocument {
  return {
    name,
    ipv4_addr: "",
    ipv4_netmask: "",
    ipv4_gateway: "",
    ipv4_network: "",
    ipv6_addr: "",
    ipv6_netmask: "",
    ipv6_gateway: "",
    ipv6_network: "",
  };
}

export function newUser(name: string, additionalGroups: string[] | null = null): UserDocument {
  return { name, shell: "/bin/sh", additional_group_list: additionalGroups };
}

/** Tuns that still need an IPv6 range (the reference's private `_needs_ipv6`, never serialised). */
export const tunNeedsIpv6 = new WeakSet<TapDocument>();

/** `Tun(name, index, count, needs_ipv6)`: its IPv4 is the index-th subnet of 172.16.0.0/12. */
export function newTun(index: number, count: number, needsIpv6: boolean, name = `slaptun${index}`): TapDocument {
  const tun = newTap(name);
  const v4 = tunIpv4(index, count);
  tun.ipv4_addr = v4.addr;
  tun.ipv4_netmask = v4.netmask;
  tun.ipv4_network = v4.network;
  if (needsIpv6) tunNeedsIpv6.add(tun);
  return tun;
}

export function newPartition(init: {
  reference: string;
  path: string;
  user: UserDocument;
  addressList?: AddressEntry[];
  ipv6Range?: PartitionDocument["ipv6_range"];
  tap: TapDocument;
  tun?: TapDocument | null;
}): PartitionDocument {
  return {
    reference: init.reference,
    path: init.path,
    user: init.user,
    address_list: init.addressList ?? [],
    ipv6_range: init.ipv6Range ?? {},
    tap: init.tap,
    tun: init.tun ?? null,
    external_storage_list: [],
  };
}

export function newComputer(init: {
  reference: string;
  interface: InterfaceDocument | null;
  address?: string | null;
  netmask?: string | null;
  ipv6Interface: string | null;
  partitionHasIpv6Range: boolean;
  softwareUser: string;
  tapGatewayInterface: string;
  tapIpv6: boolean;
  softwareRoot: string;
  instanceRoot: string;
}): ComputerDocument {
  return {
    reference: init.reference,
    interface: init.interface,
    partition_list: [],
    address: init.address ?? null,
    // netifaces may give `ffff::/16`: keep one representation
    netmask: init.netmask ? init.netmask.split("/")[0] : (init.netmask ?? null),
    ipv6_interface: init.ipv6Interface,
    partition_has_ipv6_range: init.partitionHasIpv6Range,
    software_user: init.softwareUser,
    tap_gateway_interface: init.tapGatewayInterface,
    tap_ipv6: init.tapIpv6,
    software_root: init.softwareRoot,
    instance_root: init.instanceRoot,
    instance_storage_home: null,
    public_ipv4_address: null,
    os_type: null,
    python_version: null,
    slapos_version: null,
  };
}

/** `Computer.getAddress()` without an interface: the stored address and netmask. */
export function storedAddress(computer: ComputerDocument): { addr: string | null; netmask: string | null } {
  return { addr: computer.address, netmask: computer.netmask };
}

function plain(value: unknown): PyValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object") {
    const out = Object.create(null) as PyDict;
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined || key.startsWith("_")) continue;
      out[key] = plain(item);
    }
    return out;
  }
  return value as PyValue;
}

/** `_getDict`: a fresh tree of dicts, lists and scalars (no shared containers, so no `<reference>` on the wire). */
export function serialise(value: ComputerDocument | PartitionDocument): PyDict {
  return plain(value) as PyDict;
}
