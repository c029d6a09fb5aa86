import { describe, expect, test } from "bun:test";
import { ipv4NetworkAddress, parseIpv4Cidr, tapCandidates, tunIpv4 } from "../../../plugins/format/ipv4.ts";

describe("IPv4 of format", () => {
  test("tun subnets: 10 partitions give slaptun1 172.17.0.1/255.255.0.0, 20 give 172.16.128.1/255.255.128.0", () => {
    expect(tunIpv4(1, 10)).toEqual({ addr: "172.17.0.1", netmask: "255.255.0.0", network: "172.17.0.1/255.255.0.0" });
    expect(tunIpv4(1, 20)).toEqual({ addr: "172.16.128.1", netmask: "255.255.128.0", network: "172.16.128.1/255.255.128.0" });
    expect(tunIpv4(0, 1)).toEqual({ addr: "172.16.0.1", netmask: "255.240.0.0", network: "172.16.0.1/255.240.0.0" });
  });

  test("tap candidates of gateway 10.8.0.1/24: ascending, without the gateway and the network address, with the broadcast", () => {
    const list = tapCandidates("10.8.0.1", "255.255.255.0");
    expect(list[0]).toBe("10.8.0.2");
    expect(list.at(-1)).toBe("10.8.0.255");
    expect(list).not.toContain("10.8.0.0");
    expect(list).not.toContain("10.8.0.1");
    expect(list.length).toBe(254);
    expect(ipv4NetworkAddress("10.8.0.1", "255.255.255.0")).toBe("10.8.0.0");
  });

  test("a local network keeps its whole range, host bits allowed", () => {
    expect(parseIpv4Cidr("10.0.0.5/16")).toEqual({ first: 10 * 2 ** 24, last: 10 * 2 ** 24 + 65535, length: 16 });
    expect(parseIpv4Cidr("10.0.0.0/33")).toBeUndefined();
    expect(parseIpv4Cidr("nope")).toBeUndefined();
  });
});
