/**
 * plugins/examples/folder-cache.ts, loaded into the compiled binary through
 * `[slapos] plugin_list`: `slapos cache lookup` lists what the folder holds,
 * a buildout download is served from the folder while its URL is
 * unreachable, a software release is installed from it by `node software`,
 * and keys the folder lacks are left to the built-in network cache.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { log } from "../../../core/log/logger.ts";
import { BINARY, ROOT, slapos, startSlapos } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";

const PLUGIN = join(ROOT, "plugins/examples/folder-cache.ts");
const md5 = (text: string | Buffer) => createHash("md5").update(text).digest("hex");
const SOFTWARE = "http://software.example/hello/software.cfg";
const ARCHIVE_URL = "http://127.0.0.1:1/sources/tool-1.0.tar.gz"; // nothing listens there
const ARCHIVE = "the archive's bytes\n";

const dir = tempDir();
const cacheDir = join(dir, "cache");
const cfg = join(dir, "slapos.cfg");

/** The plugin's own upload, through a real plugin host: what a node that built the release would have stored. */
async function seed(): Promise<void> {
  writeFileSync(cfg, `[slapos]\nplugin_list = ${PLUGIN}\n\n[plugin:folder-cache]\ndirectory = ${cacheDir}\nupload = true\n`);
  const config = SlapConfig.load(cfg);
  const host = new PluginHost();
  await host.loadFile(PLUGIN);
  await host.applyAll((loaded) => ({ config, options: config.items(`plugin:${loaded.plugin.name}`), log, source: loaded.source, command: "test" }));
  const built = join(dir, "built-soft", md5(SOFTWARE));
  mkdirSync(join(built, "bin"), { recursive: true });
  writeFileSync(join(built, "bin", "hello"), "#!/bin/sh\necho hello\n");
  writeFileSync(join(built, ".completed"), "done");
  expect(await host.hooks.binaryCache.upload.promise({ kind: "software", url: SOFTWARE, path: built, softwareRoot: join(dir, "built-soft") })).toBe(true);
  const file = join(dir, "tool-1.0.tar.gz");
  writeFileSync(file, ARCHIVE);
  expect(await host.hooks.binaryCache.upload.promise({ kind: "url", url: ARCHIVE_URL, path: file })).toBe(true);
}

const messages = (stderr: string) => stderr.split("\n").filter(Boolean).map((line) => line.replace(/^.*?slapos(\.[\w-]+)?\[\d+\] [A-Z]+ /, ""));

beforeAll(seed);

describe("folder-cache example plugin, in the compiled binary", () => {
  test("the folder holds a blob and an entry per key", () => {
    expect(readdirSync(join(cacheDir, "entries")).sort()).toEqual([`${md5(SOFTWARE)}.json`, `${encodeURIComponent(`file-urlmd5:${md5(ARCHIVE_URL)}`)}.json`].sort());
    expect(readdirSync(join(cacheDir, "blobs"))).toHaveLength(2);
  });

  test("slapos cache lookup lists the folder's entry: compatible, verified", async () => {
    const r = await slapos(["cache", "lookup", SOFTWARE, "--cfg", cfg]);
    expect(r.code).toBe(0);
    const lines = messages(r.stderr);
    expect(lines.slice(0, 2)).toEqual([`Software URL: ${SOFTWARE}`, `MD5:          ${md5(SOFTWARE)}`]);
    const row = lines[5].trim().split(/ +/);
    expect(row[0]).toBe(`${process.arch}-${process.platform}`);
    expect(row.slice(-2)).toEqual(["yes", "yes"]);
    expect(r.stdout).toBe("");
  });

  test("slapos plugin list shows it tapping the cache hooks", async () => {
    const r = await slapos(["plugin", "list", "--cfg", cfg]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("folder-cache");
    expect(r.stdout).toContain("binaryCache.download");
  });

  test("a buildout download whose URL is unreachable is served from the folder", async () => {
    const work = tempDir();
    const profile = join(work, "buildout.cfg");
    writeFileSync(
      profile,
      `[buildout]\nparts = tool\n\n[tool]\nrecipe = slapos.recipe.build:download\nurl = ${ARCHIVE_URL}\nmd5sum = ${md5(ARCHIVE)}\n`,
    );
    const r = await slapos(["--cfg", cfg, "buildout", "-c", profile], { cwd: work });
    expect(r.stderr).toContain(`${ARCHIVE_URL} served from ${cacheDir}`);
    expect(r.code).toBe(0);
    const parts = readdirSync(join(work, "parts", "tool"));
    expect(parts).toHaveLength(1);
    expect(readFileSync(join(work, "parts", "tool", parts[0]), "utf8")).toBe(ARCHIVE);
  });

  test("a key the folder does not have is left to the built-in cache", async () => {
    const r = await slapos(["cache", "lookup", "http://software.example/other.cfg", "--cfg", cfg]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr).join("\n")).not.toContain("Software URL:");
  });
});

const hasNodeSoftware = Bun.spawnSync([BINARY, "help", "node", "software"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

let master: ReturnType<typeof startSlapos> | undefined;
afterAll(async () => {
  master?.kill("SIGTERM");
  await master?.exited;
});

describe.skipIf(!hasNodeSoftware)("node software takes the release from the folder", () => {
  test("the release is unpacked from the folder's archive, no buildout runs", async () => {
    const node = tempDir();
    const port = await freePort();
    const masterCfg = join(node, "master.cfg");
    writeFileSync(masterCfg, `[slapos]\ncomputer_id = COMP-CACHE\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${join(node, "m.db")}\n`);
    master = startSlapos(["proxy", "start", "--cfg", masterCfg]);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/getRunId`)).ok, 30, "master");
    const { SlapClient } = await import("../../../core/slap/client.ts");
    await new SlapClient({ masterUrl: url }).supply(SOFTWARE, "COMP-CACHE");
    const nodeCfg = join(node, "slapos.cfg");
    writeFileSync(
      nodeCfg,
      [
        "[slapos]",
        "computer_id = COMP-CACHE",
        `master_url = ${url}`,
        `software_root = ${join(node, "soft")}`,
        `instance_root = ${join(node, "inst")}`,
        "root_check = False",
        `pidfile_software = ${join(node, "sr.pid")}`,
        `plugin_list = ${PLUGIN}`,
        "[plugin:folder-cache]",
        `directory = ${cacheDir}`,
        "",
      ].join("\n"),
    );
    mkdirSync(join(node, "soft"));
    mkdirSync(join(node, "inst"));
    const r = await slapos(["node", "software", "--now", "--cfg", nodeCfg]);
    expect(r.stderr).toContain(`${SOFTWARE} served from ${cacheDir}`);
    expect(readFileSync(join(node, "soft", md5(SOFTWARE), "bin", "hello"), "utf8")).toBe("#!/bin/sh\necho hello\n");
    expect(existsSync(join(node, "soft", md5(SOFTWARE), ".completed"))).toBe(true);
  });
});
