/**
 * IPv6 arithmetic of format (format-collect-cli.md §1.8): text ⇄ 128-bit
 * integer (glibc's inet_pton/inet_ntop, so text is byte-identical to what
 * the reference writes), netmasks, and the derivation of partition
 * addresses and ranges from the interface's base address.
 */

const MAX = (1n << 128n) - 1n;

function parseIpv4Tail(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255 || (part.length > 1 && part.startsWith("0"))) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** inet_pton(AF_INET6): the address as an integer, or undefined when it is not valid IPv6 text. */
export function parseIpv6(text: string): bigint | undefined {
  if (typeof text !== "string" || !text.includes(":")) return undefined;
  let body = text;
  const lastColon = body.lastIndexOf(":");
  const quad = body.slice(lastColon + 1);
  if (quad.includes(".")) {
    // A trailing dotted quad stands for the last two groups.
    const ipv4 = parseIpv4Tail(quad);
    if (ipv4 === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(ipv4 >> 16n).toString(16)}:${(ipv4 & 0xffffn).toString(16)}`;
  }
  const double = body.indexOf("::");
  if (double >= 0 && body.indexOf("::", double + 1) >= 0) return undefined;
  const parse = (part: string): bigint[] | undefined => {
    if (part === "") return [];
    const out: bigint[] = [];
    for (const group of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      out.push(BigInt(`0x${group}`));
    }
    return out;
  };
  let full: bigint[];
  if (double >= 0) {
    const head = parse(body.slice(0, double));
    const tail = parse(body.slice(double + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    full = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  } else {
    const all = parse(body);
    if (!all || all.length !== 8) return undefined;
    full = all;
  }
  return full.reduce((acc, w) => (acc << 16n) | w, 0n);
}

export function isIpv6(text: string): boolean {
  return parseIpv6(text) !== undefined;
}

/** inet_ntop(AF_INET6) as glibc writes it: lower case, longest zero run (of 2 or more) as `::`. */
export function formatIpv6(value: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) [bestBase, bestLen] = [curBase, curLen];
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) [bestBase, bestLen] = [curBase, curLen];
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ":";
      continue;
    }
    if (i !== 0) out += ":";
    // An IPv4-compatible or IPv4-mapped address ends in a dotted quad.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${words[6] >> 8}.${words[6] & 0xff}.${words[7] >> 8}.${words[7] & 0xff}`;
      return out;
    }
    out += words[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ":";
  return out;
}

/** The canonical text of an IPv6 address (throws on invalid text). */
export function canonicalIpv6(text: string): string {
  const value = parseIpv6(text);
  if (value === undefined) throw new Error(`not an IPv6 address: ${text}`);
  return formatIpv6(value);
}

function maskOf(length: number): bigint {
  return length <= 0 ? 0n : (MAX << BigInt(128 - length)) & MAX;
}

/** `netmask(len)`: /80 → `ffff:ffff:ffff:ffff:ffff::`. */
export function ipv6Netmask(length: number): string {
  return formatIpv6(maskOf(length));
}

function ipv4Value(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/**
 * `lenNetmaskIpv6`: the number of one-bits of a netmask, IPv6 or IPv4, also
 * accepting `…/len`. A mask that is not contiguous counts as the full width
 * (netaddr's `netmask_bits`).
 */
export function netmaskLength(netmask: string): number {
  const slash = netmask.indexOf("/");
  if (slash >= 0) {
    const length = Number(netmask.slice(slash + 1));
    if (!Number.isInteger(length) || length < 0 || length > 128) throw new Error(`bad netmask: ${netmask}`);
    return length;
  }
  const v4 = ipv4Value(netmask);
  if (v4 !== undefined) {
    const inverted = (~v4 >>> 0) + 1;
    if ((inverted & (inverted - 1)) !== 0 && inverted !== 2 ** 32) return 32;
    return 32 - Math.log2(inverted);
  }
  const v6 = parseIpv6(netmask);
  if (v6 === undefined) throw new Error(`bad netmask: ${netmask}`);
  const inverted = (v6 ^ MAX) + 1n;
  if ((inverted & (inverted - 1n)) !== 0n) return 128;
  return 128 - (inverted.toString(2).length - 1);
}

/** Whether `addr` is inside `network/length`. */
export function ipv6Contains(network: string, length: number, addr: string): boolean {
  const a = parseIpv6(addr);
  const n = parseIpv6(network);
  if (a === undefined || n === undefined) return false;
  const mask = maskOf(length);
  return (a & mask) === (n & mask);
}

/** The network address of `addr/length`, as text. */
export function ipv6NetworkOf(addr: string, length: number): string {
  return formatIpv6(parseIpv6(addr)! & maskOf(length));
}

/** `first_addr(addr, len)`: the `…::1` of the prefix. */
export function ipv6FirstAddress(addr: string, length: number): string {
  return formatIpv6((parseIpv6(addr)! & maskOf(length)) | 1n);
}

/**
 * The partition's single address (§1.8.2): the first `prefixlen` bits of the
 * base, then `index + 2` (0 and 1 are reserved), wrapping around when the
 * host part is too small.
 */
export function partitionIpv6(base: string, prefixlen: number, index: number): { addr: string; prefixlen: number } {
  const remaining = 128 - prefixlen;
  let host = BigInt(index + 2);
  if (host.toString(2).length > remaining) {
    host = remaining >= 2 ? BigInt(index) % ((1n << BigInt(remaining)) - 2n) + 2n : host & ((1n << BigInt(remaining)) - 1n);
  }
  return { addr: formatIpv6((parseIpv6(base)! & maskOf(prefixlen)) | host), prefixlen };
}

/** Range kinds of §1.8.3: k, and the bit that fills the host part. */
export const RANGE_KIND = {
  partition: { k: 1n, fill: 0 },
  tap: { k: 2n, fill: 1 },
  tun: { k: 3n, fill: 0 },
} as const;

/**
 * A range of §1.8.3: prefix `P`, then an `S`-bit field holding
 * `(k << (S−2)) + index + 1`, then the host bits all set to the fill bit.
 */
export function ipv6Range(
  base: string,
  prefixlen: number,
  shift: number,
  kind: keyof typeof RANGE_KIND,
  index: number,
): { addr: string; prefixlen: number } {
  const length = prefixlen + shift;
  if (length >= 128) {
    throw new Error(`The IPv6 range has prefixlen ${length} which is too big for generating IPv6 range for partitions.`);
  }
  const { k, fill } = RANGE_KIND[kind];
  const field = (k << BigInt(shift - 2)) + BigInt(index) + 1n;
  if (field >= 1n << BigInt(shift)) throw new Error(`partition index ${index} does not fit in ipv6_prefixshift ${shift}`);
  const hostBits = BigInt(128 - length);
  const host = fill ? (1n << hostBits) - 1n : 0n;
  const value = (parseIpv6(base)! & maskOf(prefixlen)) | (field << hostBits) | host;
  return { addr: formatIpv6(value), prefixlen: length };
}

/** A random range in the `S = 16` fallback: prefix, a random 16-bit value in 1..65000, host bits filled. */
export function randomIpv6Range(base: string, prefixlen: number, fill: 0 | 1, random = Math.random): { addr: string; prefixlen: number } {
  const length = prefixlen + 16;
  if (length >= 128) throw new Error(`Address range ${base}/${prefixlen} is too small for IPv6 subranges`);
  const field = BigInt(1 + Math.floor(random() * 65000));
  const hostBits = BigInt(128 - length);
  const host = fill ? (1n << hostBits) - 1n : 0n;
  return { addr: formatIpv6((parseIpv6(base)! & maskOf(prefixlen)) | (field << hostBits) | host), prefixlen: length };
}

/** The single-address fallback: the base with its last hextet replaced by a random 1..65000. */
export function randomIpv6Address(base: string, random = Math.random): string {
  const value = parseIpv6(base)!;
  const last = BigInt(1 + Math.floor(random() * 65000));
  return formatIpv6((value & ~0xffffn & MAX) | last);
}

// netaddr's IPV6_RESERVED, as (network, length) pairs.
const RESERVED: Array<[bigint, number]> = (
  [
    ["ff00::", 12], ["::", 8], ["100::", 8], ["200::", 7], ["400::", 6], ["800::", 5], ["1000::", 4],
    ["4000::", 3], ["6000::", 3], ["8000::", 3], ["a000::", 3], ["c000::", 3], ["e000::", 4],
    ["f000::", 5], ["f800::", 6], ["fe00::", 9],
  ] as Array<[string, number]>
).map(([text, length]) => [parseIpv6(text)!, length]);

/** `isGlobalScopeAddress` for IPv6: not link-local, loopback, reserved or multicast. */
export function isGlobalScopeIpv6(addr: string): boolean {
  const value = parseIpv6(addr.split("%")[0]);
  if (value === undefined) return false;
  if ((value & maskOf(10)) === parseIpv6("fe80::")!) return false;
  if (value === 1n) return false;
  if ((value & maskOf(8)) === parseIpv6("ff00::")!) return false;
  return !RESERVED.some(([network, length]) => (value & maskOf(length)) === network);
}

/** Numeric order of two IPv6 texts. */
export function compareIpv6(a: string, b: string): number {
  const x = parseIpv6(a)!;
  const y = parseIpv6(b)!;
  return x < y ? -1 : x > y ? 1 : 0;
}
