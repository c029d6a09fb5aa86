/**
 * The shacache/shadir server as a Hono sub-app: the routes of slapproxy's
 * `/shacache/...` blueprint (slap-protocol.md §3.3), mounted by the embedded
 * master, or served alone (standalone.ts).
 *
 * - `GET /cache/<sha512>` serves the blob (ranges honoured), fetching it from
 *   the upstream cache on a miss; `POST /cache[/]` stores a body and answers
 *   its sha512 (201); `PUT /cache/<sha512>` stores it if the hash matches.
 * - `GET /dir/<key>` answers the stored list (upstream on a miss, stored);
 *   `PUT /dir/<key>` takes `[entry, signature]`.
 * - `POST /update` drops entries whose blob is gone, or refreshes every key
 *   from upstream.
 *
 * Differences from slapproxy: a real shadir accumulates entries per key,
 * slapproxy keeps only the last PUT — `dirMode` chooses ("replace", the
 * proxy's, is the default on the master). Blobs are streamed to and from
 * disk (slapproxy reads whole bodies into memory), and only sha512 names are
 * served.
 */
import { Hono, type Context } from "hono";
import { unlinkSync } from "node:fs";
import { messageOf } from "../../../core/errors.ts";
import type { Logger } from "../../../core/log/logger.ts";
import { NetworkcacheClient } from "../client.ts";
import { SHA512_HEX, type RawEntry } from "../entries.ts";
import { CacheHttpError } from "../http.ts";
import type { PyValue } from "../../../core/slap/marshal/values.ts";
import { dumpsJson } from "../../../core/slap/python-json.ts";
import { ShacacheStore, isSafeKey } from "./store.ts";
import { abort, FLASK_TEXT, serveBlob } from "./responses.ts";

export interface ShacacheServerOptions {
  /** Both directories are needed; without them every route answers 503 "Shacache not configured". */
  contentDirectory?: string;
  metadataDirectory?: string;
  upstreamCacheUrl?: string;
  upstreamDirUrl?: string;
  dirMode?: "replace" | "accumulate";
  log?: Logger;
}

function upstreamClient(options: ShacacheServerOptions): NetworkcacheClient | undefined {
  if (!options.upstreamCacheUrl && !options.upstreamDirUrl) return undefined;
  return new NetworkcacheClient({ downloadCacheUrl: options.upstreamCacheUrl, downloadDirUrl: options.upstreamDirUrl, log: options.log });
}

function upstreamFailure(c: Context, error: unknown, log: Logger | undefined, what: string): Response {
  if (error instanceof CacheHttpError) {
    if (error.status === 404) return abort(c, 404);
    log?.warning(`Upstream returned ${error.status} for ${what}`);
    return abort(c, 502, `Upstream returned ${error.status}`);
  }
  log?.warning(`Failed to fetch from upstream: ${messageOf(error)}`);
  return abort(c, 502, `Upstream error: ${messageOf(error)}`);
}

