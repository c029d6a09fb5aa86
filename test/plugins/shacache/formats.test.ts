/** Byte-level formats: Python's json.dumps, shadir signatures, entry parsing, platform matching, the table. */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadJsonEntry, parseEntryList, parsePythonStringTuple } from "../../../plugins/shacache/entries.ts";
import { debianize, isCompatible, multiarchFor, osTupleFrom, parseOsRelease } from "../../../plugins/shacache/platform.ts";
import { pythonJsonDumps } from "../../../plugins/shacache/python-json.ts";
import {
  keyMatchesCertificate,
  loadPrivateKey,
  parseCertificateList,
  signEntry,
  verifyEntry,
} from "../../../plugins/shacache/signature.ts";
import { prettyTable } from "../../../plugins/shacache/table.ts";
import { certificateList, makeSigner, tempDir } from "./fixture.ts";

const dir = tempDir();
const alice = makeSigner(dir, "alice");
const mallory = makeSigner(dir, "mallory");

describe("json.dumps", () => {
  test("separators, insertion order, ensure_ascii and surrogate pairs match Python's output", () => {
    const value = {
      sha512: "ab",
      software_url: 'http://x/é\u2028😀"\\\n\t\x7f/',
      os: ["debian", "12", ""],
      n: 1,
      f: 1.5,
      b: true,
      z: null,
      nested: { a: [] },
    };
    // Printed by python3: json.dumps(<the same dict>)
    expect(pythonJsonDumps(value)).toBe(
      '{"sha512": "ab", "software_url": "http://x/\\u00e9\\u2028\\ud83d\\ude00\\"\\\\\\n\\t\\u007f/", "os": ["debian", "12", ""], "n": 1, "f": 1.5, "b": true, "z": null, "nested": {"a": []}}',
    );
  });

  test("the shadir PUT body is a two-string list", () => {
    expect(pythonJsonDumps(['{"a": 1}', ""])).toBe('["{\\"a\\": 1}", ""]');
  });
});

describe("signatures", () => {
  const certificates = parseCertificateList(certificateList(alice, mallory));
  const entry = '{"sha512": "00", "software_url": "http://example.org/software.cfg"}';

  test("an indented certificate list from slapos.cfg loads every block", () => {
    expect(certificates.map((c) => c.subject)).toEqual(["CN=alice", "CN=mallory"]);
  });

  test("a broken block is skipped and reported, the others still load", () => {
    const seen: string[] = [];
    const list = parseCertificateList(`-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n${alice.pem}`, (pem) =>
      seen.push(pem),
    );
    expect(list.map((c) => c.subject)).toEqual(["CN=alice"]);
    expect(seen).toHaveLength(1);
  });

  test("our signature is the one `openssl dgst -sha1 -sign` makes (PKCS#1 v1.5, SHA-1)", () => {
    const data = join(dir, "entry.txt");
    writeFileSync(data, entry);
    const openssl = Bun.spawnSync(["openssl", "dgst", "-sha1", "-sign", alice.key, data], { stdout: "pipe" });
    expect(signEntry(entry, loadPrivateKey(alice.key))).toBe(Buffer.from(openssl.stdout).toString("base64"));
  });

  test("a signature verifies against any certificate of the list", () => {
    const signature = signEntry(entry, loadPrivateKey(mallory.key));
    expect(verifyEntry(entry, signature, certificates)).toBe(true);
    expect(verifyEntry(entry, signature, parseCertificateList(alice.pem))).toBe(false);
  });

  test("old 76-column base64 with newlines verifies too", () => {
    const signature = signEntry(entry, loadPrivateKey(alice.key));
    const mime = signature.replace(/(.{76})/g, "$1\n") + "\n";
    expect(mime).toContain("\n");
    expect(verifyEntry(entry, mime, certificates)).toBe(true);
  });

  test("an empty signature, a changed entry or no certificate list is never trusted", () => {
    const signature = signEntry(entry, loadPrivateKey(alice.key));
    expect(verifyEntry(entry, "", certificates)).toBe(false);
    expect(verifyEntry(entry.replace("00", "01"), signature, certificates)).toBe(false);
    expect(verifyEntry(entry, signature, [])).toBe(false);
    expect(signEntry(entry, undefined)).toBe("");
  });

  test("a private key is matched to its certificate", () => {
    expect(keyMatchesCertificate(loadPrivateKey(alice.key), certificates)).toBe(true);
    expect(keyMatchesCertificate(loadPrivateKey(alice.key), parseCertificateList(mallory.pem))).toBe(false);
  });

  test("a key file that is not a key is a one-line config error naming it", () => {
    expect(() => loadPrivateKey(alice.cert)).toThrow(`signature-private-key-file ${alice.cert} is not a PEM private key`);
  });
});

describe("shadir entries", () => {
  test("a shadir answer must be a list of [entry, signature] pairs", () => {
    expect(parseEntryList('[["{}", "sig"]]', "x")).toEqual([["{}", "sig"]]);
    expect(() => parseEntryList("{}", "http://dir/key")).toThrow("is not a list");
    expect(() => parseEntryList('[["{}"]]', "http://dir/key")).toThrow("entry 0 is not an [entry, signature] pair");
    expect(() => parseEntryList("<html>", "http://dir/key")).toThrow("Failed to parse json response");
  });

  test("BBB: an x86_64 entry without multiarch gets x86_64-linux-gnu and its os tuple string is read", () => {
    const entry = loadJsonEntry(`{"sha512": "00", "machine": "x86_64", "os": "('debian', '8.10', '')"}`);
    expect(entry.multiarch).toBe("x86_64-linux-gnu");
    expect(entry.os).toEqual(["debian", "8.10", ""]);
  });

  test("Python tuple literals with both quote styles and escapes", () => {
    expect(parsePythonStringTuple(`(u'CentOS Linux', "7.5.1804", 'Co\\'re')`)).toEqual(["CentOS Linux", "7.5.1804", "Co're"]);
  });
});

