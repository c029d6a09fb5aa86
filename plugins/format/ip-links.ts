/**
 * The built-in backend's side effects (§1.4 step 5, §1.10): the tap
 * gateway's subnet, the nonlocal-bind sysctl, re-adding stored addresses,
 * taps and tuns and their routes, and the local route of a partition range.
 */
import { existsSync, readFileSync } from "node:fs";
import { SlapError } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import type { ComputerDocument, NetworkContext, PartitionDocument, TapDocument } from "../../core/hooks/groups/format.ts";
import type { Runner } from "./exec.ts";
import type { InterfaceTable } from "./interfaces.ts";
import { ipv4InNetwork, ipv4NetworkAddress, isIpv4, parseIpv4Cidr, tapCandidates } from "./ipv4.ts";
import { ipv6Contains, isGlobalScopeIpv6, netmaskLength } from "./ipv6.ts";
import type { UserDatabase } from "./users.ts";

export interface Gateway {
  addr: string;
  netmask: string;
  network: string;
  /** Tap IPv4 candidates, index-aligned with partitions. */
  candidates: string[];
}

export class IpLinks {
  constructor(
    readonly network: NetworkContext,
    readonly table: InterfaceTable,
    readonly runner: Runner,
    readonly users: UserDatabase,
    readonly log: Logger,
  ) {}

  private gatewayCache?: Gateway;

  /** `getIfaceAddressIPv4` + `getIPv4SubnetAddressRange` of tap_gateway_interface. */
  gateway(): Gateway {
    if (this.gatewayCache) return this.gatewayCache;
    const name = this.network.tapGatewayInterface;
    const list = this.table.addresses(name, "inet");
    if (list === undefined) throw new SlapError("failure", `Could not find interface called ${name} to use as gateway for tap network`);
    if (!list.length) throw new SlapError("failure", `Could not find IPv4 adress on interface ${name}.`);
    const { addr, netmask } = list[0];
    const candidates = tapCandidates(addr, netmask);
    if (candidates.length < this.network.partitionCount) {
      throw new SlapError("failure", `Could not create ${this.network.partitionCount} tap interfaces from address ${addr}.`);
    }
    this.gatewayCache = { addr, netmask, network: ipv4NetworkAddress(addr, netmask), candidates };
    return this.gatewayCache;
  }

  /** Everything before the partition loop: gateway check, nonlocal bind, stored addresses back on. */
  prepare(computer: ComputerDocument): void {
    if (this.network.createTap && this.network.tapGatewayInterface) this.gateway();
    if (computer.partition_has_ipv6_range) this.runner.run(["sysctl", "net.ipv6.ip_nonlocal_bind=1"]);
    this.restoreAddresses(computer);
  }

  /**
   * The reference's speed hack: put every stored partition address back at
   * once (after a reboot), so duplicate address detection runs for all of
   * them together. Addresses already there are skipped (the reference's
   * TODO); IPv4 goes to interface_name ([BUG] fixed: the reference puts it
   * on the IPv6 interface when they differ); and only addresses inside the
   * interface's current prefixes (or ipv4_local_network) come back ([BUG]
   * fixed: the reference resurrects the old prefix of a renumbered node, so
   * its partitions never move to the new one).
   */
  private restoreAddresses(computer: ComputerDocument): void {
    for (const partition of computer.partition_list) {
      for (const { addr, netmask } of partition.address_list) {
        let length: number;
        try {
          length = netmaskLength(netmask);
        } catch {
          continue;
        }
        const v4 = isIpv4(addr);
        const target = v4 ? this.network.interfaceName : this.network.ipv6Interface;
        const family = v4 ? "inet" : "inet6";
        if (this.table.addresses(target, family)?.some((a) => a.addr === addr)) continue;
        if (this.table.holderOf(addr, family, target)) continue;
        if (!this.stillOurs(addr, v4)) continue;
        const { code } = this.runner.run(["ip", "addr", "add", `${addr}/${length}`, "dev", target], false);
        this.table.invalidate();
        if (code !== 0) break;
      }
    }
  }

