/**
 * The binary cache as `node software` uses it, through the hooks and the
 * built-in plugin: lookup verdicts, tryBinaryDownload / uploadAfterBuild
 * round trips, blacklists, forced URLs, retries, and the buildout shape.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tryBinaryDownload, uploadAfterBuild } from "../../../core/node/software/binary-cache.ts";
import type { SoftwareJob } from "../../../core/hooks/groups/software.ts";
import { NetworkcacheClient } from "../../../plugins/shacache/client.ts";
import { machineInfo } from "../../../plugins/shacache/platform.ts";
import { createTarGz } from "../../../core/archive/tar/create.ts";
import { certificateList, hostFor, makeSigner, startServer, tempDir, writeConfig } from "./fixture.ts";

const dir = tempDir();
const alice = makeSigner(dir, "alice");
const mallory = makeSigner(dir, "mallory");
let failPosts = 0;
const server = startServer(join(dir, "server"), {
  extend(app) {
    app.use("*", async (c, next) => {
      if (c.req.method === "POST" && failPosts > 0) {
        failPosts--;
        return c.text("busy", 503);
      }
      await next();
    });
  },
});
afterAll(() => server.stop());

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const machine = machineInfo();
let roots = 0;

function job(url: string, softwareRoot = join(dir, `root-${roots++}`)): SoftwareJob {
  mkdirSync(softwareRoot, { recursive: true });
  return { url, hash: md5(url), path: join(softwareRoot, md5(url)), requestedState: "available" };
}

const download = { "download-binary-cache-url": server.cacheUrl, "download-binary-dir-url": server.dirUrl };
const upload = { "upload-binary-cache-url": server.cacheUrl, "upload-binary-dir-url": server.dirUrl };
const trust = { "signature-certificate-list": certificateList(alice) };
const signing = { "signature-private-key-file": alice.key };

function writer(key = alice, trusted = alice) {
  return new NetworkcacheClient({
    downloadCacheUrl: server.cacheUrl,
    downloadDirUrl: server.dirUrl,
    uploadCacheUrl: server.cacheUrl,
    uploadDirUrl: server.dirUrl,
    signaturePrivateKeyFile: key?.key,
    signatureCertificateList: trusted.pem,
  });
}
const unsigned = new NetworkcacheClient({ uploadCacheUrl: server.cacheUrl, uploadDirUrl: server.dirUrl });

/** A software folder, archived as the cache holds it; returns the tarball's path. */
async function releaseTarball(hash: string, marker: string): Promise<string> {
  const src = join(dir, `src-${marker}`, hash);
  mkdirSync(join(src, "bin"), { recursive: true });
  writeFileSync(join(src, "bin", "marker"), marker);
  await createTarGz(src, join(dir, `${marker}.tar.gz`), hash);
  return join(dir, `${marker}.tar.gz`);
}

describe("lookup", () => {
  test("each entry comes back in server order with its signature and compatibility verdicts", async () => {
    const key = md5("http://example.org/lookup/software.cfg");
    const meta = { software_url: "http://example.org/lookup/software.cfg", software_root: "/opt/slapgrid" };
    const compatible = { multiarch: machine.multiarch, os: [...machine.os] };
    const blob = join(dir, "lookup-blob");
    writeFileSync(blob, "x");
    await writer().upload(blob, key, { ...meta, ...compatible });
    await unsigned.upload(blob, key, { ...meta, ...compatible, note: "unsigned" });
    await writer(mallory, mallory).upload(blob, key, { ...meta, ...compatible, note: "mallory" });
    await writer().upload(blob, key, { ...meta, multiarch: "sparc64-linux-gnu", os: [...machine.os] });
    await writer().upload(blob, key, { ...meta, multiarch: machine.multiarch, os: ["plan9", "4", "bell"] });
    const signedEntry = JSON.parse(readFileSync(join(dir, "server", "dir", key), "utf8"))[0] as [string, string];
    // Tampered: the text changed after signing.
    await fetch(`${server.dirUrl}/${key}`, { method: "PUT", body: JSON.stringify([signedEntry[0].replace("/opt/slapgrid", "/opt/evil"), signedEntry[1]]) });

    const host = await hostFor(writeConfig(dir, { ...download, ...trust }));
    const entries = await host.hooks.binaryCache.lookup.promise({ kind: "software", key, url: meta.software_url });
    expect(entries!.map((e) => [e.verified, e.compatible])).toEqual([
      [true, true],
      [false, true],
      [false, true],
      [true, false],
      [true, false],
      [false, true],
    ]);
    expect(entries![0]!.metadata.software_root).toBe("/opt/slapgrid");
  });

  test("an unknown key is an error with code not-found", async () => {
    const host = await hostFor(writeConfig(dir, { ...download, ...trust }));
    await expect(host.hooks.binaryCache.lookup.promise({ kind: "software", key: md5("nothing"), url: "nothing" })).rejects.toMatchObject({
      code: "not-found",
    });
  });
});

