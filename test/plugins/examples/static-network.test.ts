/**
 * plugins/examples/static-network.ts, loaded into the compiled binary
 * through `[slapos] plugin_list`, in a network namespace of the test's own:
 * `slapos node format` takes its addresses from the plugin's table, runs no
 * `ip` command for them and leaves the interface alone; a table that lacks
 * an address is an error in strict mode and left to the built-in backend
 * otherwise; a bad table line is one error naming file and line.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { ROOT } from "../../helpers/binary.ts";
import { cleanUpAfterFile, createNetns, IS_ROOT, tempDir, traceOf, userPrefix, writeConfig } from "../format/helpers.ts";

cleanUpAfterFile();

const PLUGIN = join(ROOT, "plugins/examples/static-network.ts");
const prefix = userPrefix();

const FULL_TABLE = `# kind       partition   address              netmask
computer      -           2001:db8:aaaa::1     ffff:ffff:ffff:ffff::
ipv4          slappart0   192.0.2.10           255.255.255.255
ipv6          slappart0   2001:db8:aaaa::10    ffff:ffff:ffff:ffff::
ipv4          slappart1   192.0.2.11           255.255.255.255   # the second partition
ipv6          slappart1   2001:db8:aaaa::11    ffff:ffff:ffff:ffff::
ipv6-range    slappart0   2001:db8:bbbb:0::    ffff:ffff:ffff:ffff::
ipv6-range    slappart1   2001:db8:bbbb:1::    ffff:ffff:ffff:ffff::
`;

function setup(table: string, strict: boolean, slapformat: Record<string, string | boolean> = {}) {
  const dir = tempDir();
  const tableFile = join(dir, "addresses.table");
  writeFileSync(tableFile, table);
  const cfg = writeConfig(dir, {
    slapos: { computer_id: "COMP-STATIC", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft"), plugin_list: PLUGIN },
    slapformat: {
      computer_xml: join(dir, "slapos.xml"),
      interface_name: "eth0",
      ipv4_local_network: "10.0.0.0/16",
      partition_amount: 2,
      alter_user: false,
      create_tap: false,
      software_user: `${prefix}s`,
      user_base_name: `${prefix}u`,
      public_ipv4_lookup: false,
      ...slapformat,
    },
    "plugin:static-network": { table: tableFile, strict },
  });
  return { dir, cfg, tableFile };
}

const partitions = (dir: string) => (loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict).partition_list as PyDict[];

describe.skipIf(!IS_ROOT)("static-network example plugin, in the compiled binary", () => {
  test("every address comes from the table; no ip command; the interface (without any IPv6) is left alone", async () => {
    const ns = createNetns({ base: "" });
    const { dir, cfg } = setup(FULL_TABLE, true);
    const r = await ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", cfg]);
    expect(r.code).toBe(2); // formatted; the master (port 1) was not reached
    const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
    expect(xml.address).toBe("2001:db8:aaaa::1");
    expect(partitions(dir).map((p) => p.address_list)).toEqual([
      [{ addr: "192.0.2.10", netmask: "255.255.255.255" }, { addr: "2001:db8:aaaa::10", netmask: "ffff:ffff:ffff:ffff::" }],
      [{ addr: "192.0.2.11", netmask: "255.255.255.255" }, { addr: "2001:db8:aaaa::11", netmask: "ffff:ffff:ffff:ffff::" }],
    ]);
    expect(partitions(dir)[1].ipv6_range).toEqual({ addr: "2001:db8:bbbb:1::", netmask: "ffff:ffff:ffff:ffff::", network: "2001:db8:bbbb:1::/64", prefixlen: 64 });
    // Only the built-in backend's local routes for the ranges; no address added anywhere.
    expect(traceOf(r.stderr).commands).toEqual(["ip -6 route show table local 2001:db8:bbbb:0::/64", "ip -6 route add local 2001:db8:bbbb:0::/64 dev lo", "ip -6 route show table local 2001:db8:bbbb:1::/64", "ip -6 route add local 2001:db8:bbbb:1::/64 dev lo"]);
    expect(ns.sh("ip -o addr list dev eth0")).not.toContain("192.0.2.");
    expect(ns.sh("ip -o addr list dev eth0")).not.toContain("2001:db8:aaaa");
  });

  test("strict: an address missing from the table fails format (exit 1) with a line naming it", async () => {
    const ns = createNetns({ base: "" });
    const { cfg, tableFile } = setup(FULL_TABLE.replace(/^ipv6 +slappart1 .*\n/m, ""), true, { partition_has_ipv6_range: false });
    const r = await ns.slapos(["node", "format", "--now", "--log-time", "--cfg", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin static-network: format.allocateAddress: no ipv6 address for slappart1 in ${tableFile}`);
  });

  test("not strict: what the table lacks (the IPv6 addresses) comes from the built-in backend", async () => {
    const ns = createNetns();
    const table = "ipv4 slappart0 198.51.100.1 255.255.255.255\nipv4 slappart1 198.51.100.2 255.255.255.255\n";
    const { dir, cfg } = setup(table, false, { partition_has_ipv6_range: false });
    const r = await ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", cfg]);
    expect(r.code).toBe(2);
    expect(partitions(dir).map((p) => p.address_list)).toEqual([
      [{ addr: "198.51.100.1", netmask: "255.255.255.255" }, { addr: "2001:db8:1:2::2", netmask: "ffff:ffff:ffff:ffff::" }],
      [{ addr: "198.51.100.2", netmask: "255.255.255.255" }, { addr: "2001:db8:1:2::3", netmask: "ffff:ffff:ffff:ffff::" }],
    ]);
    expect(traceOf(r.stderr).commands.filter((c) => c.startsWith("ip addr add"))).toEqual([
      "ip addr add 2001:db8:1:2::2/64 dev eth0",
      "ip addr add 2001:db8:1:2::3/64 dev eth0",
    ]);
  });

  test("a bad table line: exit 1, the error names the file and the line", async () => {
    const ns = createNetns({ base: "" });
    const { cfg, tableFile } = setup("computer - 2001:db8::1 ffff:ffff:ffff:ffff::\nipv4 slappart0 192.0.2.1 255.0.255.0\n", true);
    const r = await ns.slapos(["node", "format", "--now", "--log-time", "--cfg", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${tableFile}:2: "255.0.255.0" is not a netmask`);
  });
});
