/**
 * What is on the machine's interfaces (the reference reads it with
 * netifaces): one `ip -j addr show` snapshot, re-read after every change
 * format makes. Reading is never traced nor faked, even in dry-run.
 */
import { SlapError } from "../../core/errors.ts";
import { callAndRead } from "./exec.ts";
import { ipv4Netmask } from "./ipv4.ts";
import { compareIpv6, ipv6Contains, ipv6Netmask, isGlobalScopeIpv6, netmaskLength } from "./ipv6.ts";

export interface InterfaceAddress {
  addr: string;
  /** Long form, as netifaces gives it once normalised. */
  netmask: string;
  prefixlen: number;
  tentative: boolean;
  dadfailed: boolean;
}

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  tentative?: boolean;
  dadfailed?: boolean;
}

interface IpLink {
  ifname: string;
  addr_info?: IpAddrInfo[];
}

type Snapshot = Map<string, { inet: InterfaceAddress[]; inet6: InterfaceAddress[] }>;

export class InterfaceTable {
  private snapshot?: Snapshot;

  /** Forget the snapshot: the next read asks the kernel again. */
  invalidate(): void {
    this.snapshot = undefined;
  }

  private read(): Snapshot {
    if (this.snapshot) return this.snapshot;
    const { code, output } = callAndRead(["ip", "-j", "addr", "show"], false);
    if (code !== 0) throw new SlapError("failure", `cannot list interfaces (ip -j addr show): ${output.trim()}`);
    const links = JSON.parse(output || "[]") as IpLink[];
    const snapshot: Snapshot = new Map();
    for (const link of links) {
      const entry = { inet: [] as InterfaceAddress[], inet6: [] as InterfaceAddress[] };
      for (const info of link.addr_info ?? []) {
        if (!info.local || info.prefixlen === undefined) continue;
        const v6 = info.family === "inet6";
        if (!v6 && info.family !== "inet") continue;
        entry[v6 ? "inet6" : "inet"].push({
          addr: info.local,
          prefixlen: info.prefixlen,
          netmask: v6 ? ipv6Netmask(info.prefixlen) : ipv4Netmask(info.prefixlen),
          tentative: Boolean(info.tentative),
          dadfailed: Boolean(info.dadfailed),
        });
      }
      snapshot.set(link.ifname, entry);
    }
    this.snapshot = snapshot;
    return snapshot;
  }

  names(): string[] {
    return [...this.read().keys()];
  }

  exists(name: string): boolean {
    return this.read().has(name);
  }

  /** The addresses of one family on an interface; undefined when the interface does not exist. */
  addresses(name: string, family: "inet" | "inet6"): InterfaceAddress[] | undefined {
    return this.read().get(name)?.[family];
  }

  /** The interface (other than `except`) holding `addr`, if any. */
  holderOf(addr: string, family: "inet" | "inet6", except: string): string | undefined {
    for (const [name, entry] of this.read()) {
      if (name !== except && entry[family].some((a) => a.addr === addr)) return name;
    }
    return undefined;
  }

  /**
   * `getGlobalScopeAddressList`: the global IPv6 addresses of `name` (and of
   * a tap, when given). No interface, no IPv6 or no global address is an
   * error naming the interface.
   */
  globalIpv6(name: string, tapName?: string): InterfaceAddress[] {
    const all = this.addresses(name, "inet6");
    if (all === undefined) throw new SlapError("failure", `interface ${name} does not exist`);
    if (!all.length) throw new SlapError("failure", `${name} must have at least one IPv6 address assigned`);
    const list = all.filter((a) => isGlobalScopeIpv6(a.addr));
    if (!list.length) throw new SlapError("failure", `No IPv6 found on interface ${name} to construct IPv6 with.`);
    if (tapName) list.push(...(this.addresses(tapName, "inet6") ?? []).filter((a) => isGlobalScopeIpv6(a.addr)));
    return list;
  }
}

/**
 * `Interface.getAddress(pref)` (§1.8.4): among the global addresses whose
 * network contains `preferred`, the lowest; otherwise the one with the
 * smallest prefix length, ties broken by the lowest address.
 */
export function pickBaseAddress(list: Array<{ addr: string; netmask: string }>, preferred?: string | null): { addr: string; netmask: string } {
  if (preferred) {
    const suitable = list.filter((a) => {
      try {
        return ipv6Contains(a.addr, netmaskLength(a.netmask), preferred);
      } catch {
        return false;
      }
    });
    if (suitable.length) return [...suitable].sort((x, y) => compareIpv6(x.addr, y.addr))[0];
  }
  return [...list].sort((x, y) => netmaskLength(x.netmask) - netmaskLength(y.netmask) || compareIpv6(x.addr, y.addr))[0];
}