describe("tryBinaryDownload", () => {
  test("installs the first signed, compatible entry, skipping unsigned, untrusted and incompatible ones", async () => {
    const target = job("http://example.org/pick/software.cfg");
    const meta = { software_url: target.url, software_root: "/opt/slapgrid", multiarch: machine.multiarch, os: [...machine.os] };
    await unsigned.upload(await releaseTarball(target.hash, "unsigned"), target.hash, meta);
    await writer(mallory, mallory).upload(await releaseTarball(target.hash, "mallory"), target.hash, meta);
    await writer().upload(await releaseTarball(target.hash, "other-arch"), target.hash, { ...meta, multiarch: "sparc64-linux-gnu" });
    await writer().upload(await releaseTarball(target.hash, "good"), target.hash, meta);
    const host = await hostFor(writeConfig(dir, { ...download, ...trust }));
    expect(await tryBinaryDownload(host.hooks.binaryCache, target)).toBe(true);
    expect(readFileSync(join(target.path, "bin", "marker"), "utf8")).toBe("good");
    // Nothing else left in the software root: no tarball, no staging folder.
    expect(readdirSync(join(target.path, ".."))).toEqual([target.hash]);
  });

  test("without a certificate list nothing is trusted and nothing is installed", async () => {
    const target = job("http://example.org/pick/software.cfg");
    const host = await hostFor(writeConfig(dir, download));
    expect(await tryBinaryDownload(host.hooks.binaryCache, target)).toBe(false);
    expect(readdirSync(join(target.path, ".."))).toEqual([]);
  });

  test("a URL on the download blacklist (or the old binary-cache-url-blacklist) is never fetched", async () => {
    const target = job("http://example.org/pick/software.cfg");
    for (const option of ["download-from-binary-cache-url-blacklist", "binary-cache-url-blacklist"]) {
      const host = await hostFor(writeConfig(dir, { ...download, ...trust, [option]: "  http://other.org/\n  http://example.org/pick/" }));
      expect(await tryBinaryDownload(host.hooks.binaryCache, target)).toBe(false);
      expect(existsSync(target.path)).toBe(false);
    }
  });

  test("a release over download-max-size is not installed", async () => {
    const target = job("http://example.org/pick/software.cfg");
    const host = await hostFor(writeConfig(dir, { ...download, ...trust, "download-max-size": "100" }));
    expect(await tryBinaryDownload(host.hooks.binaryCache, target)).toBe(false);
    expect(readdirSync(join(target.path, ".."))).toEqual([]);
  });

  test("a bad download-max-size is a one-line configuration error", async () => {
    const host = await hostFor(writeConfig(dir, { ...download, ...trust, "download-max-size": "lots" }));
    await expect(host.hooks.binaryCache.lookup.promise({ kind: "software", url: "http://example.org/x" })).rejects.toThrow(
      '[networkcache] download-max-size must be a size such as 500M, not "lots"',
    );
  });

  test("an existing software folder is left to buildout", async () => {
    const target = job("http://example.org/pick/software.cfg");
    mkdirSync(target.path);
    const host = await hostFor(writeConfig(dir, { ...download, ...trust }));
    expect(await tryBinaryDownload(host.hooks.binaryCache, target)).toBe(false);
    expect(readdirSync(target.path)).toEqual([]);
  });

  test("a forced URL is never built: an existing folder or a failed download is an error", async () => {
    const config = writeConfig(dir, { ...download, ...trust, "download-from-binary-cache-force-url-list": "  http://example.org/forced/" });
    const host = await hostFor(config);
    const missing = job("http://example.org/forced/software.cfg");
    await expect(tryBinaryDownload(host.hooks.binaryCache, missing)).rejects.toMatchObject({
      code: "buildout",
      message: "Binary cache forced for 'http://example.org/forced/software.cfg', but failed to download, will retry again",
    });
    const present = job("http://example.org/forced/software.cfg");
    mkdirSync(present.path);
    await expect(tryBinaryDownload(host.hooks.binaryCache, present)).rejects.toThrow(
      `Binary cache forced for 'http://example.org/forced/software.cfg', but directory ${present.path} already exists, will retry again`,
    );
  });

  test("an archive that escapes its folder is refused and the release is built instead", async () => {
    const target = job("http://example.org/unsafe/software.cfg");
    const src = join(dir, "unsafe-src", target.hash);
    mkdirSync(src, { recursive: true });
    const { symlinkSync } = await import("node:fs");
    symlinkSync("/etc", join(src, "etc"));
    await createTarGz(src, join(dir, "unsafe.tar.gz"), target.hash);
    await writer().upload(join(dir, "unsafe.tar.gz"), target.hash, {
      software_url: target.url,
      software_root: "/opt/slapgrid",
      multiarch: machine.multiarch,
      os: [...machine.os],
    });
    const host = await hostFor(writeConfig(dir, { ...download, ...trust }));
    expect(await tryBinaryDownload(host.hooks.binaryCache, target)).toBe(false);
    expect(readdirSync(join(target.path, ".."))).toEqual([]);
  });
});

