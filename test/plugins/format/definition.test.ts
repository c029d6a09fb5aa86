/**
 * Definition files (§1.11.4) and the computer's address without an
 * interface (checks 1–3), through the binary; users and network are left
 * alone (alter_user and alter_network off), so these run on the host.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { slapos } from "../../helpers/binary.ts";
import { IS_ROOT, traceOf, writeConfig, tempDir, cleanUpAfterFile } from "./helpers.ts";

cleanUpAfterFile();

const EXAMPLE = `[computer]
address = 2a01:e35:2e27::1/ffff:ffff:ffff:ffff::
software_user = slapsoft

[partition_0]
address = 10.0.0.2/255.255.255.255 2001:db8::2/ffff:ffff:ffff:ffff::
ipv6_range = 2001:db8:0:0:4001::/80
user = slapuser0
network_interface = slaptap0
pathname = slappart0
capability_list =
  foo
  bar baz
`;

async function formatWith(definition: string, amount: number, extra: Record<string, string | number | boolean> = {}, args: string[] = []) {
  const dir = tempDir();
  const path = join(dir, "definition.cfg");
  writeFileSync(path, definition);
  const cfg = writeConfig(dir, {
    slapos: { computer_id: "COMP-DEF", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft"), root_check: "False" },
    slapformat: {
      input_definition_file: path,
      computer_xml: join(dir, "slapos.xml"),
      partition_amount: amount,
      alter_user: false,
      alter_network: false,
      create_tap: false,
      public_ipv4_lookup: false,
      ...extra,
    },
  });
  const r = await slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", cfg, ...args]);
  const xml = () => loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
  return { ...r, dir, xml, commands: traceOf(r.stderr).commands };
}

describe.skipIf(!IS_ROOT)("definition files", () => {
  test("check 1 [test_getAddress_empty_computer]: no interface and no address give address and netmask None", async () => {
    const r = await formatWith("[computer]\n", 0);
    expect(r.code).toBe(2);
    expect([r.xml().address, r.xml().netmask, r.xml().interface]).toEqual([null, null, null]);
  });

  test("check 2 [test_getAddress_no_interface_with_address]: without an interface the stored address is kept and the network is not touched", async () => {
    const r = await formatWith("[computer]\naddress = 10.0.129.120/255.255.255.255\n", 0);
    expect([r.xml().address, r.xml().netmask]).toEqual(["10.0.129.120", "255.255.255.255"]);
    expect(r.commands).toEqual([]);
  });

  test("check 3 [test_getAddress_after_parse_computer_definition_no_alter_network]: definition mode without alter_network has no interface and the [computer] address", async () => {
    const r = await formatWith("[computer]\naddress = 2a01:e35:2e27::1/ffff:ffff:ffff:ffff::\n", 0);
    expect([r.xml().interface, r.xml().address, r.xml().netmask]).toEqual([null, "2a01:e35:2e27::1", "ffff:ffff:ffff:ffff::"]);
  });

  test("a partition as the file gives it: addresses, range (with its prefixlen), user, tap name, path, capabilities", async () => {
    const r = await formatWith(EXAMPLE, 1);
    expect(r.code).toBe(2);
    const [partition] = r.xml().partition_list as PyDict[];
    expect(partition.address_list).toEqual([
      { addr: "10.0.0.2", netmask: "255.255.255.255" },
      { addr: "2001:db8::2", netmask: "ffff:ffff:ffff:ffff::" },
    ]);
    expect(partition.ipv6_range).toEqual({ addr: "2001:db8:0:0:4001::", netmask: "ffff:ffff:ffff:ffff:ffff::", network: "2001:db8:0:0:4001::/80", prefixlen: 80 });
    expect([partition.reference, partition.path, (partition.user as PyDict).name, (partition.tap as PyDict).name]).toEqual([
      "slappart0",
      join(r.dir, "inst", "slappart0"),
      "slapuser0",
      "slaptap0",
    ]);
    expect(partition.capability_list).toEqual(["foo", "bar baz"]);
    const resource = JSON.parse(readFileSync(join(r.dir, "inst", "slappart0", ".slapos-resource"), "utf8"));
    expect(resource.capability_list).toEqual(["foo", "bar baz"]);
  });

  test("-o writes the definition of the computer as found, before formatting it", async () => {
    const dir = tempDir();
    const out = join(dir, "out.cfg");
    const r = await formatWith(EXAMPLE, 1, {}, ["-o", out]);
    expect(r.code).toBe(2);
    expect(readFileSync(out, "utf8")).toBe(
      "[computer]\naddress = 2a01:e35:2e27::1/ffff:ffff:ffff:ffff::\n\n" +
        "[partition_0]\naddress = 10.0.0.2/255.255.255.255 2001:db8::2/ffff:ffff:ffff:ffff::\nipv6_range = 2001:db8:0:0:4001::/80\n" +
        "user = slapuser0\nnetwork_interface = slaptap0\npathname = slappart0\n\n",
    );
  });

  test("[BUG] fixed: -o on partitions without a range leaves ipv6_range out instead of failing", async () => {
    const dir = tempDir();
    const out = join(dir, "out.cfg");
    const r = await formatWith("[partition_0]\naddress =\nuser = u\nnetwork_interface =\npathname = p0\n", 1, {}, ["-o", out]);
    expect(r.code).toBe(2);
    expect(readFileSync(out, "utf8")).toBe("[computer]\n\n[partition_0]\naddress = \nuser = u\nnetwork_interface = \npathname = p0\n\n");
  });

  test("[BUG] fixed: create_tun works in definition mode (the reference crashes)", async () => {
    const r = await formatWith(EXAMPLE, 1, { create_tun: true });
    expect(r.code).toBe(2);
    const tun = ((r.xml().partition_list as PyDict[])[0].tun as PyDict);
    expect([tun.name, tun.ipv4_addr, tun.ipv4_network]).toEqual(["slaptun0", "172.16.0.1", "172.16.0.1/255.240.0.0"]);
  });

  test("-i on the command line wins over the configuration's input_definition_file", async () => {
    const dir = tempDir();
    const other = join(dir, "other.cfg");
    writeFileSync(other, "[computer]\naddress = 192.0.2.7/255.255.255.255\n");
    const r = await formatWith(EXAMPLE, 0, {}, ["-i", other]);
    expect(r.xml().address).toBe("192.0.2.7");
  });

  test("a missing partition section: one line naming the file and the section, exit 1, nothing written", async () => {
    const r = await formatWith(EXAMPLE, 2);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`definition.cfg has no section [partition_1]`);
    expect(readdirSync(r.dir).sort()).toEqual(["definition.cfg", "slapos.cfg"]);
  });

  test("a malformed address: one line naming it, exit 1", async () => {
    const r = await formatWith("[partition_0]\naddress = 10.0.0.2\nuser = u\nnetwork_interface =\npathname = p0\n", 1);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[partition_0] address must be "address/netmask", not "10.0.0.2"');
  });

  test("instance_storage_home: each dataN gets a 0750 folder per partition, listed in external_storage_list", async () => {
    const storage = tempDir();
    for (const name of ["data1", "data22", "dataX", "other"]) mkdirSync(join(storage, name));
    const r = await formatWith(EXAMPLE, 1, { instance_storage_home: storage });
    expect(r.code).toBe(2);
    const [partition] = r.xml().partition_list as PyDict[];
    expect((partition.external_storage_list as string[]).sort()).toEqual([`${storage}/data1/slappart0`, `${storage}/data22/slappart0`]);
    expect(r.xml().instance_storage_home).toBe(storage);
    expect(statSync(join(storage, "data22", "slappart0")).mode & 0o777).toBe(0o750);
    expect(existsSync(join(storage, "dataX", "slappart0"))).toBe(false);
  });

  test("[slapformat] log_file gets the run's log in the reference's file format; -c is accepted and ignored", async () => {
    const dir = tempDir();
    const log = join(dir, "format.log");
    const r = await formatWith(EXAMPLE, 1, { log_file: log }, ["-c", "whatever"]);
    expect(r.code).toBe(2);
    expect(readFileSync(log, "utf8")).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] INFO     Using definition file '/m);
  });
});
