import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ComputerDocument } from "../../../core/hooks/groups/format.ts";
import { Logger } from "../../../core/log/logger.ts";
import { loads } from "../../../core/slap/marshal/index.ts";
import { newComputer, newPartition, newTap, newUser, serialise } from "../../../plugins/format/model.ts";
import { computerXml, dumpComputer, dumpPartitionResource } from "../../../plugins/format/persist.ts";
import { cleanUpAfterFile, tempDir } from "./helpers.ts";

cleanUpAfterFile();

const REFERENCE = resolve(import.meta.dir, "../../fixtures/reference/stored-computer.xml");
const log = new Logger("test");

/** The computer of the reference's stored-file example (§1.11.2). */
function exampleComputer(instanceRoot = "/srv/slapgrid"): ComputerDocument {
  const computer = newComputer({
    reference: "COMP-1234",
    interface: { name: "eth0", ipv4_local_network: "10.0.0.0/16", ipv6_interface: "eth0", ipv6_prefixshift: 16 },
    address: "2001:db8:1:2::abcd",
    netmask: "ffff:ffff:ffff:ffff::",
    ipv6Interface: null,
    partitionHasIpv6Range: true,
    softwareUser: "slapsoft",
    tapGatewayInterface: "",
    tapIpv6: true,
    softwareRoot: "/opt/slapgrid",
    instanceRoot,
  });
  computer.os_type = '["Linux-6.1.0-18-amd64-x86_64-with-glibc2.36", "debian", "12", "Debian GNU/Linux"]';
  computer.python_version = "3.11.2";
  computer.slapos_version = "1.24.0";
  const user = { ...newUser("slapuser0", ["slapsoft"]), path: `${instanceRoot}/slappart0` };
  computer.partition_list.push(
    newPartition({
      reference: "slappart0",
      path: `${instanceRoot}/slappart0`,
      user,
      addressList: [
        { addr: "10.0.74.12", netmask: "255.255.255.255" },
        { addr: "2001:db8:1:2::2", netmask: "ffff:ffff:ffff:ffff::" },
      ],
      ipv6Range: { addr: "2001:db8:1:2:4001::", netmask: "ffff:ffff:ffff:ffff:ffff::", network: "2001:db8:1:2:4001::/80", prefixlen: 80 },
      tap: newTap("slaptap0"),
    }),
  );
  return computer;
}

/** The stored-file example of format-collect-cli.md §1.11.2. */
function referenceExample(): string {
  return readFileSync(REFERENCE, "utf8");
}

function zipNames(path: string): string[] {
  const script = "import zipfile,sys\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nfor n in z.namelist(): print(n)";
  const run = Bun.spawnSync(["python3", "-c", script, path]);
  if (run.exitCode !== 0) throw new Error(new TextDecoder().decode(run.stderr));
  return new TextDecoder().decode(run.stdout).trim().split("\n");
}

function zipMember(path: string, name: string): string {
  const run = Bun.spawnSync(["python3", "-c", "import zipfile,sys\nsys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())", path, name]);
  return new TextDecoder().decode(run.stdout);
}

describe("computer_xml (§1.11.1, §1.11.2)", () => {
  test("the stored XML of the reference's one-partition example is byte for byte the reference's", () => {
    expect(computerXml(exampleComputer())).toBe(referenceExample());
  });

  test("the stored XML reads back to the same document", () => {
    expect(loads(computerXml(exampleComputer()))).toEqual(serialise(exampleComputer()) as never);
  });

  test("strings are escaped twice and non-ASCII written as character references, as xml_marshaller does", () => {
    const computer = exampleComputer();
    computer.python_version = "a&b<é>";
    expect(computerXml(computer)).toContain("<string>a&amp;amp;b&amp;lt;&#233;&amp;gt;</string>");
  });
});