describe("uploadAfterBuild", () => {
  function built(url: string): SoftwareJob {
    const target = job(url);
    mkdirSync(join(target.path, "parts", "app"), { recursive: true });
    writeFileSync(join(target.path, "parts", "app", "binary"), "compiled", { mode: 0o755 });
    writeFileSync(join(target.path, "buildout.cfg"), `[buildout]\nextends = ${url}\n`);
    return target;
  }

  test("round trip: one node uploads its build, another installs it from the cache", async () => {
    const source = built("http://example.org/roundtrip/software.cfg");
    const builder = await hostFor(writeConfig(dir, { ...upload, ...signing, ...trust }));
    expect(await uploadAfterBuild(builder.hooks.binaryCache, source)).toBe(true);

    const entry = JSON.parse(JSON.parse(readFileSync(join(dir, "server", "dir", source.hash), "utf8"))[0][0]);
    expect(Object.keys(entry)).toEqual(["sha512", "software_url", "software_root", "multiarch", "os"]);
    expect(entry.software_root).toBe(join(source.path, ".."));
    expect(entry.os).toEqual([...machine.os]);

    const other = job(source.url);
    const node = await hostFor(writeConfig(dir, { ...download, ...trust }));
    expect(await tryBinaryDownload(node.hooks.binaryCache, other)).toBe(true);
    expect(Bun.spawnSync(["diff", "-r", source.path, other.path]).exitCode).toBe(0);
    expect(readdirSync(join(source.path, ".."))).toEqual([source.hash]);
  });

  test("nothing is uploaded without upload URLs, with a .shared marker, or for a blacklisted URL", async () => {
    const plain = built("http://example.org/noupload/software.cfg");
    const none = await hostFor(writeConfig(dir, { ...download, ...signing, ...trust }));
    expect(await uploadAfterBuild(none.hooks.binaryCache, plain)).toBe(false);

    const shared = built("http://example.org/shared/software.cfg");
    writeFileSync(join(shared.path, ".shared"), "");
    const host = await hostFor(writeConfig(dir, { ...upload, ...signing, ...trust, "upload-to-binary-cache-url-blacklist": "  /\n  http://example.org/black" }));
    expect(await uploadAfterBuild(host.hooks.binaryCache, shared)).toBe(false);
    const black = built("http://example.org/blacklisted/software.cfg");
    expect(await uploadAfterBuild(host.hooks.binaryCache, black)).toBe(false);
    for (const hash of [plain.hash, shared.hash, black.hash]) expect(existsSync(join(dir, "server", "dir", hash))).toBe(false);
  });

  test("a signing key without its certificate in the list is a configuration error: no attempt, no retry", async () => {
    const orphan = built("http://example.org/orphan-key/software.cfg");
    const host = await hostFor(writeConfig(dir, { ...upload, "signature-private-key-file": mallory.key, ...trust, "upload-binary-retry-delay": "3600" }));
    expect(await uploadAfterBuild(host.hooks.binaryCache, orphan)).toBe(false);
    expect(existsSync(join(dir, "server", "dir", orphan.hash))).toBe(false);
  });

  test("a failed attempt is retried after the configured delay, up to upload-binary-attempts", async () => {
    const retried = built("http://example.org/retry/software.cfg");
    const config = { ...upload, ...signing, ...trust, "upload-binary-retry-delay": "0" };
    failPosts = 2;
    const host = await hostFor(writeConfig(dir, config));
    expect(await uploadAfterBuild(host.hooks.binaryCache, retried)).toBe(true);
    expect(failPosts).toBe(0);

    const abandoned = built("http://example.org/abandon/software.cfg");
    failPosts = 2;
    const twice = await hostFor(writeConfig(dir, { ...config, "upload-binary-attempts": "2" }));
    expect(await uploadAfterBuild(twice.hooks.binaryCache, abandoned)).toBe(false);
    expect(failPosts).toBe(0);
    failPosts = 0;
    expect(readdirSync(join(abandoned.path, ".."))).toEqual([abandoned.hash]);
  });
});

