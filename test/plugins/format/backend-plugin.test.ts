/**
 * The network backend is a plugin's business: a plugin file named in
 * `[slapos] plugin_list` that answers `format.allocateAddress` and
 * `format.configureNetwork` replaces the built-in `ip` backend (wholly or
 * for the kinds it answers); managers tap `format.setup` and
 * `format.tearDown` (check 18).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { createNetns, IS_ROOT, traceOf, userPrefix, writeConfig, cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

const prefix = userPrefix();

function config(dir: string, plugin: string, slapformat: Record<string, string | number | boolean> = {}) {
  return writeConfig(dir, {
    slapos: {
      computer_id: "COMP-PLUG",
      master_url: "http://127.0.0.1:1",
      instance_root: join(dir, "inst"),
      software_root: join(dir, "soft"),
      plugin_list: plugin,
    },
    slapformat: {
      computer_xml: join(dir, "slapos.xml"),
      interface_name: "eth0",
      ipv4_local_network: "10.0.0.0/16",
      partition_amount: 2,
      alter_user: false,
      software_user: `${prefix}s`,
      user_base_name: `${prefix}u`,
      public_ipv4_lookup: false,
      ...slapformat,
    },
  });
}

/** A whole network backend: fixed addresses, and every side effect recorded in a file instead of done. */
const FULL_BACKEND = (log: string) => `
import { appendFileSync } from "node:fs";
export default {
  name: "acme-network", version: "1.0.0", apiVersion: "^1.0.0",
  apply(hooks) {
    hooks.format.allocateAddress.tapPromise("acme-network", async (request) => {
      const i = request.index ?? 0;
      switch (request.kind) {
        case "computer": return { addr: "2001:db8:aaaa::1", netmask: "ffff:ffff:ffff:ffff::" };
        case "computer-readd": return request.stored;
        case "ipv4": return { addr: "192.0.2." + (10 + i), netmask: "255.255.255.255" };
        case "ipv6": return { addr: "2001:db8:aaaa::" + (100 + i), netmask: "ffff:ffff:ffff:ffff::" };
        case "tap-ipv6": return { addr: "2001:db8:aaaa:" + (i + 1) + "::1", netmask: "ffff:ffff:ffff:ffff:ffff::" };
        case "ipv6-range": return { addr: "2001:db8:bbbb:" + i + "::", netmask: "ffff:ffff:ffff:ffff::", network: "2001:db8:bbbb:" + i + "::/64", prefixlen: 64 };
      }
    });
    hooks.format.configureNetwork.tapPromise("acme-network", async (action) => {
      appendFileSync(${JSON.stringify(log)}, action.kind + " " + (action.partition?.reference ?? "-") + "\\n");
      return true;
    });
  },
};
`;

