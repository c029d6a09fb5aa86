import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configurationPath } from "../../../core/config/discover.ts";
import { mergeOptions, SLAPOS_DEFAULTS } from "../../../core/config/defaults.ts";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { SlapError } from "../../../core/errors.ts";
import { tempDir } from "../../helpers/tmp.ts";

// Expected results were produced by Python's configparser (configparser-cases.py beside this file).
const fixtures = JSON.parse(readFileSync(join(import.meta.dir, "configparser-cases.json"), "utf8")) as {
  cases: Record<string, string>;
  errors: Record<string, string>;
  expected: Record<string, Record<string, Record<string, string>> | { error: string }>;
};

function read(text: string): Record<string, Record<string, string>> {
  const config = SlapConfig.parse(text, "test.cfg");
  return Object.fromEntries(config.sections().map((s) => [s, config.items(s)]));
}

describe("slapos.cfg is read exactly as Python's ConfigParser reads it", () => {
  for (const [name, text] of Object.entries(fixtures.cases)) {
    test(name, () => expect(read(text)).toEqual(fixtures.expected[name] as Record<string, Record<string, string>>));
  }
  for (const [name, text] of Object.entries(fixtures.errors)) {
    test(`refuses: ${name} (Python: ${(fixtures.expected[name] as { error: string }).error})`, () => {
      expect(() => read(text)).toThrow(SlapError);
    });
  }
});

describe("errors name the file, the line and the problem on one line", () => {
  test("a duplicate section", () => {
    expect(() => SlapConfig.parse("[s]\nx=1\n[s]\n", "/etc/slapos.cfg")).toThrow("/etc/slapos.cfg:3: section 's' already exists");
  });
  test("a line that is not an option", () => {
    expect(() => SlapConfig.parse("[s]\njust words\n", "a.cfg")).toThrow('a.cfg:2: cannot parse line: "just words"');
  });
  test("text before any section", () => {
    expect(() => SlapConfig.parse("x = 1\n", "a.cfg")).toThrow("a.cfg:1: file contains no section headers");
  });
  test("a missing file", () => {
    expect(() => SlapConfig.load("/nonexistent/slapos.cfg")).toThrow("Configuration file does not exist: /nonexistent/slapos.cfg");
  });
  test("a bad interpolation names section and option", () => {
    const config = SlapConfig.parse("[slapos]\nx = %(nope)s\n", "a.cfg");
    expect(() => config.get("slapos", "x")).toThrow("a.cfg: [slapos] x: bad interpolation reference %(nope)s");
  });
});

describe("writing back", () => {
  test("uses ConfigParser's layout: TAB-indented continuation lines", () => {
    const config = SlapConfig.parse("[a]\nx = 1\nl =\n  p\n  q\n");
    expect(config.toString()).toBe("[a]\nx = 1\nl = \n\tp\n\tq\n\n");
    expect(read(config.toString())).toEqual({ a: { x: "1", l: "\np\nq" } });
  });
});

describe("where the configuration is found", () => {
  test("--cfg wins over the environment", () => {
    expect(configurationPath("node", "/x/a.cfg", { SLAPOS_CONFIGURATION: "/y/b.cfg" })).toBe("/x/a.cfg");
  });
  test("node commands use SLAPOS_CONFIGURATION, then /etc/opt/slapos/slapos.cfg", () => {
    expect(configurationPath("node", undefined, { SLAPOS_CONFIGURATION: "/y/b.cfg" })).toBe("/y/b.cfg");
    expect(configurationPath("node", undefined, {})).toBe("/etc/opt/slapos/slapos.cfg");
  });
  test("client commands use SLAPOS_CLIENT_CONFIGURATION, then ~/.slapos/slapos-client.cfg", () => {
    expect(configurationPath("client", undefined, { SLAPOS_CLIENT_CONFIGURATION: "/c.cfg" })).toBe("/c.cfg");
    expect(configurationPath("client", undefined, {})).toBe(join(process.env.HOME!, ".slapos/slapos-client.cfg"));
  });
});

describe("option merge: command line > file > defaults", () => {
  test("each layer overrides the one below, and unset CLI values do not", () => {
    const dir = tempDir();
    const path = join(dir, "slapos.cfg");
    writeFileSync(path, "[slapos]\npromise_timeout = 5\nroot_check = false\n[networkcache]\nx = 1\n");
    const config = SlapConfig.load(path);
    const merged = mergeOptions(SLAPOS_DEFAULTS, config, ["slapos", "networkcache"], { "promise-timeout": 30, now: undefined });
    expect(merged.promise_timeout).toBe(30);
    expect(merged.root_check).toBe("false");
    expect(merged.pidfile_software).toBe("/opt/slapos/slapgrid-sr.pid");
    expect(merged.x).toBe("1");
    expect("now" in merged).toBe(false);
  });
});
