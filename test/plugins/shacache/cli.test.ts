/**
 * Through the compiled binary (run installer/build first): `slapos cache
 * lookup`, `cachelookup binary-sr|url|pypi`, and a plugin file named by
 * `[slapos] plugin_list` replacing the built-in cache backend.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { tryBinaryDownload } from "../../../core/node/software/binary-cache.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { log } from "../../../core/log/logger.ts";
import shacachePlugin from "../../../plugins/shacache/index.ts";
import { NetworkcacheClient } from "../../../plugins/shacache/client.ts";
import { machineInfo } from "../../../plugins/shacache/platform.ts";
import { slapos } from "../../helpers/binary.ts";
import { certificateList, makeSigner, startServer, tempDir, writeConfig } from "./fixture.ts";

const dir = tempDir();
const alice = makeSigner(dir, "alice");
const mallory = makeSigner(dir, "mallory");
const server = startServer(join(dir, "server"));
afterAll(() => server.stop());

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const machine = machineInfo();
const url = "http://example.org/cli/software.cfg";
const blob = join(dir, "blob");
writeFileSync(blob, "archive");

const signed = (key = alice) =>
  new NetworkcacheClient({
    downloadCacheUrl: server.cacheUrl,
    downloadDirUrl: server.dirUrl,
    uploadCacheUrl: server.cacheUrl,
    uploadDirUrl: server.dirUrl,
    signaturePrivateKeyFile: key.key,
    signatureCertificateList: key.pem,
  });

const ready = (async () => {
  const meta = { software_url: url, software_root: "/opt/slapgrid" };
  await signed().upload(blob, md5(url), { ...meta, multiarch: "x86_64-linux-gnu", os: ["Ubuntu", "18.04", "bionic"] });
  await signed(mallory).upload(blob, md5(url), { ...meta, multiarch: machine.multiarch, os: [...machine.os] });
  await signed().upload(blob, md5(url), { ...meta, multiarch: machine.multiarch, os: [...machine.os] });
  await signed().upload(blob, `file-urlmd5:${md5("http://example.org/src/a.tar.gz")}`, { url: "http://example.org/src/a.tar.gz" });
  await signed().upload(blob, "pypi:pytz=2016.10", { basename: "pytz-2016.10-py2.7.egg" });
})();

const config = writeConfig(dir, {
  "download-binary-cache-url": server.cacheUrl,
  "download-binary-dir-url": server.dirUrl,
  "download-cache-url": server.cacheUrl,
  "download-dir-url": server.dirUrl,
  "signature-certificate-list": certificateList(alice),
});

/** The messages of INFO/CRITICAL log lines, without the `date slapos[pid] LEVEL ` prefix. */
function messages(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter(Boolean)
    .map((line) => line.replace(/^.*?slapos\[\d+\] [A-Z]+ /, ""));
}