export function createShacacheApp(options: ShacacheServerOptions): Hono {
  const app = new Hono();
  const { log } = options;
  const mode = options.dirMode ?? "replace";
  const store =
    options.contentDirectory && options.metadataDirectory
      ? new ShacacheStore({ contentDirectory: options.contentDirectory, metadataDirectory: options.metadataDirectory })
      : undefined;

  app.use("*", async (c, next) => {
    if (!store) return abort(c, 503, "Shacache not configured");
    await next();
  });

  app.get("/cache/:sha512", async (c) => {
    const sha512 = c.req.param("sha512");
    let path = store!.blobPath(sha512);
    if (!path) {
      const upstream = upstreamClient(options);
      if (!upstream || !options.upstreamCacheUrl || !SHA512_HEX.test(sha512)) return abort(c, 404);
      const temporary = store!.temporaryBlobPath();
      try {
        log?.info(`Fetching ${sha512} from upstream`);
        await upstream.download(sha512, temporary);
        path = store!.adopt(temporary, sha512);
      } catch (error) {
        try {
          unlinkSync(temporary);
        } catch {
          // nothing was written
        }
        return upstreamFailure(c, error, log, sha512);
      }
    }
    return serveBlob(c, path, sha512);
  });

  const upload = async (c: Context) => {
    const sha512 = await store!.storeBlob(c.req.raw.body);
    return c.text(sha512!, 201, FLASK_TEXT);
  };
  app.post("/cache", upload);
  app.post("/cache/", upload);

  app.put("/cache/:sha512", async (c) => {
    const expected = c.req.param("sha512");
    const stored = await store!.storeBlob(c.req.raw.body, expected);
    if (!stored) return abort(c, 400, "Checksum mismatch");
    return c.text(stored, 201, FLASK_TEXT);
  });

  app.get("/dir/:key", async (c) => {
    const key = c.req.param("key");
    if (!isSafeKey(key)) return abort(c, 404);
    const stored = store!.readDir(key);
    if (stored !== undefined) return c.body(stored, 200, FLASK_TEXT);
    const upstream = upstreamClient(options);
    if (!upstream || !options.upstreamDirUrl) return abort(c, 404);
    let entries: RawEntry[];
    try {
      log?.info(`Fetching dir ${key} from upstream`);
      entries = await upstream.selectGeneric(key);
    } catch (error) {
      return upstreamFailure(c, error, log, key);
    }
    store!.writeDir(key, entries);
    return c.body(dumpsJson(entries as PyValue), 200, { "Content-Type": "application/json" });
  });

  app.put("/dir/:key", async (c) => {
    const key = c.req.param("key");
    if (!isSafeKey(key)) return abort(c, 400, "Invalid key");
    let data: unknown;
    try {
      data = JSON.parse(await c.req.text());
    } catch {
      return abort(c, 400, "Failed to decode JSON object");
    }
    if (!Array.isArray(data) || data.length !== 2 || typeof data[0] !== "string" || typeof data[1] !== "string") {
      return abort(c, 400, "Invalid entry format");
    }
    store!.addEntry(key, [data[0], data[1]], mode);
    return c.body("", 201, FLASK_TEXT);
  });

  app.post("/update", async (c) => {
    const removed: string[] = [];
    const updated: string[] = [];
    const upstream = options.upstreamDirUrl ? upstreamClient(options) : undefined;
    for (const key of store!.keys()) {
      try {
        if (upstream) {
          log?.info(`Updating dir ${key} from upstream`);
          try {
            const entries = await upstream.selectGeneric(key);
            if (entries.length) {
              store!.writeDir(key, entries);
              updated.push(key);
            } else {
              store!.removeDir(key);
              removed.push(key);
            }
          } catch (error) {
            if (error instanceof CacheHttpError && error.status === 404) {
              store!.removeDir(key);
              removed.push(key);
            } else {
              log?.warning(`Failed to update dir ${key} from upstream: ${messageOf(error)}`);
            }
          }
          continue;
        }
        const kept = keptEntries(store!, key);
        if (kept === "unchanged") continue;
        if (kept.length) store!.writeDir(key, kept);
        else store!.removeDir(key);
        removed.push(key);
      } catch (error) {
        log?.warning(`Failed to process metadata file ${key}: ${messageOf(error)}`);
      }
    }
    return c.body(dumpsJson({ removed, updated } as PyValue), 200, { "Content-Type": "application/json" });
  });

  return app;
}

/** Entries of a key whose blob is still stored; "unchanged" when all are. */
function keptEntries(store: ShacacheStore, key: string): unknown[] | "unchanged" {
  const text = store.readDir(key);
  if (text === undefined) return "unchanged";
  const data = JSON.parse(text) as unknown;
  if (!Array.isArray(data)) return [];
  const kept = data.filter((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") return false;
    try {
      const sha512 = (JSON.parse(pair[0]) as { sha512?: unknown }).sha512;
      return typeof sha512 === "string" && sha512 !== "" && store.blobPath(sha512) !== undefined;
    } catch {
      return false;
    }
  });
  return kept.length === data.length ? "unchanged" : kept;
}
