/**
 * The built-in backend's addresses (§1.7–1.9): adding an address to an
 * interface, the partition's local IPv4, its IPv6, the tap's IPv6 range and
 * the partition and tun ranges, with the reference's reuse and collision
 * rules.
 */
import { SlapError } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import type { AddressEntry, NetworkContext } from "../../core/hooks/groups/format.ts";
import type { Runner } from "./exec.ts";
import { pickBaseAddress, type InterfaceTable } from "./interfaces.ts";
import { formatIpv4, ipv4InNetwork, ipv4MaskLength, parseIpv4Cidr } from "./ipv4.ts";
import {
  ipv6Contains,
  ipv6Netmask,
  ipv6NetworkOf,
  ipv6Range,
  netmaskLength,
  partitionIpv6,
  randomIpv6Address,
  randomIpv6Range,
} from "./ipv6.ts";

/** AddressGenerationError of the reference. */
function generationError(addr: string | null | undefined): SlapError {
  return new SlapError("failure", `Generated IPv6 ${addr ?? "None"} seems not to be a valid IP.`);
}

export interface IpRange {
  addr: string;
  prefixlen: number;
  netmask: string;
  network: string;
}

/** The longest a new IPv6 address may stay tentative (duplicate address detection) before it counts as failed. */
const DAD_WAIT_MS = 3000;

export class IpAddresses {
  /** Ranges handed out during this run (the reference's `_ipv6_ranges`). */
  private readonly reserved = new Set<string>();

  constructor(
    readonly network: NetworkContext,
    readonly table: InterfaceTable,
    readonly runner: Runner,
    readonly log: Logger,
  ) {}

  /** `_addSystemAddress`: true when the address is (now) on the interface. */
  addSystemAddress(addr: string, netmask: string, ipv6: boolean, tap?: string): boolean {
    const family = ipv6 ? "inet6" : "inet";
    const text = `${addr}/${ipv6 ? netmaskLength(netmask) : ipv4MaskLength(netmask)}`;
    const target = tap ?? (ipv6 ? this.network.ipv6Interface : this.network.interfaceName);
    const holder = this.table.holderOf(addr, family, target);
    if (holder) {
      this.log.warning(`Cannot add address ${addr} to ${target} as it already exists on interface ${holder}.`);
      return false;
    }
    const present = this.table.addresses(target, family);
    if (present === undefined && !this.runner.dryRun) throw new SlapError("failure", `interface ${target} does not exist`);
    let added = false;
    if (!present?.some((a) => a.addr === addr)) {
      const argv = ["ip", "addr", "add", text, "dev", target];
      if (tap && ipv6) argv.push("noprefixroute"); // taps are routed through the first address of their range
      this.runner.run(argv);
      this.table.invalidate();
      added = true;
    }
    if (!ipv6 || this.runner.dryRun) return true; // the reference assumes a local IPv4 add worked
    if (added && !tap) this.waitForDad(target, addr);
    const { output } = this.runner.run(["ip", "-6", "addr", "list", target]);
    const line = output.split("\n").find((l) => l.includes(`inet6 ${addr}/`));
    if (!line) return false;
    if (line.includes("tentative") && !tap) {
      // duplicate address detection failed: give the address back
      this.runner.run(["ip", "addr", "del", text, "dev", target]);
      this.table.invalidate();
      return false;
    }
    return true;
  }

  /** Wait (untraced) until duplicate address detection is over; the reference sleeps 2 s instead. */
  private waitForDad(target: string, addr: string): void {
    const deadline = Date.now() + DAD_WAIT_MS;
    for (;;) {
      this.table.invalidate();
      const entry = this.table.addresses(target, "inet6")?.find((a) => a.addr === addr);
      if (!entry || !entry.tentative || entry.dadfailed || Date.now() > deadline) return;
      Bun.sleepSync(50);
    }
  }

