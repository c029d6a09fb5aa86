import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../../core/version.ts";
import { slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";

const dir = tempDir();
const emptyCfg = join(dir, "empty.cfg");
writeFileSync(emptyCfg, "[slapos]\n");
const env = { SLAPOS_CONFIGURATION: emptyCfg };

/** A plugin file whose command logs one line at each level. */
const loggerPlugin = join(dir, "logger.ts");
writeFileSync(
  loggerPlugin,
  `export default { name: "logger", version: "0.0.1", apiVersion: "^1.0.0",
  commands: [{ name: "say", group: "other", summary: "log a line",
    run(ctx) { ctx.log.debug("a debug line"); ctx.log.info("an info line"); ctx.log.warning("a warning line"); } }],
  apply() {} };\n`,
);
const loggerCfg = join(dir, "logger.cfg");
writeFileSync(loggerCfg, `[slapos]\nplugin_list = ${loggerPlugin}\n`);

describe("the dispatcher", () => {
  test("--version prints the version and exits 0", async () => {
    const r = await slapos(["--version"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith(`slapos ${VERSION} (`);
  });

  test("no arguments prints the help with commands grouped, exit 0", async () => {
    const r = await slapos([], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: slapos");
    expect(r.stdout).toMatch(/other commands:\n(  .+\n)*  plugin list +list loaded plugins/);
  });

  test("an unknown command exits 5 and lists the commands", async () => {
    const r = await slapos(["no", "such"], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("the command 'no such' does not exist or is not yet implemented.");
    expect(r.stderr).toContain("plugin list");
  });

  test("an option before any command name exits 5", async () => {
    const r = await slapos(["--frobnicate", "plugin", "list"], { env });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("slapos: invalid option '--frobnicate'");
  });

  test("an unknown option of a command is a usage error, exit 2", async () => {
    const r = await slapos(["plugin", "list", "--frobnicate"], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("slapos plugin list: error: unrecognized arguments: --frobnicate");
  });

  test("per-command -h prints that command's help", async () => {
    const r = await slapos(["plugin", "list", "-h"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toStartWith("usage: slapos plugin list [-h] [--json]");
  });

  test("help COMMAND prints the same help", async () => {
    const a = await slapos(["help", "plugin", "list"], { env });
    const b = await slapos(["plugin", "list", "--help"], { env });
    expect(a.stdout).toBe(b.stdout);
  });

  test("complete prints bash and fish completion", async () => {
    expect((await slapos(["complete"], { env })).stdout).toContain("COMPREPLY");
    expect((await slapos(["complete", "--shell", "fish"], { env })).stdout).toContain("__fish_seen_subcommand_from");
  });
});

describe("global options, anywhere on the line", () => {
  test("console lines have the reference format on stderr", async () => {
    const r = await slapos(["say"], { env: { SLAPOS_CONFIGURATION: loggerCfg } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d slapos\[\d+\] INFO an info line$/m);
    expect(r.stderr).not.toContain("a debug line");
  });

  test("-v after the command shows DEBUG", async () => {
    const r = await slapos(["say", "-v"], { env: { SLAPOS_CONFIGURATION: loggerCfg } });
    expect(r.stderr).toContain("DEBUG a debug line");
  });

  test("-q shows only warnings and above", async () => {
    const r = await slapos(["-q", "say"], { env: { SLAPOS_CONFIGURATION: loggerCfg } });
    expect(r.stderr).not.toContain("an info line");
    expect(r.stderr).toContain("WARNING a warning line");
  });

  test("--log-time (abbreviated --log-t) drops the console timestamps", async () => {
    const r = await slapos(["say", "--log-t"], { env: { SLAPOS_CONFIGURATION: loggerCfg } });
    expect(r.stderr).toMatch(/^slapos\[\d+\] INFO an info line$/m);
  });

  test("--log-file gets every line at DEBUG in the file format", async () => {
    const file = join(tempDir(), "log/slapos.log");
    const r = await slapos(["--log-file", file, "say"], { env: { SLAPOS_CONFIGURATION: loggerCfg } });
    expect(r.code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] DEBUG    a debug line$/m);
  });
});

describe("configuration problems", () => {
  test("a file that does not parse: one line naming file, line and problem, exit 1", async () => {
    const bad = join(dir, "bad.cfg");
    writeFileSync(bad, "[slapos]\ncomputer_id = x\nnot an option\n");
    const r = await slapos(["plugin", "list", "--cfg", bad]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`${bad}:3: cannot parse line: "not an option"`);
  });
});
