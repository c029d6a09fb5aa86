/**
 * Root mode, network side, inside a namespace the test creates: the exact
 * commands and filesystem operations of the reference's Computer.format
 * tests (checks 4–8, 10), traced at DEBUG by the compiled binary.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { addUser, createNetns, IS_ROOT, traceOf, userPrefix, writeConfig, type Netns, cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

function baseConfig(dir: string, slapformat: Record<string, string | number | boolean>) {
  return writeConfig(dir, {
    slapos: {
      computer_id: "COMP-TEST",
      master_url: "http://127.0.0.1:1",
      instance_root: join(dir, "inst"),
      software_root: join(dir, "soft"),
    },
    slapformat: {
      computer_xml: join(dir, "slapos.xml"),
      interface_name: "eth0",
      ipv4_local_network: "10.0.0.0/16",
      partition_base_name: "part",
      tap_base_name: "tap",
      public_ipv4_lookup: false,
      ...slapformat,
    },
  });
}

function xmlOf(dir: string): PyDict {
  return loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
}

describe.skipIf(!IS_ROOT)("format's command sequences in a network namespace", () => {
  let prefix: string;
  let owner: string;
  beforeAll(() => {
    prefix = userPrefix();
    owner = `${prefix}u0`;
    addUser(owner);
  });

  async function format(ns: Netns, dir: string, slapformat: Record<string, string | number | boolean>) {
    const result = await ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", baseConfig(dir, { user_base_name: `${prefix}u`, ...slapformat })]);
    return { ...result, trace: traceOf(result.stderr) };
  }

  test("check 4 [test_construct_empty_prepared_no_alter_user]: no partitions, alter_user off: the two makedirs and no command", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const r = await format(ns, dir, { partition_amount: 0, alter_user: false, partition_has_ipv6_range: false });
    expect(r.code).toBe(2); // formatted, master unreachable
    expect(r.trace.fs).toEqual([`makedirs('${dir}/inst', 493)`, `makedirs('${dir}/soft', 493)`]);
    expect(r.trace.commands).toEqual([]);
  });

  test("check 5 [test_construct_empty_prepared_no_alter_network_user]: the same with both switches off", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const r = await format(ns, dir, { partition_amount: 0, alter_user: false, alter_network: false });
    expect(r.trace.fs).toEqual([`makedirs('${dir}/inst', 493)`, `makedirs('${dir}/soft', 493)`]);
    expect(r.trace.commands).toEqual([]);
  });

  test("check 6 [test_construct_prepared_no_alter_user]: tap with IPv6 and no gateway, then the partition's IPv4 (no list) and IPv6 (listed)", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const r = await format(ns, dir, { partition_amount: 1, alter_user: false, partition_has_ipv6_range: false, tap_ipv6: true });
    expect(r.code).toBe(2);
    const ipv4 = (xmlOf(dir).partition_list as PyDict[])[0].address_list as PyDict[];
    expect(ipv4[0].addr as string).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(r.trace.commands).toEqual([
      `ip tuntap add dev tap0 mode tap user ${owner}`,
      "ip link set tap0 up",
      "ip addr add 2001:db8:1:2:8001:ffff:ffff:ffff/80 dev tap0 noprefixroute",
      "ip -6 addr list tap0",
      "ip -6 route show 2001:db8:1:2:8001::1",
      "ip -6 route add 2001:db8:1:2:8001::1 dev tap0",
      "ip -6 route show 2001:db8:1:2:8001::1/80",
      "ip -6 route add 2001:db8:1:2:8001::1/80 dev tap0 via 2001:db8:1:2:8001::1",
      `ip addr add ${ipv4[0].addr}/32 dev eth0`,
      "ip addr add 2001:db8:1:2::2/64 dev eth0",
      "ip -6 addr list eth0",
    ]);
    expect(r.trace.fs).toEqual([
      `makedirs('${dir}/inst', 493)`,
      `makedirs('${dir}/soft', 493)`,
      `mkdir('${dir}/inst/part0', 488)`,
      `chmod('${dir}/inst/part0', 488)`,
    ]);
    // and the kernel has it all
    expect(ns.sh("ip -6 addr list dev eth0")).toContain("2001:db8:1:2::2/64");
    expect(ns.sh("ip -4 addr list dev eth0")).toContain(`${ipv4[0].addr}/32`);
    expect(ns.sh("ip -6 route show dev tap0")).toContain("2001:db8:1:2:8001::/80 via 2001:db8:1:2:8001::1");
    expect(ns.sh("cat /sys/class/net/tap0/owner").trim()).toBe(ns.sh(`id -u ${owner}`).trim());
  });

  test("check 7 [test_construct_prepared_tap_no_alter_user]: gateway 10.8.0.1/24 gives the tap 10.8.0.2 and its routes; a /80 interface gives a /96 tap range", async () => {
    const ns = createNetns({ base: "2a01:e35:2e27:3456:1357::e59c/80" });
    ns.sh("ip addr add 10.8.0.1/24 dev peer0");
    const dir = tempDir();
    const r = await format(ns, dir, {
      partition_amount: 1,
      alter_user: false,
      partition_has_ipv6_range: false,
      tap_gateway_interface: "peer0",
    });
    expect(r.code).toBe(2);
    const partition = (xmlOf(dir).partition_list as PyDict[])[0];
    const tap = partition.tap as PyDict;
    expect([tap.ipv4_addr, tap.ipv4_netmask, tap.ipv4_gateway, tap.ipv4_network]).toEqual(["10.8.0.2", "255.255.255.0", "10.8.0.1", "10.8.0.0"]);
    expect(tap.ipv6_netmask).toBe("ffff:ffff:ffff:ffff:ffff:ffff::");
    const v4 = (partition.address_list as PyDict[])[0].addr;
    expect(r.trace.commands).toEqual([
      `ip tuntap add dev tap0 mode tap user ${owner}`,
      "ip link set tap0 up",
      "ip addr add 2a01:e35:2e27:3456:1357:8001:ffff:ffff/96 dev tap0 noprefixroute",
      "ip -6 addr list tap0",
      "ip route show 10.8.0.2",
      "ip route add 10.8.0.2 dev tap0",
      "ip -6 route show 2a01:e35:2e27:3456:1357:8001:0:1",
      "ip -6 route add 2a01:e35:2e27:3456:1357:8001:0:1 dev tap0",
      "ip -6 route show 2a01:e35:2e27:3456:1357:8001:0:1/96",
      "ip -6 route add 2a01:e35:2e27:3456:1357:8001:0:1/96 dev tap0 via 2a01:e35:2e27:3456:1357:8001:0:1",
      `ip addr add ${v4}/32 dev eth0`,
      "ip addr add 2a01:e35:2e27:3456:1357::2/80 dev eth0",
      "ip -6 addr list eth0",
    ]);
    expect(ns.sh("ip route show 10.8.0.2")).toContain("dev tap0");
  });

  test("check 8 [test_construct_prepared_no_alter_network_user]: a partition with both switches off: makedirs, mkdir 0750, chmod 0750, no command", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const r = await format(ns, dir, { partition_amount: 1, alter_user: false, alter_network: false });
    expect(r.trace.fs).toEqual([
      `makedirs('${dir}/inst', 493)`,
      `makedirs('${dir}/soft', 493)`,
      `mkdir('${dir}/inst/part0', 488)`,
      `chmod('${dir}/inst/part0', 488)`,
    ]);
    expect(r.trace.commands).toEqual([]);
    expect(ns.sh("ip -6 addr list dev eth0")).not.toContain("2001:db8:1:2::2");
  });

  test("check 10 [TestPartition.test_createPath_no_alter_user]: the partition directory is mkdir 0750 then chmod 0750, never chowned", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const r = await format(ns, dir, { partition_amount: 1, alter_user: false, alter_network: false });
    const partitionOps = r.trace.fs.filter((op) => op.includes("/inst/part0"));
    expect(partitionOps).toEqual([`mkdir('${dir}/inst/part0', 488)`, `chmod('${dir}/inst/part0', 488)`]);
    expect(r.trace.fs.some((op) => op.startsWith("chown("))).toBe(false);
  });
});
