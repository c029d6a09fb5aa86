import { describe, expect, test } from "bun:test";
import { pickBaseAddress } from "../../../plugins/format/interfaces.ts";
import {
  canonicalIpv6,
  formatIpv6,
  ipv6FirstAddress,
  ipv6Netmask,
  ipv6Range,
  isGlobalScopeIpv6,
  netmaskLength,
  parseIpv6,
  partitionIpv6,
} from "../../../plugins/format/ipv6.ts";

describe("IPv6 derivation (format-collect-cli.md §1.8)", () => {
  // The worked example of §1.8.3: interface 2001:db8:1:2::abcd/64, S = 16.
  const base = "2001:db8:1:2::abcd";
  const rows = [
    { i: 0, addr: "2001:db8:1:2::2", range: "2001:db8:1:2:4001::", tap: "2001:db8:1:2:8001:ffff:ffff:ffff", gw: "2001:db8:1:2:8001::1", tun: "2001:db8:1:2:c001::1" },
    { i: 1, addr: "2001:db8:1:2::3", range: "2001:db8:1:2:4002::", tap: "2001:db8:1:2:8002:ffff:ffff:ffff", gw: "2001:db8:1:2:8002::1", tun: "2001:db8:1:2:c002::1" },
    { i: 2, addr: "2001:db8:1:2::4", range: "2001:db8:1:2:4003::", tap: "2001:db8:1:2:8003:ffff:ffff:ffff", gw: "2001:db8:1:2:8003::1", tun: "2001:db8:1:2:c003::1" },
  ];
  for (const row of rows) {
    test(`partition ${row.i}: single address, range, tap range and gateway, tun first address`, () => {
      expect(partitionIpv6(base, 64, row.i)).toEqual({ addr: row.addr, prefixlen: 64 });
      expect(ipv6Range(base, 64, 16, "partition", row.i)).toEqual({ addr: row.range, prefixlen: 80 });
      const tap = ipv6Range(base, 64, 16, "tap", row.i);
      expect(tap).toEqual({ addr: row.tap, prefixlen: 80 });
      expect(ipv6FirstAddress(tap.addr, 80)).toBe(row.gw);
      const tun = ipv6Range(base, 64, 16, "tun", row.i);
      expect(ipv6FirstAddress(tun.addr, tun.prefixlen)).toBe(row.tun);
    });
  }

  test("a single zero group is not compressed", () => {
    expect(ipv6Range("2a01:e35:2e27::", 48, 16, "tap", 0)).toEqual({ addr: "2a01:e35:2e27:8001:ffff:ffff:ffff:ffff", prefixlen: 64 });
    expect(canonicalIpv6("2a01:e35:2e27:0:8001:ffff:ffff:ffff")).toBe("2a01:e35:2e27:0:8001:ffff:ffff:ffff");
  });

  test("a single address wraps around when the host part is too small, skipping 0 and 1", () => {
    // /126: 2 host bits, values 2 and 3 only
    expect(partitionIpv6("2001:db8::", 126, 0).addr).toBe("2001:db8::2");
    expect(partitionIpv6("2001:db8::", 126, 1).addr).toBe("2001:db8::3");
    expect(partitionIpv6("2001:db8::", 126, 2).addr).toBe("2001:db8::2");
  });

  test("a range that reaches 128 bits is refused", () => {
    expect(() => ipv6Range(base, 112, 16, "partition", 0)).toThrow("too big");
  });

  test("netmasks: length from long form, /len form, IPv4, and back", () => {
    expect(netmaskLength("ffff:ffff:ffff:ffff::")).toBe(64);
    expect(netmaskLength("ffff:ffff:ffff:ffff::/64")).toBe(64);
    expect(netmaskLength("255.255.255.255")).toBe(32);
    expect(netmaskLength("255.255.0.0")).toBe(16);
    expect(netmaskLength("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(128);
    expect(ipv6Netmask(80)).toBe("ffff:ffff:ffff:ffff:ffff::");
    expect(ipv6Netmask(128)).toBe("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  });

  test("global scope: link-local, loopback, reserved and multicast are not global; ULA and 2000::/3 are", () => {
    expect(isGlobalScopeIpv6("2001:db8::1")).toBe(true);
    expect(isGlobalScopeIpv6("fd00::1")).toBe(true);
    expect(isGlobalScopeIpv6("fe80::1%eth0")).toBe(false);
    expect(isGlobalScopeIpv6("::1")).toBe(false);
    expect(isGlobalScopeIpv6("::ffff:10.0.0.1")).toBe(false);
    expect(isGlobalScopeIpv6("ff02::1")).toBe(false);
    expect(isGlobalScopeIpv6("4000::1")).toBe(false);
  });

  test("text form is glibc's inet_ntop for every zero pattern (compared with Python's socket module)", () => {
    const values: bigint[] = [];
    for (let mask = 0; mask < 256; mask++) {
      let v = 0n;
      for (let g = 0; g < 8; g++) v = (v << 16n) | (mask & (1 << (7 - g)) ? BigInt(0x1000 + g * 0x111) : 0n);
      values.push(v);
    }
    values.push(0xffff_0a000001n, 0x0a000001n, 1n, 2n, (0xffffn << 32n) | 0x7f000001n);
    const texts = values.map(formatIpv6);
    const script =
      "import socket,sys\nfor line in sys.stdin:\n v=int(line)\n print(socket.inet_ntop(socket.AF_INET6, v.to_bytes(16,'big')))";
    const python = Bun.spawnSync(["python3", "-c", script], { stdin: new TextEncoder().encode(values.join("\n") + "\n") });
    expect(python.exitCode).toBe(0);
    expect(texts).toEqual(new TextDecoder().decode(python.stdout).trim().split("\n"));
    for (const [i, text] of texts.entries()) expect(parseIpv6(text)).toBe(values[i]);
  });

  test("invalid text is refused", () => {
    for (const bad of ["2001:db8", "1::2::3", "12345::", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "10.0.0.1"]) expect(parseIpv6(bad)).toBeUndefined();
  });
});

describe("Interface.getAddress (§1.8.4)", () => {
  test("check 20 [TestInterface.test_getAddress_picks_smallest_masklen]: among /96, /64 and /80 the /64 wins, whatever the order", () => {
    const list = [
      { addr: "2a01:e35:1234::1", netmask: "ffff:ffff:ffff:ffff:ffff:ffff::" },
      { addr: "2a01:e35:2e27::1", netmask: "ffff:ffff:ffff:ffff::" },
      { addr: "2a01:e35:5678::1", netmask: "ffff:ffff:ffff:ffff:ffff::" },
    ];
    expect(pickBaseAddress(list).addr).toBe("2a01:e35:2e27::1");
    expect(pickBaseAddress([...list].reverse()).addr).toBe("2a01:e35:2e27::1");
  });

  test("check 21 [test_getAddress_prefers_pref_addr_among_same_masklen]: the address whose network holds the preferred one wins", () => {
    const list = [
      { addr: "2a01:e35:abcd::1", netmask: "ffff:ffff:ffff:ffff::" },
      { addr: "2a01:e35:2e27::1", netmask: "ffff:ffff:ffff:ffff::" },
    ];
    expect(pickBaseAddress(list, "2a01:e35:2e27::1").addr).toBe("2a01:e35:2e27::1");
    expect(pickBaseAddress(list, "2a01:e35:2e27::2").addr).toBe("2a01:e35:2e27::1");
    // no preference: smallest prefix, then the lowest address
    expect(pickBaseAddress(list).addr).toBe("2a01:e35:2e27::1");
    expect(pickBaseAddress(list, "2001:db8::1").addr).toBe("2a01:e35:2e27::1");
  });
});