describe("cache lookup / cachelookup binary-sr", () => {
  test("prints the software URL, the md5 and the sorted table with compatible? and verified?", async () => {
    await ready;
    const r = await slapos(["cache", "lookup", url, "--cfg", config]);
    expect(r.code).toBe(0);
    const [os0, os1, os2] = machine.os;
    const lines = messages(r.stderr);
    expect(lines.slice(0, 2)).toEqual([`Software URL: ${url}`, `MD5:          ${md5(url)}`]);
    const table = lines.slice(2);
    expect(table[1]).toMatch(/^ +multiarch +distribution +version +id +compatible\? verified\? $/);
    // Rows sorted by (multiarch, os, verified): mallory's unverified copy before the trusted one.
    const rows = table.slice(3, -1).map((row) => row.trim().split(/ +/));
    const local = [machine.multiarch, os0, os1, os2].filter(Boolean);
    const expected = [
      [machine.multiarch, ...local.slice(1), "yes", "no"],
      [machine.multiarch, ...local.slice(1), "yes", "yes"],
      ["x86_64-linux-gnu", "Ubuntu", "18.04", "bionic", "no", "yes"],
    ].sort((a, b) => {
      // Python's tuple order: element by element.
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
      return 0;
    });
    expect(rows).toEqual(expected);
    expect(table[0]).toBe("-".repeat(table[1]!.length));
  });

  test("cachelookup binary-sr takes the md5 as well and prints the same table", async () => {
    await ready;
    const byUrl = await slapos(["cache", "lookup", url, "--cfg", config]);
    const byMd5 = await slapos(["cachelookup", "binary-sr", md5(url), "--cfg", config]);
    expect(byMd5.code).toBe(0);
    expect(messages(byMd5.stderr).slice(1)).toEqual(messages(byUrl.stderr).slice(1));
  });

  test("an unknown release exits 1 with the reference's message", async () => {
    const r = await slapos(["cache", "lookup", "http://example.org/unknown.cfg", "--cfg", config]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toEqual(["Software release not found in binary cache: http://example.org/unknown.cfg"]);
  });
});

describe("cachelookup url / pypi", () => {
  test("url: the SHADIR URL on the log, the table on stdout", async () => {
    await ready;
    const r = await slapos(["cachelookup", "url", "http://example.org/src/a.tar.gz", "--cfg", config]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toEqual([
      "Software source URL: http://example.org/src/a.tar.gz",
      `SHADIR URL: ${server.dirUrl}/file-urlmd5:${md5("http://example.org/src/a.tar.gz")}`,
    ]);
    const sha = createHash("sha512").update("archive").digest("hex");
    const lines = r.stdout.split("\n");
    expect(lines[1]).toMatch(/^ +url +sha512 +signed $/);
    expect(lines[3]).toBe(` http://example.org/src/a.tar.gz ${sha}  True  `);
  });

  test("pypi: basename, sha512 and signed", async () => {
    await ready;
    const r = await slapos(["cachelookup", "pypi", "pytz", "2016.10", "--cfg", config]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)[0]).toBe("Python egg pytz version 2016.10");
    expect(r.stdout.split("\n")[3]).toStartWith(" pytz-2016.10-py2.7.egg ");
  });

  test("an unknown object exits 1", async () => {
    const r = await slapos(["cachelookup", "pypi", "nothing", "0", "--cfg", config]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toEqual(["Object not found in cache."]);
  });
});

describe("a plugin file replaces the built-in backend", () => {
  const pluginFile = join(dir, "acme-cache.ts");
  writeFileSync(
    pluginFile,
    `import { copyFileSync } from "node:fs";
export default {
  name: "acme-cache", version: "1.0.0", apiVersion: "^1.0.0",
  apply(hooks, ctx) {
    const archive = ctx.options.archive;
    hooks.binaryCache.lookup.tapPromise("acme-cache", async (query) => [{
      sha512: "acme", entry: "{}", signature: "", verified: true, compatible: true,
      metadata: { software_url: "acme://" + query.key, multiarch: "acme-arch", os: ["acmeos", "1", "roadrunner"] },
    }]);
    hooks.binaryCache.download.tapPromise("acme-cache", async (input) => {
      copyFileSync(archive, input.destination);
      return { path: input.destination, sha512: "acme", size: 0 };
    });
  },
};
`,
  );
  const withPlugin = writeConfig(
    dir,
    {
      "download-binary-cache-url": server.cacheUrl,
      "download-binary-dir-url": server.dirUrl,
      "signature-certificate-list": certificateList(alice),
    },
    `\n[plugin:acme-cache]\narchive = ${join(dir, "acme.tar.gz")}\n`,
  );
  // plugin_list goes in [slapos].
  writeFileSync(withPlugin, readFileSync(withPlugin, "utf8").replace("[slapos]\n", `[slapos]\nplugin_list = ${pluginFile}\n`));

  test("cache lookup answers from the plugin, through the compiled binary", async () => {
    const r = await slapos(["cache", "lookup", url, "--cfg", withPlugin]);
    expect(r.code).toBe(0);
    const lines = messages(r.stderr);
    expect(lines[0]).toBe(`Software URL: acme://${md5(url)}`);
    expect(lines[5]).toBe(" acme-arch    acmeos       1    roadrunner     yes        yes    ");
  });

  test("node software's binary download takes the plugin's archive", async () => {
    const h = md5(url);
    const src = join(dir, "acme-src", h);
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, "from"), "acme");
    const { createTarGz } = await import("../../../core/archive/tar/create.ts");
    await createTarGz(src, join(dir, "acme.tar.gz"), h);
    // The loader the binary uses: built-ins first, then plugin_list files.
    const host = new PluginHost();
    host.add(shacachePlugin);
    const cfg = SlapConfig.load(withPlugin);
    await host.loadFile(pluginFile);
    await host.applyAll((loaded) => ({
      config: cfg,
      options: cfg.items(`plugin:${loaded.plugin.name}`),
      log,
      source: loaded.source,
      command: "node software",
    }));
    const root = join(dir, "acme-root");
    mkdirSync(root);
    expect(await tryBinaryDownload(host.hooks.binaryCache, { url, hash: h, path: join(root, h), requestedState: "available" })).toBe(true);
    expect(readFileSync(join(root, h, "from"), "utf8")).toBe("acme");
  });
});