  /** `getIPv4LocalAddressList`: the interface's IPv4 addresses inside ipv4_local_network. */
  private localIpv4(): AddressEntry[] {
    const network = this.localNetwork();
    const list = this.table.addresses(this.network.interfaceName, "inet");
    if (list === undefined && !this.runner.dryRun) throw new SlapError("failure", `interface ${this.network.interfaceName} does not exist`);
    return (list ?? []).filter((a) => ipv4InNetwork(network, a.addr)).map((a) => ({ addr: a.addr, netmask: a.netmask }));
  }

  private localNetwork() {
    const network = parseIpv4Cidr(this.network.ipv4LocalNetwork ?? "");
    if (!network) throw new SlapError("failure", `ipv4_local_network ${JSON.stringify(this.network.ipv4LocalNetwork)} is not an IPv4 network such as 10.0.0.0/16`);
    return network;
  }

  /** `addIPv4LocalAddress(addr)`: keep the stored IPv4 when possible, else a random one of the local network. */
  ipv4(stored?: string): AddressEntry {
    const netmask = "255.255.255.255";
    if (!stored) return this.randomIpv4(netmask);
    if (this.localIpv4().some((a) => a.addr === stored && a.netmask === netmask)) return { addr: stored, netmask };
    if (this.addSystemAddress(stored, netmask, false)) return { addr: stored, netmask };
    this.log.warning(`Impossible to add old local IPv4 ${stored}. Generating new IPv4 address.`);
    return this.randomIpv4(netmask);
  }

  private randomIpv4(netmask: string): AddressEntry {
    const network = this.localNetwork();
    const size = network.last - network.first + 1;
    let tries = 10;
    let addr = "";
    // [BUG] fixed: the reference picks forever when every address is taken.
    const taken = new Set<string>();
    while (tries > 0) {
      addr = formatIpv4(network.first + Math.floor(Math.random() * size));
      const present = this.localIpv4().some((a) => a.addr === addr && a.netmask === netmask);
      if (present) {
        taken.add(addr);
        if (taken.size >= size) break;
        continue;
      }
      if (this.addSystemAddress(addr, netmask, false)) return { addr, netmask };
      tries--;
    }
    throw new SlapError("failure", `no free IPv4 address left in ipv4_local_network ${this.network.ipv4LocalNetwork} (last tried ${addr})`);
  }

  /** `getGlobalScopeAddressList` of the IPv6 interface (and a tap). */
  private globalList(tap?: string): AddressEntry[] {
    return this.table.globalIpv6(this.network.ipv6Interface, tap).map((a) => ({ addr: a.addr, netmask: a.netmask }));
  }

  /** `getAddress(pref)`: the base address partitions derive from. */
  base(preferred?: string | null): AddressEntry {
    return pickBaseAddress(this.globalList(), preferred);
  }

  private checkRange(addr: string, prefixlen: number): boolean {
    const network = `${ipv6NetworkOf(addr, prefixlen)}/${prefixlen}`;
    if (this.reserved.has(network)) {
      this.log.warning(`Address range ${addr}/${prefixlen} is already attributed`);
      return false;
    }
    return true;
  }

  private reserve(addr: string, prefixlen: number): void {
    this.reserved.add(`${ipv6NetworkOf(addr, prefixlen)}/${prefixlen}`);
  }

