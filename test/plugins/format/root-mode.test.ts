/**
 * A whole root-mode format inside a network namespace: users, addresses,
 * ranges, taps and tuns really made; a rerun changes nothing; partitions
 * can be added but not removed; dry-run touches nothing.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { createNetns, IS_ROOT, traceOf, userPrefix, writeConfig, type Netns, cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

function sh(command: string): string {
  return new TextDecoder().decode(Bun.spawnSync(["/bin/sh", "-c", command]).stdout);
}

describe.skipIf(!IS_ROOT)("root mode, everything on, in a network namespace", () => {
  let ns: Netns;
  let dir: string;
  let prefix: string;
  let cfg: (amount: number, extra?: Record<string, string | number | boolean>) => string;
  let first: { code: number; stderr: string };

  const xml = () => loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
  const partitions = () => xml().partition_list as PyDict[];
  const run = (path: string, ...extra: string[]) => ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", path, ...extra]);

  beforeAll(async () => {
    ns = createNetns();
    dir = tempDir();
    prefix = userPrefix();
    cfg = (amount, extra = {}) =>
      writeConfig(dir, {
        slapos: { computer_id: "COMP-ROOT", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft") },
        slapformat: {
          computer_xml: join(dir, "slapos.xml"),
          computer_json: join(dir, "slapos.json"),
          interface_name: "eth0",
          ipv4_local_network: "10.0.0.0/16",
          partition_amount: amount,
          software_user: `${prefix}s`,
          user_base_name: `${prefix}u`,
          create_tun: true,
          certificate_repository_path: join(dir, "certs"),
          public_ipv4_lookup: false,
          ...extra,
        },
      });
    first = await run(cfg(2));
  });

  test("the run formats and reports the master unreachable with exit 2", () => {
    expect(first.code).toBe(2);
    expect(first.stderr).toContain("slapos successfully prepared the computer.");
  });

  test("users: the software user owns software_root; partition users are in its group and own their 0750 directory", () => {
    const soft = statSync(join(dir, "soft"));
    expect(soft.uid).toBe(Number(sh(`id -u ${prefix}s`)));
    expect(soft.mode & 0o777).toBe(0o755);
    for (const i of [0, 1]) {
      const user = `${prefix}u${i}`;
      expect(sh(`id -nG ${user}`).trim().split(" ")).toEqual([user, `${prefix}s`]);
      const stat = statSync(join(dir, "inst", `slappart${i}`));
      expect([stat.uid, stat.mode & 0o777]).toEqual([Number(sh(`id -u ${user}`)), 0o750]);
    }
    expect(statSync(join(dir, "certs")).mode & 0o777).toBe(0o700);
  });

  test("addresses: one local IPv4 (/32) and the index-derived IPv6 per partition, on eth0", () => {
    const list = partitions().map((p) => p.address_list as PyDict[]);
    expect(list[0][1]).toEqual({ addr: "2001:db8:1:2::2", netmask: "ffff:ffff:ffff:ffff::" });
    expect(list[1][1]).toEqual({ addr: "2001:db8:1:2::3", netmask: "ffff:ffff:ffff:ffff::" });
    const onEth0 = ns.sh("ip addr list dev eth0");
    for (const [v4, v6] of list) {
      expect(v4.netmask).toBe("255.255.255.255");
      expect(v4.addr as string).toMatch(/^10\.0\.\d+\.\d+$/);
      expect(onEth0).toContain(`inet ${v4.addr}/32`);
      expect(onEth0).toContain(`inet6 ${v6.addr}/64`);
    }
    expect(xml().address).toBe("2001:db8:1:2::abcd");
    expect(xml().netmask).toBe("ffff:ffff:ffff:ffff::");
  });

  test("ranges: partition i gets …:400(i+1)::/80, routed locally to lo, with nonlocal bind on", () => {
    expect(partitions()[1].ipv6_range).toEqual({
      addr: "2001:db8:1:2:4002::",
      netmask: "ffff:ffff:ffff:ffff:ffff::",
      network: "2001:db8:1:2:4002::/80",
      prefixlen: 80,
    });
    expect(ns.sh("ip -6 route show table local 2001:db8:1:2:4002::/80")).toContain("dev lo");
    expect(ns.sh("sysctl -n net.ipv6.ip_nonlocal_bind").trim()).toBe("1");
  });

  test("taps: owned by the partition user, with their IPv6 range and routes; tuns with their IPv4 and IPv6 networks", () => {
    const [p0, p1] = partitions();
    const tap = p1.tap as PyDict;
    expect(tap).toEqual({
      name: "slaptap1",
      ipv4_addr: "",
      ipv4_netmask: "",
      ipv4_gateway: "",
      ipv4_network: "",
      ipv6_addr: "2001:db8:1:2:8002:ffff:ffff:ffff",
      ipv6_netmask: "ffff:ffff:ffff:ffff:ffff::",
      ipv6_gateway: "2001:db8:1:2:8002::1",
      ipv6_network: "2001:db8:1:2:8002::1/80",
    });
    expect(ns.sh("cat /sys/class/net/slaptap1/owner").trim()).toBe(sh(`id -u ${prefix}u1`).trim());
    expect(ns.sh("ip -6 route show dev slaptap1")).toContain("2001:db8:1:2:8002::/80 via 2001:db8:1:2:8002::1");
    const tun = p0.tun as PyDict;
    expect([tun.name, tun.ipv4_network, tun.ipv6_addr, tun.ipv6_network]).toEqual([
      "slaptun0",
      "172.16.0.1/255.248.0.0",
      "2001:db8:1:2:c001::1",
      "2001:db8:1:2:c001::1/80",
    ]);
    const onTun = ns.sh("ip addr list dev slaptun0");
    expect(onTun).toContain("inet 172.16.0.1/13");
    expect(onTun).toContain("inet6 2001:db8:1:2:c001::1/80");
  });

  test(".slapos-resource of each partition, and computer_json, hold what the XML holds", () => {
    const stored = partitions()[0];
    const resource = JSON.parse(readFileSync(join(dir, "inst", "slappart0", ".slapos-resource"), "utf8"));
    expect(resource.address_list).toEqual(stored.address_list as never);
    expect(resource.user.name).toBe(`${prefix}u0`);
    const json = JSON.parse(readFileSync(join(dir, "slapos.json"), "utf8"));
    expect(json.partition_list[1].ipv6_range.network).toBe("2001:db8:1:2:4002::/80");
  });

  test("a rerun keeps every address and range, re-applies users with usermod, creates no interface, adds no address", async () => {
    const before = xml();
    const again = await run(cfg(2));
    expect(again.code).toBe(2);
    // As the reference: the stored computer address is the preference, and the lowest address of its
    // prefix wins — which, once partitions are formatted, is partition 0's.
    expect(xml()).toEqual({ ...before, address: "2001:db8:1:2::2" });
    const { commands } = traceOf(again.stderr);
    expect(commands.filter((c) => c.startsWith("useradd") || c.startsWith("groupadd"))).toEqual([]);
    expect(commands.filter((c) => c.startsWith("usermod"))).toHaveLength(3);
    // (tuns get their networks re-added on every run, failures ignored, as in the reference)
    const changes = commands.filter((c) => c.startsWith("ip tuntap") || c.startsWith("ip addr add") || c.includes("route add"));
    expect(changes.filter((c) => !/ dev slaptun\d$/.test(c))).toEqual([]);
  });

  test("from then on a rerun leaves computer_xml byte for byte as it was, with no new backup", async () => {
    const before = readFileSync(join(dir, "slapos.xml"), "utf8");
    const zip = readFileSync(join(dir, "slapos.xml.zip"));
    expect((await run(cfg(2))).code).toBe(2);
    expect(readFileSync(join(dir, "slapos.xml"), "utf8")).toBe(before);
    expect(readFileSync(join(dir, "slapos.xml.zip"))).toEqual(zip);
  });

  test("a partition more is appended with the next index; the others are untouched", async () => {
    const before = partitions();
    const grown = await run(cfg(3));
    expect(grown.code).toBe(2);
    expect(grown.stderr).toContain("Adding 1 new partitions");
    const after = partitions();
    expect(after.slice(0, 2).map((p) => p.address_list)).toEqual(before.map((p) => p.address_list));
    expect(after[2].reference).toBe("slappart2");
    expect((after[2].address_list as PyDict[])[1].addr).toBe("2001:db8:1:2::4");
  });

  test("fewer partitions than configured is refused with exit 1, and nothing is changed", async () => {
    const before = readFileSync(join(dir, "slapos.xml"), "utf8");
    const shrunk = await run(cfg(1));
    expect(shrunk.code).toBe(1);
    expect(shrunk.stderr).toContain("CRITICAL Requested amount of computer partitions (1) is lower than already configured (3), cannot continue");
    expect(readFileSync(join(dir, "slapos.xml"), "utf8")).toBe(before);
  });

  test("dry-run (-n) runs no command and writes nothing, even for new partitions", async () => {
    const before = readFileSync(join(dir, "slapos.xml"), "utf8");
    const listing = readdirSync(join(dir, "inst")).sort();
    const dry = await run(cfg(4), "-n");
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("Dry-run mode enabled.");
    expect(readFileSync(join(dir, "slapos.xml"), "utf8")).toBe(before);
    expect(readdirSync(join(dir, "inst")).sort()).toEqual(listing);
    expect(ns.sh("ip -6 addr list dev eth0")).not.toContain("2001:db8:1:2::5/64");
    expect(sh(`getent passwd ${prefix}u3`)).toBe("");
  });

  test("after a reboot (addresses gone) a rerun puts the stored addresses back, unchanged", async () => {
    const before = partitions().map((p) => p.address_list);
    for (const [v4, v6] of before as PyDict[][]) {
      ns.sh(`ip addr del ${v4.addr}/32 dev eth0`);
      ns.sh(`ip addr del ${v6.addr}/64 dev eth0`);
    }
    const r = await run(cfg(3));
    expect(r.code).toBe(2);
    expect(partitions().map((p) => p.address_list)).toEqual(before);
    const onEth0 = ns.sh("ip addr list dev eth0");
    for (const [v4, v6] of before as PyDict[][]) {
      expect(onEth0).toContain(`inet ${v4.addr}/32`);
      expect(onEth0).toContain(`inet6 ${v6.addr}/64`);
    }
  });

  test("check 21 [test_getAddress_prefers_pref_addr_among_same_masklen]: a lower /64 added to eth0 changes neither the computer nor the partition addresses", async () => {
    ns.sh("ip addr add 2001:db8:0:1::1/64 dev eth0");
    const before = partitions().map((p) => p.address_list);
    const r = await run(cfg(3));
    expect(r.code).toBe(2);
    expect(xml().address as string).toStartWith("2001:db8:1:2::");
    expect(partitions().map((p) => p.address_list)).toEqual(before);
  });
});
