/**
 * IPv4 arithmetic of format: local networks (§1.7), the tap gateway's
 * subnet (§1.4 step 5) and the tun subnets of 172.16.0.0/12 (§1.2).
 */

/** Dotted quad → 32-bit number, or undefined. */
export function parseIpv4(text: string): number | undefined {
  if (typeof text !== "string") return undefined;
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

export function ipv4Netmask(length: number): string {
  return formatIpv4(length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);
}

/** Prefix length of a dotted netmask (a non-contiguous mask counts as 32, as netaddr does). */
export function ipv4MaskLength(netmask: string): number {
  const value = parseIpv4(netmask);
  if (value === undefined) throw new Error(`bad IPv4 netmask: ${netmask}`);
  for (let length = 0; length <= 32; length++) if (ipv4Netmask(length) === formatIpv4(value)) return length;
  return 32;
}

export interface Ipv4Network {
  /** First address (the network address). */
  first: number;
  /** Last address (the broadcast address). */
  last: number;
  length: number;
}

/** `10.0.0.0/16` (host bits allowed, as netaddr) → the whole range; undefined when not a CIDR. */
export function parseIpv4Cidr(cidr: string): Ipv4Network | undefined {
  const [addr, lengthText, ...extra] = String(cidr).split("/");
  if (extra.length) return undefined;
  const value = parseIpv4(addr);
  const length = lengthText === undefined ? 32 : /^\d{1,2}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (value === undefined || !(length >= 0 && length <= 32)) return undefined;
  const size = 2 ** (32 - length);
  const first = value - (value % size);
  return { first, last: first + size - 1, length };
}

export function ipv4InNetwork(network: Ipv4Network, addr: string): boolean {
  const value = parseIpv4(addr);
  return value !== undefined && value >= network.first && value <= network.last;
}

/**
 * The tap candidates of a gateway `addr/netmask`: every address of the
 * subnet in ascending order except the gateway's and the network address
 * (the broadcast address stays in, as in the reference).
 */
export function tapCandidates(gateway: string, netmask: string): string[] {
  const length = ipv4MaskLength(netmask);
  const network = parseIpv4Cidr(`${gateway}/${length}`)!;
  const own = parseIpv4(gateway);
  const out: string[] = [];
  for (let value = network.first + 1; value <= network.last; value++) if (value !== own) out.push(formatIpv4(value));
  return out;
}

/** The network address of `addr/netmask`, as text. */
export function ipv4NetworkAddress(addr: string, netmask: string): string {
  return formatIpv4(parseIpv4Cidr(`${addr}/${ipv4MaskLength(netmask)}`)!.first);
}

/**
 * A tun's IPv4 (§1.2): 172.16.0.0/12 split into 2^ceil(log2(count))
 * subnets; the tun of partition `index` takes the first host of subnet
 * `index`.
 */
export function tunIpv4(index: number, count: number): { addr: string; netmask: string; network: string } {
  const shift = count <= 1 ? 0 : (count - 1).toString(2).length;
  const length = 12 + shift;
  if (length > 32) throw new Error(`cannot split 172.16.0.0/12 into ${count} tun subnets`);
  const size = 2 ** (32 - length);
  const first = parseIpv4("172.16.0.0")! + index * size;
  const addr = formatIpv4(first + 1);
  const netmask = ipv4Netmask(length);
  return { addr, netmask, network: `${addr}/${netmask}` };
}