  /**
   * `addIPv6Address(i, addr, netmask, tap)`: keep a stored address that is
   * still on the interface or still inside its prefix; otherwise derive it
   * from the partition index; with S = 16, fall back to random tries.
   */
  ipv6(index: number | null, addr?: string, netmask?: string, tap?: string): AddressEntry & { prefixlen?: number } {
    const base = this.base(addr);
    if (addr !== undefined && netmask !== undefined) {
      const without = { addr, netmask: netmask.split("/")[0] };
      const withLen = netmask.includes("/") ? { addr, netmask } : { addr, netmask: `${netmask}/${netmaskLength(netmask)}` };
      const list = [...this.globalList(), ...(tap ? this.globalList(tap) : [])];
      for (const candidate of [withLen, without]) {
        if (list.some((a) => a.addr === candidate.addr && a.netmask === candidate.netmask)) return without;
      }
      if (netmask === base.netmask || (tap && netmaskLength(netmask) === 128)) {
        const length = netmaskLength(base.netmask);
        if (ipv6Contains(base.addr, length, addr)) {
          if (this.addSystemAddress(addr, netmask, true, tap)) {
            this.log.info(`Successfully added IPv6 ${addr} to ${tap ?? this.network.ipv6Interface}.`);
            return without;
          }
          this.log.warning(`Impossible to add old public IPv6 ${addr}. Generating new IPv6 address.`);
        }
      }
    }
    if (index === null) throw new SlapError("failure", `cannot put the computer address ${addr} back on ${this.network.ipv6Interface}`);
    const prefixlen = netmaskLength(base.netmask);
    const shift = this.network.prefixShift;
    const derived = tap ? ipv6Range(base.addr, prefixlen, shift, "tap", index) : partitionIpv6(base.addr, prefixlen, index);
    let result = { addr: derived.addr, prefixlen: derived.prefixlen, netmask: ipv6Netmask(derived.prefixlen) };
    if (!tap || this.checkRange(result.addr, result.prefixlen)) {
      if (this.addSystemAddress(result.addr, result.netmask, true, tap)) {
        if (tap) this.reserve(result.addr, result.prefixlen);
        return result;
      }
    }
    const what = tap ? `${index} tap` : String(index);
    if (shift !== 16) {
      this.log.error(
        `Address ${result.addr}/${result.prefixlen} for partition ${what} is already taken; aborting because IPv6 prefixshift is ${shift} != 16`,
      );
      throw generationError(addr);
    }
    this.log.warning(`Falling back to random address selection for partition ${what} because ${result.addr}/${result.prefixlen} is already taken`);
    for (let i = 0; i < 10; i++) {
      if (tap) {
        const r = randomIpv6Range(base.addr, prefixlen, 1);
        result = { addr: r.addr, prefixlen: r.prefixlen, netmask: ipv6Netmask(r.prefixlen) };
      } else result = { addr: randomIpv6Address(base.addr), prefixlen, netmask: base.netmask };
      if (!tap || this.checkRange(result.addr, result.prefixlen)) {
        if (this.addSystemAddress(result.addr, result.netmask, true, tap)) {
          if (tap) this.reserve(result.addr, result.prefixlen);
          return result;
        }
      }
    }
    throw generationError(result.addr);
  }

  /** `generateIPv6Range(i, tun)`: the partition's (k=1) or tun's (k=3) range, reserved for this run. */
  range(index: number, tun: boolean): IpRange {
    const base = this.base();
    const prefixlen = netmaskLength(base.netmask);
    const shift = this.network.prefixShift;
    const derived = ipv6Range(base.addr, prefixlen, shift, tun ? "tun" : "partition", index);
    const make = (r: { addr: string; prefixlen: number }): IpRange => ({
      addr: r.addr,
      prefixlen: r.prefixlen,
      netmask: ipv6Netmask(r.prefixlen),
      network: `${r.addr}/${r.prefixlen}`,
    });
    let range = make(derived);
    if (this.checkRange(range.addr, range.prefixlen)) {
      this.reserve(range.addr, range.prefixlen);
      return range;
    }
    const what = tun ? `${index} tun` : String(index);
    if (shift !== 16) {
      this.log.error(`Address ${range.network} for partition ${what} is already taken; aborting because IPv6 prefixshift is ${shift} != 16`);
      throw generationError(range.addr);
    }
    this.log.warning(`Falling back to random IPv6 range selection for partition ${what} because ${range.network} is already taken`);
    for (let i = 0; i < 10; i++) {
      // [BUG] fixed: the reference's random range has no "network" key, and the local route then fails.
      range = make(randomIpv6Range(base.addr, prefixlen, 0));
      if (this.checkRange(range.addr, range.prefixlen)) {
        this.reserve(range.addr, range.prefixlen);
        return range;
      }
    }
    throw generationError(range.addr);
  }
}
