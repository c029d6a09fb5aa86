/**
 * Hooks of `slapos node format` (format-collect-cli.md §1), and the shape of
 * the computer document they see. The document is the reference's serialised
 * Computer: the same keys (wire-visible, so snake_case) that go into
 * `computer_xml`, `.slapos-resource` and the POST to the master.
 *
 * The network is a backend behind two bail hooks: `format.allocateAddress`
 * (every address, range and base address format needs) and
 * `format.configureNetwork` (the side effects: taps, tuns, routes, sysctl).
 * The built-in backend (plugin "format", `ip` commands) taps both late
 * (stage 100), so a plugin tapping at the default stage answers first and
 * replaces it, wholly or for the kinds it chooses to answer.
 */
import { bail, series, waterfall } from "../declare.ts";

/** One address of a partition or of the computer. `netmask` is long form (`ffff:ffff::`, `255.255.255.255`). */
export interface AddressEntry {
  addr: string;
  netmask: string;
}

/** A partition's IPv6 range; `{}` in the document when it has none. */
export interface Ipv6Range {
  addr: string;
  netmask: string;
  network: string;
  prefixlen: number;
}

/** A tap or tun interface of a partition; every field is a string, `''` when unset. */
export interface TapDocument {
  name: string;
  ipv4_addr: string;
  ipv4_netmask: string;
  ipv4_gateway: string;
  ipv4_network: string;
  ipv6_addr: string;
  ipv6_netmask: string;
  ipv6_gateway: string;
  ipv6_network: string;
}

export interface UserDocument {
  name: string;
  /** Always `/bin/sh`. */
  shell: string;
  additional_group_list: string[] | null;
  /** Home directory: the partition path (set by format). */
  path?: string | null;
}

export interface PartitionDocument {
  reference: string;
  path: string;
  user: UserDocument;
  /** One IPv4 then one IPv6 once formatted with `alter_network`. */
  address_list: AddressEntry[];
  ipv6_range: Ipv6Range | Record<string, never>;
  tap: TapDocument;
  tun: TapDocument | null;
  external_storage_list: string[];
  /** Only present when a definition file gives capabilities. */
  capability_list?: string[];
}

export interface InterfaceDocument {
  name: string;
  ipv4_local_network: string | null;
  ipv6_interface: string;
  ipv6_prefixshift: number;
}

export interface ComputerDocument {
  reference: string;
  interface: InterfaceDocument | null;
  partition_list: PartitionDocument[];
  address: string | null;
  netmask: string | null;
  ipv6_interface: string | null;
  partition_has_ipv6_range: boolean;
  software_user: string;
  tap_gateway_interface: string;
  tap_ipv6: boolean;
  software_root: string;
  instance_root: string;
  instance_storage_home: string | null;
  public_ipv4_address: string | null;
  os_type: string | null;
  python_version: string | null;
  slapos_version: string | null;
}

/** What every network request carries: the interface settings and the run's switches. */
export interface NetworkContext {
  /** `interface_name`: where partition IPv4 addresses go. */
  interfaceName: string;
  /** `ipv6_interface`, falling back to `interface_name`: where IPv6 addresses go. */
  ipv6Interface: string;
  /** `ipv4_local_network`, e.g. `10.0.0.0/16`. */
  ipv4LocalNetwork: string | null;
  /** `ipv6_prefixshift` (S). */
  prefixShift: number;
  /** `tap_gateway_interface`, `''` when none. */
  tapGatewayInterface: string;
  partitionCount: number;
  /** `create_tap`. */
  createTap: boolean;
  dryRun: boolean;
}

/** Where an address request is about one partition. */
interface PartitionRequest {
  network: NetworkContext;
  index: number;
  partition: PartitionDocument;
}

/**
 * Something format needs an address for (§1.7, §1.8). `stored` is what the
 * computer document already holds, to keep across runs when still valid.
 */
export type AddressRequest =
  /** The computer's base global IPv6 (§1.8.4); `preferred` is the stored computer address. */
  | { kind: "computer"; network: NetworkContext; preferred: string | null }
  /** The partition's local IPv4 (netmask 255.255.255.255). */
  | ({ kind: "ipv4"; stored?: AddressEntry } & PartitionRequest)
  /** The partition's single global IPv6 (§1.8.2). */
  | ({ kind: "ipv6"; stored?: AddressEntry } & PartitionRequest)
  /** The partition's IPv6 range (§1.8.3, k=1). */
  | ({ kind: "ipv6-range" } & PartitionRequest)
  /** The tap's IPv4: the index-th free address of the gateway interface's subnet (asked only with a gateway). */
  | ({ kind: "tap-ipv4" } & PartitionRequest)
  /** The tap's IPv6 (§1.8.3, k=2), added to the tap. */
  | ({ kind: "tap-ipv6"; stored?: AddressEntry } & PartitionRequest)
  /** The tun's IPv6 range (§1.8.3, k=3). */
  | ({ kind: "tun-ipv6-range" } & PartitionRequest)
  /** The computer's own address, re-added before partitions (§1.4 step 5). */
  | { kind: "computer-readd"; network: NetworkContext; stored: AddressEntry };

/** The answer: an address, and for ranges and taps the extra fields. */
export interface AllocatedAddress extends AddressEntry {
  prefixlen?: number;
  network?: string;
  /** tap-ipv4: the gateway's address. */
  gateway?: string;
}

/** A side effect of the network part of format (§1.4 step 5, §1.10). */
export type NetworkAction =
  /** Before partitions: nonlocal bind sysctl when ranges are used, re-add stored addresses. */
  | { kind: "prepare"; network: NetworkContext; computer: ComputerDocument }
  /** Create the tap if missing, owned by `owner`. */
  | { kind: "tap-create"; network: NetworkContext; partition: PartitionDocument; owner: string }
  /** Routes to the tap's IPv4 and IPv6 network. */
  | { kind: "tap-routes"; network: NetworkContext; partition: PartitionDocument }
  /** Create the tun if missing, owned by `owner`. */
  | { kind: "tun-create"; network: NetworkContext; partition: PartitionDocument; owner: string }
  /** Put the tun's networks on it. */
  | { kind: "tun-routes"; network: NetworkContext; partition: PartitionDocument }
  /** Local route for the partition's IPv6 range (`ip -6 route add local … dev lo`). */
  | { kind: "range-route"; network: NetworkContext; partition: PartitionDocument };

/** What managers (`manager_list`) and other setup taps see. */
export interface FormatStage {
  computer: ComputerDocument;
  /** The merged `[slapformat]` + `[slapos]` + command-line options, as strings or parsed values. */
  options: Readonly<Record<string, unknown>>;
  dryRun: boolean;
}

export function createFormatHooks() {
  return {
    format: {
      allocateAddress: bail<AddressRequest, AllocatedAddress>(
        "give format an address or range (partition IPv4/IPv6, ranges, taps, the base IPv6); the first tap that answers wins (network backends)",
      ),
      configureNetwork: bail<NetworkAction, true>(
        "do one network side effect of format (taps, tuns, routes, sysctl); answer true when done (network backends)",
      ),
      computer: waterfall<ComputerDocument, FormatStage>(
        "computer document → document, before it is stored and posted to the master",
      ),
      setup: series<FormatStage>("after the roots and software user exist, before partitions (manager.format)"),
      tearDown: series<FormatStage>("end of the partition loop, always (manager.formatTearDown)"),
    },
  };
}
