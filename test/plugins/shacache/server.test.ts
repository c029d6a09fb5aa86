/** The shacache/shadir server: slapproxy's /shacache routes, over real HTTP on loopback. */
import { afterAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { log } from "../../../core/log/logger.ts";
import shacachePlugin, { proxyShacacheOptions } from "../../../plugins/shacache/index.ts";
import { startShacacheServer } from "../../../plugins/shacache/server/standalone.ts";
import { startServer, tempDir } from "./fixture.ts";

const dir = tempDir();
const server = startServer(join(dir, "local"), { dirMode: "replace" });
const sha512 = (data: string | Uint8Array) => createHash("sha512").update(data).digest("hex");
afterAll(() => server.stop());

describe("cache routes", () => {
  test("POST stores the body and answers its sha512 with 201; GET serves it as an attachment", async () => {
    const body = "some blob content";
    const post = await fetch(server.cacheUrl, { method: "POST", body });
    expect(post.status).toBe(201);
    expect(await post.text()).toBe(sha512(body));
    const get = await fetch(`${server.cacheUrl}/${sha512(body)}`);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-disposition")).toBe(`attachment; filename=${sha512(body)}`);
    expect(get.headers.get("accept-ranges")).toBe("bytes");
    expect(await get.text()).toBe(body);
  });

  test("POST /cache/ with a trailing slash works too", async () => {
    const post = await fetch(`${server.cacheUrl}/`, { method: "POST", body: "trailing" });
    expect(post.status).toBe(201);
    expect(await post.text()).toBe(sha512("trailing"));
  });

  test("a byte range is served with 206 and Content-Range", async () => {
    const body = "0123456789";
    await fetch(server.cacheUrl, { method: "POST", body });
    const get = await fetch(`${server.cacheUrl}/${sha512(body)}`, { headers: { Range: "bytes=4-" } });
    expect(get.status).toBe(206);
    expect(get.headers.get("content-range")).toBe("bytes 4-9/10");
    expect(await get.text()).toBe("456789");
  });

  test("PUT with the right sha512 stores; with a wrong one answers 400 Checksum mismatch and keeps nothing", async () => {
    const ok = await fetch(`${server.cacheUrl}/${sha512("put me")}`, { method: "PUT", body: "put me" });
    expect(ok.status).toBe(201);
    const before = readdirSync(join(dir, "local", "data")).length;
    const bad = await fetch(`${server.cacheUrl}/${"0".repeat(128)}`, { method: "PUT", body: "wrong" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("<p>Checksum mismatch</p>");
    expect(readdirSync(join(dir, "local", "data")).length).toBe(before);
  });

  test("an unknown blob is 404", async () => {
    expect((await fetch(`${server.cacheUrl}/${sha512("never stored")}`)).status).toBe(404);
  });

  test("names that are not sha512 are never served (no path traversal)", async () => {
    for (const name of ["..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", ".upload-1"]) {
      expect((await fetch(`${server.cacheUrl}/${name}`)).status).toBe(404);
    }
  });
});

describe("dir routes", () => {
  const entry = JSON.stringify({ sha512: "00", url: "http://example.org/a" });

  test("PUT stores [[entry, signature]] and GET returns that text", async () => {
    const put = await fetch(`${server.dirUrl}/file-urlmd5:abc`, { method: "PUT", body: JSON.stringify([entry, "sig"]) });
    expect(put.status).toBe(201);
    expect(await put.text()).toBe("");
    const text = await (await fetch(`${server.dirUrl}/file-urlmd5:abc`)).text();
    expect(text).toBe(`[[${JSON.stringify(entry)}, "sig"]]`);
  });

  test("the proxy keeps only the last PUT of a key (slapproxy's behaviour)", async () => {
    await fetch(`${server.dirUrl}/last`, { method: "PUT", body: JSON.stringify(["first", ""]) });
    await fetch(`${server.dirUrl}/last`, { method: "PUT", body: JSON.stringify(["second", ""]) });
    expect(JSON.parse(await (await fetch(`${server.dirUrl}/last`)).text())).toEqual([["second", ""]]);
  });

  test("a real shadir (accumulate mode) keeps every distinct entry of a key", async () => {
    const shadir = startServer(join(dir, "accumulate"), { dirMode: "accumulate" });
    try {
      for (const e of ["first", "second", "first"]) await fetch(`${shadir.dirUrl}/k`, { method: "PUT", body: JSON.stringify([e, ""]) });
      expect(JSON.parse(await (await fetch(`${shadir.dirUrl}/k`)).text())).toEqual([
        ["first", ""],
        ["second", ""],
      ]);
    } finally {
      await shadir.stop();
    }
  });

  test("a body that is not a two-element list is 400", async () => {
    for (const body of ["{}", '["only one"]', "not json"]) {
      expect((await fetch(`${server.dirUrl}/bad`, { method: "PUT", body })).status).toBe(400);
    }
    expect(existsSync(join(dir, "local", "dir", "bad"))).toBe(false);
  });

  test("an unknown key is 404; a key with a slash never reaches the disk", async () => {
    expect((await fetch(`${server.dirUrl}/missing`)).status).toBe(404);
    expect((await fetch(`${server.dirUrl}/..%2F..%2Fescape`, { method: "PUT", body: '["x", ""]' })).status).toBe(400);
    expect(existsSync(join(dir, "escape"))).toBe(false);
  });
});

describe("upstream and update", () => {
  test("a miss is fetched from the upstream cache and dir, checked, and kept", async () => {
    const upstream = startServer(join(dir, "upstream"));
    const local = startServer(join(dir, "downstream"), { upstreamCacheUrl: upstream.cacheUrl, upstreamDirUrl: upstream.dirUrl });
    try {
      await fetch(upstream.cacheUrl, { method: "POST", body: "from upstream" });
      await fetch(`${upstream.dirUrl}/key`, { method: "PUT", body: JSON.stringify([`{"sha512": "${sha512("from upstream")}"}`, "s"]) });
      const blob = await fetch(`${local.cacheUrl}/${sha512("from upstream")}`);
      expect(await blob.text()).toBe("from upstream");
      expect(readFileSync(join(dir, "downstream", "data", sha512("from upstream")), "utf8")).toBe("from upstream");
      const listing = await fetch(`${local.dirUrl}/key`);
      expect(listing.headers.get("content-type")).toBe("application/json");
      expect(JSON.parse(await listing.text())[0][1]).toBe("s");
      expect(existsSync(join(dir, "downstream", "dir", "key"))).toBe(true);
      expect((await fetch(`${local.dirUrl}/nowhere`)).status).toBe(404);
    } finally {
      await local.stop();
      await upstream.stop();
    }
  });

  test("an upstream that is down gives 502", async () => {
    const local = startServer(join(dir, "orphan"), { upstreamCacheUrl: "http://127.0.0.1:1/cache", upstreamDirUrl: "http://127.0.0.1:1/dir" });
    try {
      expect((await fetch(`${local.cacheUrl}/${sha512("x")}`)).status).toBe(502);
      expect((await fetch(`${local.dirUrl}/x`)).status).toBe(502);
    } finally {
      await local.stop();
    }
  });

  test("update without upstream drops entries whose blob is gone, and empty keys", async () => {
    const local = startServer(join(dir, "update"));
    try {
      await fetch(local.cacheUrl, { method: "POST", body: "kept" });
      const kept = [`{"sha512": "${sha512("kept")}"}`, "a"];
      const orphan = [`{"sha512": "${"0".repeat(128)}"}`, "b"];
      await fetch(`${local.dirUrl}/mixed`, { method: "PUT", body: JSON.stringify(kept) });
      await fetch(`${local.dirUrl}/mixed`, { method: "PUT", body: JSON.stringify(orphan) });
      await fetch(`${local.dirUrl}/gone`, { method: "PUT", body: JSON.stringify(orphan) });
      await fetch(`${local.dirUrl}/intact`, { method: "PUT", body: JSON.stringify(kept) });
      const answer = await fetch(`${local.url}/shacache/update`, { method: "POST" });
      expect(answer.status).toBe(200);
      const result = (await answer.json()) as { removed: string[]; updated: string[] };
      expect(result.removed.sort()).toEqual(["gone", "mixed"]);
      expect(result.updated).toEqual([]);
      expect(JSON.parse(await (await fetch(`${local.dirUrl}/mixed`)).text())).toEqual([kept]);
      expect((await fetch(`${local.dirUrl}/gone`)).status).toBe(404);
    } finally {
      await local.stop();
    }
  });
});

describe("on the embedded master", () => {
  test("without both directories every route answers 503 Shacache not configured", async () => {
    const bare = startShacacheServer({});
    try {
      for (const [method, path] of [["GET", "/cache/x"], ["POST", "/cache"], ["GET", "/dir/x"], ["POST", "/update"]]) {
        const r = await fetch(`${bare.url}/shacache${path}`, { method });
        expect(r.status).toBe(503);
        expect(await r.text()).toContain("Shacache not configured");
      }
    } finally {
      await bare.stop();
    }
  });

  test("[BUG] fixed: the hyphenated keys that configure local writes are read by proxy start", () => {
    const config = SlapConfig.parse(
      "[slapproxy]\nshacache-content-directory = /srv/sc/data\nshacache-metadata-directory = /srv/sc/dir\nshacache-upstream-cache-url = http://up/cache\n",
    );
    const options = proxyShacacheOptions(config);
    expect(options.contentDirectory).toBe("/srv/sc/data");
    expect(options.metadataDirectory).toBe("/srv/sc/dir");
    expect(options.upstreamCacheUrl).toBe("http://up/cache");
    const underscores = proxyShacacheOptions(SlapConfig.parse("[slapproxy]\nshacache_content_directory = /a\nshacache_metadata_directory = /b\n"));
    expect([underscores.contentDirectory, underscores.metadataDirectory]).toEqual(["/a", "/b"]);
  });

  test("the master.routes tap mounts /shacache on the master's app", async () => {
    const cfg = join(dir, "proxy.cfg");
    writeFileSync(cfg, `[slapproxy]\nshacache-content-directory = ${join(dir, "master", "data")}\nshacache-metadata-directory = ${join(dir, "master", "dir")}\n`);
    const host = new PluginHost();
    host.add(shacachePlugin);
    const config = SlapConfig.load(cfg);
    await host.applyAll(() => ({ config, options: {}, log, source: "built-in", command: "proxy start" }));
    const master = new Hono();
    master.get("/getComputerInformation", (c) => c.text("master route"));
    await host.hooks.master.routes.promise({ app: master, databaseUri: join(dir, "master.db") });
    const served = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: master.fetch });
    try {
      const post = await fetch(`http://127.0.0.1:${served.port}/shacache/cache`, { method: "POST", body: "via master" });
      expect(await post.text()).toBe(sha512("via master"));
      expect(existsSync(join(dir, "master", "data", sha512("via master")))).toBe(true);
      expect(await (await fetch(`http://127.0.0.1:${served.port}/getComputerInformation`)).text()).toBe("master route");
    } finally {
      served.stop(true);
    }
  });
});
