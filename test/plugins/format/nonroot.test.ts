/**
 * Format as a normal user (§1.13, node-runtime.md §7): the definition-file
 * mode StandaloneSlapOS and `configure local` use — no users, no network,
 * addresses given — run by a real non-root user the test creates and
 * removes; and the root check that stops everything else.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { standaloneDefinition } from "../../../plugins/format/definition.ts";
import { BINARY, type RunResult } from "../../helpers/binary.ts";
import { replayMaster } from "../../helpers/replay-master.ts";
import { parseCapture, WIRE_DIR } from "../../helpers/wire.ts";
import { HANDS_OFF_FORMAT, addUser, createNetns, IS_ROOT, traceOf, userPrefix, writeConfig, cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

describe.skipIf(!IS_ROOT)("format as a normal user", () => {
  let user: string;
  let uid: number;
  let gid: number;

  beforeAll(() => {
    user = `${userPrefix()}n`;
    ({ uid, gid } = addUser(user));
  });

  /** A folder the user owns. */
  function userDir(): string {
    const dir = tempDir();
    chownSync(dir, uid, gid);
    return dir;
  }

  async function asUser(args: string[]): Promise<RunResult> {
    const child = Bun.spawn(["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--init-groups", BINARY, ...args], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, HOME: "/nonexistent" },
    });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { code, stdout, stderr };
  }

  /** slapos.cfg and definition as StandaloneSlapOS writes them. */
  function standalone(dir: string, masterUrl: string, count: number, rootCheck = "False"): string {
    const definition = join(dir, "slapformat-definition.cfg");
    writeFileSync(
      definition,
      standaloneDefinition({
        partitionCount: count,
        ipv4: "127.0.0.1",
        ipv6: (i) => `fd00:1::${i + 2}`,
        ipv6Range: (i) => `fd00:1:0:${i + 1}::/64`,
        user,
      }),
    );
    const cfg = writeConfig(dir, {
      slapos: {
        software_root: join(dir, "soft"),
        instance_root: join(dir, "inst"),
        master_url: masterUrl,
        master_rest_url: `${masterUrl}/hateoas`,
        computer_id: "local",
        root_check: rootCheck,
      },
      slapformat: {
        input_definition_file: definition,
        partition_amount: count,
        ...HANDS_OFF_FORMAT,
        computer_xml: join(dir, "slapos.xml"),
        partition_has_ipv6_range: "true",
      },
    });
    return cfg;
  }

  test("the StandaloneSlapOS setup formats as a normal user: folders, resources, computer_xml, posted (exit 0)", async () => {
    const master = replayMaster([parseCapture(join(WIRE_DIR, "slapgrid/0002-POST-loadComputerConfigurationFromXML.txt"))]);
    try {
      const dir = userDir();
      const r = await asUser(["node", "format", "--now", "-v", "--log-time", "--cfg", standalone(dir, master.url, 3)]);
      expect(r.code).toBe(0);
      expect(master.received.map((q) => q.path)).toEqual(["/loadComputerConfigurationFromXML"]);
      const { commands } = traceOf(r.stderr);
      expect(commands).toEqual([]);
      for (const i of [0, 1, 2]) {
        const stat = statSync(join(dir, "inst", `slappart${i}`));
        expect([stat.uid, stat.mode & 0o777]).toEqual([uid, 0o750]);
        const resource = JSON.parse(readFileSync(join(dir, "inst", `slappart${i}`, ".slapos-resource"), "utf8"));
        expect(resource.user.name).toBe(user);
        expect(resource.address_list).toEqual([
          { addr: "127.0.0.1", netmask: "255.255.255.255" },
          { addr: `fd00:1::${i + 2}`, netmask: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
        ]);
        expect(resource.ipv6_range).toEqual({ addr: `fd00:1:0:${i + 1}::`, netmask: "ffff:ffff:ffff:ffff::", network: `fd00:1:0:${i + 1}::/64`, prefixlen: 64 });
      }
      const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
      expect([xml.reference, xml.address, xml.netmask, xml.interface]).toEqual(["local", "127.0.0.1", "255.255.255.255", null]);
      expect(statSync(join(dir, "slapos.xml")).uid).toBe(uid);
    } finally {
      master.server.stop(true);
    }
  });

  test("a normal user without root_check = False is stopped with exit 5 before anything is written", async () => {
    const dir = userDir();
    const r = await asUser(["node", "format", "--now", "--cfg", standalone(dir, "http://127.0.0.1:1", 1, "True")]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("This slapos command must be run as root.");
    expect(readdirSync(dir).sort()).toEqual(["slapformat-definition.cfg", "slapos.cfg"]);
  });

  test("the root check is on by default", async () => {
    const dir = userDir();
    const cfg = standalone(dir, "http://127.0.0.1:1", 1);
    writeFileSync(cfg, readFileSync(cfg, "utf8").replace("root_check = False\n", ""));
    const r = await asUser(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(5);
    expect(existsSync(join(dir, "inst"))).toBe(false);
  });

  test("XML mode as a normal user (root_check false, alter_user and alter_network false) reads its interface and formats", async () => {
    const ns = createNetns();
    const dir = userDir();
    const cfg = writeConfig(dir, {
      slapos: { computer_id: "COMP-USER", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft"), root_check: "false" },
      slapformat: {
        computer_xml: join(dir, "slapos.xml"),
        interface_name: "eth0",
        partition_amount: 2,
        alter_user: false,
        alter_network: false,
        create_tap: false,
        public_ipv4_lookup: false,
      },
    });
    const r = await ns.slapos(["node", "format", "--now", "--cfg", cfg], { user: String(uid) });
    expect(r.code).toBe(2);
    const xml = loads(readFileSync(join(dir, "slapos.xml"), "utf8")) as PyDict;
    expect(xml.address).toBe("2001:db8:1:2::abcd");
    expect((xml.partition_list as PyDict[]).map((p) => p.address_list)).toEqual([[], []]);
    expect(statSync(join(dir, "inst", "slappart1")).uid).toBe(uid);
  });
});