describe("Computer.dump (§1.11)", () => {
  test("check 9 [TestFormatDump.test]: the partition directory holds exactly .slapos-resource after the dump, and nothing before", () => {
    const root = tempDir();
    const computer = exampleComputer(join(root, "inst"));
    mkdirSync(computer.partition_list[0].path, { recursive: true });
    expect(readdirSync(computer.partition_list[0].path)).toEqual([]);
    dumpComputer(computer, join(root, "slapos.xml"), join(root, "slapos.json"), log);
    expect(readdirSync(computer.partition_list[0].path)).toEqual([".slapos-resource"]);
  });

  test(".slapos-resource is the partition as Python's json.dumps(sort_keys, indent=4), mode 0644, non-ASCII escaped", () => {
    const root = tempDir();
    const computer = exampleComputer(join(root, "inst"));
    const partition = computer.partition_list[0];
    partition.capability_list = ["café"];
    mkdirSync(partition.path, { recursive: true });
    dumpPartitionResource(partition, log);
    const text = readFileSync(join(partition.path, ".slapos-resource"), "utf8");
    expect(text.startsWith('{\n    "address_list": [\n        {\n            "addr": "10.0.74.12",\n')).toBe(true);
    expect(text).toContain('"capability_list": [\n        "caf\\u00e9"\n    ],');
    expect(text).toContain('"external_storage_list": [],');
    expect(text).toContain('"tun": null,');
    expect(text.endsWith("}")).toBe(true);
    expect(statSync(join(partition.path, ".slapos-resource")).mode & 0o777).toBe(0o644);
  });

  test("computer_json is the same tree, keys sorted, indent 2", () => {
    const root = tempDir();
    const computer = exampleComputer(join(root, "inst"));
    mkdirSync(computer.partition_list[0].path, { recursive: true });
    dumpComputer(computer, join(root, "slapos.xml"), join(root, "slapos.json"), log);
    const text = readFileSync(join(root, "slapos.json"), "utf8");
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(serialise(computer))));
    expect(text.startsWith('{\n  "address": "2001:db8:1:2::abcd",\n  "instance_root": ')).toBe(true);
    expect(text).toContain('"ipv6_prefixshift": 16,');
  });

  test("an unchanged XML is not rewritten nor backed up; a changed one is backed up into <xml>.zip first", () => {
    const root = tempDir();
    const xml = join(root, "slapos.xml");
    const computer = exampleComputer(join(root, "inst"));
    mkdirSync(computer.partition_list[0].path, { recursive: true });
    const when = new Date(2026, 0, 2, 3, 4);
    dumpComputer(computer, xml, null, log, when);
    expect(existsSync(`${xml}.zip`)).toBe(false); // nothing to back up the first time
    const first = readFileSync(xml, "utf8");
    computer.public_ipv4_address = "192.0.2.1";
    dumpComputer(computer, xml, null, log, when);
    expect(zipNames(`${xml}.zip`)).toEqual(["slapos.xml.20260102-03:04"]);
    expect(zipMember(`${xml}.zip`, "slapos.xml.20260102-03:04")).toBe(first);
    const second = readFileSync(xml, "utf8");
    expect(second).toContain("192.0.2.1");
    dumpComputer(computer, xml, null, log, new Date(2026, 0, 2, 3, 5));
    expect(zipNames(`${xml}.zip`)).toEqual(["slapos.xml.20260102-03:04"]);
    computer.public_ipv4_address = null;
    dumpComputer(computer, xml, null, log, new Date(2026, 0, 2, 3, 6));
    expect(zipNames(`${xml}.zip`)).toEqual(["slapos.xml.20260102-03:04", "slapos.xml.20260102-03:06"]);
    expect(zipMember(`${xml}.zip`, "slapos.xml.20260102-03:06")).toBe(second);
  });

  test("a broken archive is moved aside as <xml>.zip_broken_<date> and a new one started", () => {
    const root = tempDir();
    const xml = join(root, "slapos.xml");
    const computer = exampleComputer(join(root, "inst"));
    mkdirSync(computer.partition_list[0].path, { recursive: true });
    writeFileSync(xml, "<marshal><none/></marshal>\n");
    writeFileSync(`${xml}.zip`, "this is not a zip archive");
    dumpComputer(computer, xml, null, log, new Date(2026, 4, 6, 7, 8));
    expect(readFileSync(`${xml}.zip_broken_20260506-07:08`, "utf8")).toBe("this is not a zip archive");
    expect(zipNames(`${xml}.zip`)).toEqual(["slapos.xml.20260506-07:08"]);
    expect(readFileSync(xml, "utf8")).toBe(computerXml(computer));
  });

  test("no temporary file is left next to the XML", () => {
    const root = tempDir();
    const computer = exampleComputer(join(root, "inst"));
    mkdirSync(computer.partition_list[0].path, { recursive: true });
    dumpComputer(computer, join(root, "slapos.xml"), join(root, "slapos.json"), log);
    expect(readdirSync(root).sort()).toEqual(["inst", "slapos.json", "slapos.xml"]);
  });
});