  /** Whether a stored address still belongs: inside ipv4_local_network, or inside a global prefix of the IPv6 interface. */
  private stillOurs(addr: string, v4: boolean): boolean {
    if (v4) {
      const network = parseIpv4Cidr(this.network.ipv4LocalNetwork ?? "");
      return network !== undefined && ipv4InNetwork(network, addr);
    }
    const globals = (this.table.addresses(this.network.ipv6Interface, "inet6") ?? []).filter((a) => isGlobalScopeIpv6(a.addr));
    return globals.some((a) => ipv6Contains(a.addr, a.prefixlen, addr));
  }

  private uid(name: string): number {
    return this.users.require(name).uid;
  }

  /** `createWithOwner`: an existing interface is left alone (a warning when its owner differs). */
  create(device: TapDocument, mode: "tap" | "tun", owner: string): void {
    const check = `/sys/devices/virtual/net/${device.name}/owner`;
    if (existsSync(check)) {
      const text = readFileSync(check, "utf8").trim();
      const found = /^-?\d+$/.test(text) ? Number(text) : this.uid(text);
      const expected = this.uid(owner);
      if (found !== expected) {
        this.log.warning(`Wrong owner of TUN/TAP interface ${device.name}! Not touching it.Expected ${expected} got ${found}`);
      }
      return;
    }
    this.runner.run(["ip", "tuntap", "add", "dev", device.name, "mode", mode, "user", owner]);
    this.runner.run(["ip", "link", "set", device.name, "up"]);
    this.table.invalidate();
  }

  /** `Tap.createRoutes`: host route to the tap's IPv4, and its IPv6 network via its gateway. */
  tapRoutes(tap: TapDocument): void {
    if (tap.ipv4_addr) {
      const { code, output } = this.runner.run(["ip", "route", "show", tap.ipv4_addr], false);
      if (code !== 0 || !output.includes(tap.ipv4_addr) || !output.includes(tap.name)) {
        this.runner.run(["ip", "route", "add", tap.ipv4_addr, "dev", tap.name]);
      }
    }
    if (tap.ipv6_network) {
      const gw = this.runner.run(["ip", "-6", "route", "show", tap.ipv6_gateway], false);
      if (gw.code !== 0 || !gw.output.includes(tap.name)) {
        this.runner.run(["ip", "-6", "route", "add", tap.ipv6_gateway, "dev", tap.name]);
      }
      const net = this.runner.run(["ip", "-6", "route", "show", tap.ipv6_network], false);
      const dev = `dev ${tap.name}`;
      if (net.code !== 0 || !net.output.includes(`via ${tap.ipv6_gateway}`) || !net.output.includes(dev)) {
        // a route without "via" from an older format is replaced
        if (net.output.includes(dev)) this.runner.run(["ip", "-6", "route", "del", tap.ipv6_network, "dev", tap.name]);
        this.runner.run(["ip", "-6", "route", "add", tap.ipv6_network, "dev", tap.name, "via", tap.ipv6_gateway]);
      }
    }
  }

  /** `Tun.createRoutes`: its networks as addresses (failures ignored; the reference then sleeps 1 s, we do not). */
  tunRoutes(tun: TapDocument): void {
    for (const network of [tun.ipv4_network, tun.ipv6_network]) {
      if (network) this.runner.run(["ip", "addr", "add", network, "dev", tun.name], false);
    }
    this.table.invalidate();
  }

  /** `addLocalRouteIpv6Range`: the range is routed to lo, so its addresses can be bound without being added. */
  rangeRoute(partition: PartitionDocument): void {
    const network = (partition.ipv6_range as { network?: string }).network;
    if (!network) return;
    const { output } = this.runner.run(["ip", "-6", "route", "show", "table", "local", network]);
    if (!output.includes("dev lo")) this.runner.run(["ip", "-6", "route", "add", "local", network, "dev", "lo"]);
  }
}
