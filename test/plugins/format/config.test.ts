/**
 * Options and validation of `slapos node format` (§1.1, §1.15, §7.4):
 * the merge order, and every refusal as one line naming the option, a
 * non-zero exit and nothing written.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { mergeFormatOptions, validateFormatOptions } from "../../../plugins/format/config.ts";
import { missingBinaries } from "../../../plugins/format/exec.ts";
import { BINARY } from "../../helpers/binary.ts";
import { createNetns, IS_ROOT, userPrefix, writeConfig, type Netns, cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

// Every run of the binary happens inside a namespace of its own, with users named after a prefix that is
// removed afterwards: a refusal that failed to refuse must not touch the machine.
const prefix = userPrefix();
let netns: Netns | undefined;
function slapos(args: string[]) {
  netns ??= createNetns();
  return netns.slapos(args);
}

type Sections = Record<string, Record<string, string | number | boolean>>;

function sections(dir: string, slapformat: Record<string, string | number | boolean> = {}, slapos: Record<string, string | number | boolean> = {}): Sections {
  return {
    slapos: { computer_id: "COMP-CFG", master_url: "http://127.0.0.1:1", instance_root: join(dir, "inst"), software_root: join(dir, "soft"), ...slapos },
    slapformat: {
      computer_xml: join(dir, "slapos.xml"),
      interface_name: "eth0",
      ipv4_local_network: "10.0.0.0/16",
      partition_amount: 1,
      public_ipv4_lookup: false,
      software_user: `${prefix}s`,
      user_base_name: `${prefix}u`,
      ...slapformat,
    },
  };
}

function parse(sections: Sections): SlapConfig {
  return SlapConfig.parse(
    Object.entries(sections)
      .map(([name, values]) => `[${name}]\n${Object.entries(values).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`)
      .join("\n"),
  );
}

describe("FormatConfig (§1.1)", () => {
  test("check 19 [TestFormatConfig.test_empty_cmdline_options]: alter_network and alter_user default to true", () => {
    const conf = validateFormatOptions(mergeFormatOptions(parse(sections(tempDir())), { dry_run: true }));
    expect(conf.alterNetwork).toBe(true);
    expect(conf.alterUser).toBe(true);
  });

  test("check 19 [TestFormatConfig.test_cmdline1_options]: --alter_network False --alter_user True give false and true", () => {
    const conf = validateFormatOptions(mergeFormatOptions(parse(sections(tempDir())), { alter_network: "False", alter_user: "True", dry_run: true }));
    expect(conf.alterNetwork).toBe(false);
    expect(conf.alterUser).toBe(true);
  });

  test("a key in [slapos] wins over the same key in [slapformat]; the command line wins over both", () => {
    const dir = tempDir();
    const config = parse(sections(dir, { partition_amount: 3, computer_xml: "/a.xml" }, { partition_amount: 5 }));
    expect(validateFormatOptions(mergeFormatOptions(config, { dry_run: true })).partitionAmount).toBe(5);
    expect(validateFormatOptions(mergeFormatOptions(config, { computer_xml: "/b.xml", dry_run: true })).computerXml).toBe("/b.xml");
  });

  test("base names default to slappart, slapuser and slaptap ([BUG] fixed: the reference names them None0)", () => {
    const plain = sections(tempDir());
    delete plain.slapformat.software_user;
    delete plain.slapformat.user_base_name;
    const conf = validateFormatOptions(mergeFormatOptions(parse(plain), { dry_run: true }));
    expect([conf.partitionBaseName, conf.userBaseName, conf.tapBaseName]).toEqual(["slappart", "slapuser", "slaptap"]);
  });

  test("computer_xml and the definition files are made absolute; computer_json is not", () => {
    const config = parse(sections(tempDir(), { computer_xml: "rel.xml", computer_json: "rel.json", output_definition_file: "out.cfg" }));
    const conf = validateFormatOptions(mergeFormatOptions(config, { dry_run: true }));
    expect(conf.computerXml).toBe(join(process.cwd(), "rel.xml"));
    expect(conf.outputDefinitionFile).toBe(join(process.cwd(), "out.cfg"));
    expect(conf.computerJson).toBe("rel.json");
  });

  test("the required binaries probe reports only what cannot be found", () => {
    expect(missingBinaries([["sh", "-c", "exit 3"], ["no-such-binary-anywhere"]])).toEqual(["no-such-binary-anywhere"]);
  });
});

describe.skipIf(!IS_ROOT)("refusals of slapos node format, through the binary", () => {
  async function refused(slapformat: Record<string, string | number | boolean>, slaposSection: Record<string, string | number | boolean> = {}, args: string[] = []) {
    const dir = tempDir();
    const cfg = writeConfig(dir, sections(dir, slapformat, slaposSection));
    const r = await slapos(["node", "format", "--now", "--cfg", cfg, ...args]);
    expect(readdirSync(dir)).toEqual(["slapos.cfg"]); // nothing half-written
    return r;
  }

  const usage: Array<[string, Record<string, string | number>, string]> = [
    ["a deprecated bridge option", { bridge_name: "br0" }, "Option 'bridge_name' is totally deprecated, please update your config file"],
    ["a boolean that is not true or false", { alter_user: "yes" }, `Option 'alter_user' needs to be "True" or "False", wrong value: 'yes'`],
    ["a missing computer_xml", { computer_xml: "" }, "Parameter 'computer_xml' is not defined."],
    ["a missing partition_amount", { partition_amount: "" }, "Parameter 'partition_amount' is not defined."],
    ["a partition_amount that is not a number", { partition_amount: "ten" }, "Option 'partition_amount' needs to be an integer, wrong value: 'ten'"],
    ["an ipv4_local_network that is not a network", { ipv4_local_network: "10.0.0/8" }, "Option 'ipv4_local_network' needs to be an IPv4 network such as 10.0.0.0/16, wrong value: '10.0.0/8'"],
    ["no interface_name in XML mode", { interface_name: "" }, "Parameter 'interface_name' is not defined."],
  ];
  for (const [what, values, message] of usage) {
    test(`${what}: one line naming it, "For help use --help", exit 1`, async () => {
      const r = await refused(values);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`${message}\nFor help use --help\n`);
    });
  }

  test("a missing computer_id in [slapos]: exit 1, naming it", async () => {
    const r = await refused({}, { computer_id: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("Parameter 'computer_id' is not defined.\nFor help use --help\n");
  });

  test("a key_file that does not exist: CRITICAL naming the file and the option, exit 1", async () => {
    const r = await refused({}, { key_file: "/nonexistent/node.key" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CRITICAL File '/nonexistent/node.key' does not exist or is not readable (key_file).");
  });

  test("ipv6_prefixshift too small for partition_amount: CRITICAL, exit 1", async () => {
    const r = await refused({ ipv6_prefixshift: 4, partition_amount: 5 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("CRITICAL ipv6_prefixshift 4 is too small for partition_amount 5");
  });

  test("[BUG] fixed: partition_amount = 2^(S-2) is refused instead of overflowing the last partition's range", async () => {
    const r = await refused({ ipv6_prefixshift: 4, partition_amount: 4 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ipv6_prefixshift 4 is too small for partition_amount 4");
  });

  test("a configuration without [slapformat]: exit 1, naming the section", async () => {
    const dir = tempDir();
    const cfg = writeConfig(dir, { slapos: sections(dir).slapos });
    const r = await slapos(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No section: 'slapformat'");
  });

  test("an invalid root_check is refused, naming it", async () => {
    const r = await refused({}, { root_check: "maybe" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Option 'root_check' needs to be "True" or "False", wrong value: 'maybe'`);
  });

  test("--alter_user takes only True or False (a usage error of the command line, exit 2)", async () => {
    const r = await refused({}, {}, ["--alter_user", "yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument --alter_user: invalid choice: 'yes' (choose from 'True', 'False')");
  });

  test("a missing configuration file: exit 1, naming it", async () => {
    const r = await slapos(["node", "format", "--now", "--cfg", "/nonexistent/slapos.cfg"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Configuration file does not exist: /nonexistent/slapos.cfg");
  });
});

describe.skipIf(!IS_ROOT)("the command", () => {
  test("help lists the reference's options", async () => {
    const r = await slapos(["help", "node", "format"]);
    expect(r.code).toBe(0);
    for (const option of ["-x", "--computer_xml", "--computer_json", "-i", "--input_definition_file", "-o", "--output_definition_file", "--alter_user", "--alter_network", "--now", "-n", "--dry_run", "-c", "--console"]) {
      expect(r.stdout).toContain(option);
    }
  });

  test.skipIf(!IS_ROOT)("without --now it first sleeps a random time, and says so", async () => {
    const dir = tempDir();
    netns ??= createNetns();
    const child = Bun.spawn(["ip", "netns", "exec", netns.name, BINARY, "node", "format", "--cfg", writeConfig(dir, sections(dir))], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
    });
    const reader = child.stderr.getReader();
    let text = "";
    while (!text.includes("\n") || !/Sleeping for/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    child.kill();
    await child.exited;
    expect(text).toMatch(/INFO Sleeping for \d+(\.\d+)?(e[-+]\d+)? seconds\. To disable this feature, use with --now parameter in manual\./);
    expect(readdirSync(dir)).toEqual(["slapos.cfg"]);
  });
});