describe.skipIf(!IS_ROOT)("a plugin's network backend", () => {
  test("a plugin answering both hooks replaces the built-in backend: its addresses, no ip command, the interface untouched", async () => {
    const ns = createNetns({ base: "" }); // no IPv6 at all: the built-in backend could not even start
    const dir = tempDir();
    const actions = join(dir, "actions.log");
    const plugin = join(dir, "acme-network.ts");
    writeFileSync(plugin, FULL_BACKEND(actions));
    const r = await ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", config(dir, plugin)]);
    expect(r.code).toBe(2);
    const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
    expect(xml.address).toBe("2001:db8:aaaa::1");
    const [p0, p1] = xml.partition_list as PyDict[];
    expect(p1.address_list).toEqual([
      { addr: "192.0.2.11", netmask: "255.255.255.255" },
      { addr: "2001:db8:aaaa::101", netmask: "ffff:ffff:ffff:ffff::" },
    ]);
    expect((p0.ipv6_range as PyDict).network).toBe("2001:db8:bbbb:0::/64");
    expect((p1.tap as PyDict).ipv6_gateway).toBe("2001:db8:aaaa:2::1");
    expect((p1.tap as PyDict).ipv6_network).toBe("2001:db8:aaaa:2::1/80");
    expect(traceOf(r.stderr).commands).toEqual([]);
    expect(readFileSync(actions, "utf8")).toBe(
      ["prepare -", "tap-create slappart0", "tap-routes slappart0", "range-route slappart0", "tap-create slappart1", "tap-routes slappart1", "range-route slappart1", ""].join("\n"),
    );
    expect(ns.sh("ip -o addr list dev eth0")).not.toContain("192.0.2.");
    expect(ns.sh("ip -o link")).not.toContain("slaptap");
  });

  test("a plugin answering only some kinds leaves the others to the built-in backend", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const plugin = join(dir, "ipv4-only.ts");
    writeFileSync(
      plugin,
      `export default { name: "ipv4-only", version: "1.0.0", apiVersion: "^1.0.0", apply(hooks) {
        hooks.format.allocateAddress.tapPromise("ipv4-only", async (request) =>
          request.kind === "ipv4" ? { addr: "198.51.100." + (1 + request.index), netmask: "255.255.255.255" } : undefined);
      } };\n`,
    );
    const r = await ns.slapos(["node", "format", "--now", "-v", "--log-time", "--cfg", config(dir, plugin, { create_tap: false, partition_has_ipv6_range: false })]);
    expect(r.code).toBe(2);
    const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
    expect((xml.partition_list as PyDict[]).map((p) => p.address_list)).toEqual([
      [{ addr: "198.51.100.1", netmask: "255.255.255.255" }, { addr: "2001:db8:1:2::2", netmask: "ffff:ffff:ffff:ffff::" }],
      [{ addr: "198.51.100.2", netmask: "255.255.255.255" }, { addr: "2001:db8:1:2::3", netmask: "ffff:ffff:ffff:ffff::" }],
    ]);
    expect(traceOf(r.stderr).commands).toEqual([
      "ip addr add 2001:db8:1:2::2/64 dev eth0",
      "ip -6 addr list eth0",
      "ip addr add 2001:db8:1:2::3/64 dev eth0",
      "ip -6 addr list eth0",
    ]);
  });
});

describe.skipIf(!IS_ROOT)("managers (format.setup / format.tearDown)", () => {
  const MANAGER = (log: string, failAt?: string) => `
import { appendFileSync } from "node:fs";
export default { name: "dummy-manager", version: "1.0.0", apiVersion: "^1.0.0", apply(hooks) {
  hooks.format.setup.tapPromise("dummy-manager", async ({ computer }) => appendFileSync(${JSON.stringify(log)}, "format " + computer.partition_list.length + "\\n"));
  hooks.format.tearDown.tapPromise("dummy-manager", async () => appendFileSync(${JSON.stringify(log)}, "formatTearDown\\n"));
  ${failAt ? `hooks.format.allocateAddress.tapPromise("dummy-manager", async (r) => { if (r.kind === ${JSON.stringify(failAt)}) throw new Error("no address today"); });` : ""}
} };
`;

  test("check 18 [TestSlapformatManagerLifecycle.test_partition_format]: format, then formatTearDown", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const log = join(dir, "manager.log");
    const plugin = join(dir, "manager.ts");
    writeFileSync(plugin, MANAGER(log));
    const r = await ns.slapos(["node", "format", "--now", "--cfg", config(dir, plugin, { alter_network: false })]);
    expect(r.code).toBe(2);
    expect(readFileSync(log, "utf8")).toBe("format 2\nformatTearDown\n");
  });

  test("formatTearDown runs even when formatting a partition fails, and the run fails with exit 1", async () => {
    const ns = createNetns();
    const dir = tempDir();
    const log = join(dir, "manager.log");
    const plugin = join(dir, "manager.ts");
    writeFileSync(plugin, MANAGER(log, "ipv4"));
    const r = await ns.slapos(["node", "format", "--now", "--cfg", config(dir, plugin, { create_tap: false })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no address today");
    expect(r.stderr).toContain("slapos failed to prepare the computer.");
    expect(readFileSync(log, "utf8")).toBe("format 2\nformatTearDown\n");
  });
});