describe("files by URL (slapos.recipe.build:download's shape)", () => {
  test("a file uploaded under file-urlmd5:<md5(url)> comes back only for that URL and md5sum", async () => {
    const url = "http://example.org/src/tool-1.0.tar.gz";
    const file = join(dir, "tool-1.0.tar.gz");
    writeFileSync(file, "tool source");
    const config = writeConfig(dir, {
      "download-cache-url": server.cacheUrl,
      "download-dir-url": server.dirUrl,
      "upload-cache-url": server.cacheUrl,
      "upload-dir-url": server.dirUrl,
      ...signing,
      ...trust,
    });
    const host = await hostFor(config);
    const cache = host.hooks.binaryCache;
    expect(await cache.shouldUpload.promise({ url, path: file })).toBe(true);
    expect(await cache.upload.promise({ url, path: file })).toBe(true);
    expect(existsSync(join(dir, "server", "dir", `file-urlmd5:${md5(url)}`))).toBe(true);

    const good = await cache.download.promise({ url, md5sum: md5("tool source"), destination: join(dir, "fetched") });
    expect(good?.path).toBe(join(dir, "fetched"));
    expect(readFileSync(join(dir, "fetched"), "utf8")).toBe("tool source");
    expect(await cache.download.promise({ url, md5sum: md5("other"), destination: join(dir, "fetched-2") })).toBeNull();
    expect(existsSync(join(dir, "fetched-2"))).toBe(false);
    expect(await cache.download.promise({ url: `${url}?v=2`, key: `file-urlmd5:${md5(url)}`, destination: join(dir, "fetched-3") })).toBeNull();
  });
});
