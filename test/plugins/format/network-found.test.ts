/**
 * The network as format finds it, in namespaces of their own: duplicate
 * address detection, a missing IPv6, an address another interface holds,
 * a renumbered prefix.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { cleanUpAfterFile, createNetns, IS_ROOT, tempDir, writeConfig } from "./helpers.ts";

cleanUpAfterFile();

describe.skipIf(!IS_ROOT)("the network as it is found", () => {
  test("an IPv6 under duplicate address detection is waited for, then kept", async () => {
    const ns = createNetns({ dad: true });
    const dir = tempDir();
    const cfg = plainConfig(dir);
    const r = await ns.slapos(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(2);
    expect(ns.sh("ip -6 addr list dev eth0")).toMatch(/inet6 2001:db8:1:2::2\/64 scope global \n/);
  });

  test("an interface without a global IPv6 fails the run with exit 1 and a line naming it", async () => {
    const ns = createNetns({ base: "" });
    const dir = tempDir();
    const cfg = writeConfig(dir, {
      slapos: { computer_id: "COMP-NO6", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft") },
      slapformat: { computer_xml: join(dir, "slapos.xml"), interface_name: "eth0", ipv4_local_network: "10.0.0.0/16", partition_amount: 1, alter_user: false, public_ipv4_lookup: false },
    });
    const r = await ns.slapos(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No IPv6 found on interface eth0 to construct IPv6 with.");
    expect(r.stderr).toContain("slapos failed to prepare the computer.");
    expect(existsSync(join(dir, "slapos.xml"))).toBe(false);
  });

  function plainConfig(dir: string, extra: Record<string, string | number | boolean> = {}) {
    return writeConfig(dir, {
      slapos: { computer_id: "COMP-NET", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft") },
      slapformat: {
        computer_xml: join(dir, "slapos.xml"),
        interface_name: "eth0",
        ipv4_local_network: "10.0.0.0/16",
        partition_amount: 1,
        alter_user: false,
        create_tap: false,
        partition_has_ipv6_range: false,
        public_ipv4_lookup: false,
        ...extra,
      },
    });
  }

  test("an address already held by another interface: a warning, then a random one of the prefix (S = 16)", async () => {
    const ns = createNetns();
    ns.sh("ip addr add 2001:db8:1:2::2/128 dev peer0");
    const dir = tempDir();
    const r = await ns.slapos(["node", "format", "--now", "--cfg", plainConfig(dir)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Cannot add address 2001:db8:1:2::2 to eth0 as it already exists on interface peer0.");
    expect(r.stderr).toContain("Falling back to random address selection for partition 0 because 2001:db8:1:2::2/64 is already taken");
    const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
    const v6 = ((xml.partition_list as PyDict[])[0].address_list as PyDict[])[1].addr as string;
    expect(v6).toMatch(/^2001:db8:1:2::[0-9a-f]{1,4}$/);
    expect(v6).not.toBe("2001:db8:1:2::2");
    expect(ns.sh("ip -6 addr list dev eth0")).toContain(`${v6}/64`);
  });

  test("the same with ipv6_prefixshift other than 16: the run fails (exit 1) naming the taken address", async () => {
    const ns = createNetns();
    ns.sh("ip addr add 2001:db8:1:2::2/128 dev peer0");
    const dir = tempDir();
    const r = await ns.slapos(["node", "format", "--now", "--cfg", plainConfig(dir, { ipv6_prefixshift: 20 })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Address 2001:db8:1:2::2/64 for partition 0 is already taken; aborting because IPv6 prefixshift is 20 != 16");
  });

  test("[BUG] fixed: a new prefix on the interface re-derives the partition IPv6 under it (the reference re-adds the old prefix first)", async () => {
    const ns = createNetns();
    const dir = tempDir();
    expect((await ns.slapos(["node", "format", "--now", "--cfg", plainConfig(dir)])).code).toBe(2);
    ns.sh("ip addr flush dev eth0 scope global && ip addr add 2001:db8:9:9::1/64 dev eth0");
    const r = await ns.slapos(["node", "format", "--now", "--cfg", plainConfig(dir)]);
    expect(r.code).toBe(2);
    const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
    expect(xml.address).toBe("2001:db8:9:9::1");
    expect(((xml.partition_list as PyDict[])[0].address_list as PyDict[])[1]).toEqual({ addr: "2001:db8:9:9::2", netmask: "ffff:ffff:ffff:ffff::" });
  });
});