describe("platform", () => {
  test("os-release gives distro's (id, version, codename)", () => {
    const debian = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n');
    expect(osTupleFrom(debian)).toEqual(["debian", "12", "bookworm"]);
    expect(osTupleFrom(parseOsRelease('ID="centos"\nVERSION_ID="7"\nVERSION="7 (Core)"\n'))).toEqual(["centos", "7", "Core"]);
    expect(osTupleFrom(parseOsRelease('ID=ubuntu\nVERSION_ID="22.04"\nUBUNTU_CODENAME=jammy\n'))).toEqual(["ubuntu", "22.04", "jammy"]);
  });

  test("debianize: raspbian is debian, debian keeps its major version and no codename", () => {
    expect(debianize(["Raspbian", "11.2", "bullseye"])).toEqual(["debian", "11", ""]);
    expect(debianize(["Ubuntu", "18.04", "bionic"])).toEqual(["ubuntu", "18.04", "bionic"]);
  });

  test("multiarch is what each distribution's gcc -dumpmachine prints", () => {
    expect(multiarchFor("x64", { ID: "debian" }, true)).toBe("x86_64-linux-gnu");
    expect(multiarchFor("arm64", { ID: "ubuntu", ID_LIKE: "debian" }, true)).toBe("aarch64-linux-gnu");
    expect(multiarchFor("arm", { ID: "raspbian", ID_LIKE: "debian" }, true)).toBe("arm-linux-gnueabihf");
    expect(multiarchFor("x64", { ID: "rocky", ID_LIKE: "rhel centos fedora" }, true)).toBe("x86_64-redhat-linux");
    expect(multiarchFor("x64", { ID: "alpine" }, false)).toBe("x86_64-alpine-linux-musl");
  });

  test("multiarch agrees with gcc on this machine when gcc is installed", () => {
    const gcc = Bun.which("gcc");
    if (!gcc) return; // nothing to compare with
    const { machineInfo } = require("../../../plugins/shacache/platform.ts") as typeof import("../../../plugins/shacache/platform.ts");
    expect(machineInfo().multiarch).toBe(Bun.spawnSync([gcc, "-dumpmachine"]).stdout.toString().trim());
  });

  test("compatible means same multiarch and a matching OS", () => {
    const machine = { multiarch: "x86_64-linux-gnu", os: ["debian", "12", "bookworm"] as [string, string, string] };
    expect(isCompatible(machine, "x86_64-linux-gnu", ["debian", "12.4", ""])).toBe(true);
    expect(isCompatible(machine, "aarch64-linux-gnu", ["debian", "12", ""])).toBe(false);
    expect(isCompatible(machine, "x86_64-linux-gnu", ["debian", "11", ""])).toBe(false);
    expect(isCompatible(machine, "x86_64-linux-gnu", "debian")).toBe(false);
  });
});

describe("prettytable", () => {
  test("the reference's cachelookup url table, line for line", () => {
    const lines = prettyTable(
      ["url", "sha512", "signed"],
      [
        [
          "https://ftp.gnu.org/gnu/aspell/aspell-0.60.7.tar.gz",
          "6f5fcd1c29164ee18f205594b66f382b51d19b17686293a931ca92c1442d3f7228627ca7d604d860551d0d367ac34dfb2ae34170a844f51e84e390fb1edc4535",
          "True",
        ],
      ],
    );
    expect(lines[1]).toBe(
      "                         url                                                                                      sha512                                                              signed ",
    );
    expect(lines[3]).toBe(
      " https://ftp.gnu.org/gnu/aspell/aspell-0.60.7.tar.gz 6f5fcd1c29164ee18f205594b66f382b51d19b17686293a931ca92c1442d3f7228627ca7d604d860551d0d367ac34dfb2ae34170a844f51e84e390fb1edc4535  True  ",
    );
    expect(lines[0]).toBe("-".repeat(lines[1]!.length));
    expect(lines).toHaveLength(5);
  });

  test("the reference's cachelookup binary-sr rows", () => {
    const lines = prettyTable(
      ["multiarch", "distribution", "version", "id", "compatible?", "verified?"],
      [
        ["x86_64-linux-gnu", "CentOS Linux", "7.5.1804", "Core", "no", "no"],
        ["x86_64-linux-gnu", "Ubuntu", "18.04", "bionic", "no", "no"],
        ["x86_64-linux-gnu", "debian", "8.10", "", "yes", "no"],
      ],
    );
    expect(lines).toEqual([
      "---------------------------------------------------------------------",
      "    multiarch     distribution version    id   compatible? verified? ",
      "---------------------------------------------------------------------",
      " x86_64-linux-gnu CentOS Linux 7.5.1804  Core       no         no    ",
      " x86_64-linux-gnu    Ubuntu     18.04   bionic      no         no    ",
      " x86_64-linux-gnu    debian      8.10              yes         no    ",
      "---------------------------------------------------------------------",
    ]);
  });
});
