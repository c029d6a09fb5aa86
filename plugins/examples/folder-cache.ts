/**
 * folder-cache — an example third-party cache backend for slapos: a binary
 * cache kept in a local folder (a disk shared by the nodes of a site, an
 * NFS mount, a USB disk carried to an offline site). It is one file that
 * imports nothing from slapos, loaded by naming it in slapos.cfg:
 *
 *     [slapos]
 *     plugin_list = /opt/slapos/plugins/folder-cache.ts
 *
 *     [plugin:folder-cache]
 *     directory = /srv/slapos-cache
 *     # store what this node builds (software releases) and downloads (URLs)
 *     upload = true
 *
 * It taps the `binaryCache` hooks at the default stage, before the built-in
 * shacache backend (stage 100): a key the folder has is answered from the
 * folder; for any other key it answers nothing (undefined), and the
 * built-in network cache is asked next. Unpacking a downloaded software
 * archive is left to the built-in `binaryCache.extract`.
 *
 * Layout: `<directory>/entries/<key>.json` lists a key's entries, newest
 * first (`sha512`, `software_url` or `url`, `multiarch`, `os`), and
 * `<directory>/blobs/<sha512>` holds the content. Entries are trusted
 * because the folder is (it should be writable by root only): they are
 * reported as verified. A software archive is compatible when it was made
 * on the same architecture and OS release as this machine.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

// The parts of the hook contract this plugin uses (slapos core/hooks/groups/cache.ts), written out
// here so that the file stands alone.
type Kind = "software" | "url";
interface Query {
  kind?: Kind;
  key?: string;
  url: string;
  softwareRoot?: string;
  md5sum?: string;
}
interface Entry {
  sha512: string;
  entry: string;
  signature: string;
  metadata: Record<string, unknown>;
  verified: boolean;
  compatible: boolean;
}
interface BailHook<I, R> {
  tapPromise(name: string, fn: (input: I) => Promise<R | undefined>): void;
}
interface CacheHooks {
  binaryCache: {
    lookup: BailHook<Query, Entry[]>;
    download: BailHook<Query & { destination: string }, { path: string; sha512: string; size: number } | null>;
    shouldUpload: BailHook<Query & { path: string }, boolean>;
    upload: BailHook<Query & { path: string }, boolean>;
  };
}
interface Context {
  options: Record<string, string>;
  log: { info(message: string): void; debug(message: string): void };
}

interface Stored {
  sha512: string;
  software_url?: string;
  url?: string;
  multiarch: string;
  os: string[];
  [key: string]: unknown;
}

const NAME = "folder-cache";

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

async function fileHash(path: string, algorithm: "sha512" | "md5"): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** This machine, as far as compatibility of compiled software goes. */
function machine(): { multiarch: string; os: string[] } {
  let release = "";
  try {
    release = readFileSync("/etc/os-release", "utf8");
  } catch {
    // no os-release: only the architecture counts
  }
  const field = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, "m").exec(release)?.[1] ?? "";
  return { multiarch: `${process.arch}-${process.platform}`, os: [field("ID"), field("VERSION_ID"), field("VERSION_CODENAME")] };
}

function keyOf(query: Query): string {
  if (query.key) return query.key;
  return query.kind === "software" ? md5(query.url) : `file-urlmd5:${md5(query.url)}`;
}

/** Write through a temporary file and a rename, so readers never see half a file. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

class FolderCache {
  readonly here = machine();

  constructor(readonly directory: string) {}

  private entriesFile(key: string): string {
    return join(this.directory, "entries", `${encodeURIComponent(key)}.json`);
  }

  blob(sha512: string): string {
    return join(this.directory, "blobs", sha512);
  }

  stored(key: string): Stored[] | undefined {
    const file = this.entriesFile(key);
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, "utf8")) as Stored[];
  }

  compatible(query: Query, stored: Stored): boolean {
    if (query.kind === "software") return stored.multiarch === this.here.multiarch && stored.os.join("/") === this.here.os.join("/");
    return stored.url === query.url;
  }

  lookup(query: Query): Entry[] | undefined {
    const stored = this.stored(keyOf(query));
    return stored?.map((metadata) => ({
      sha512: metadata.sha512,
      entry: JSON.stringify(metadata),
      signature: "",
      metadata,
      verified: true,
      compatible: this.compatible(query, metadata),
    }));
  }

  async download(query: Query & { destination: string }): Promise<{ path: string; sha512: string; size: number } | undefined> {
    for (const stored of this.stored(keyOf(query)) ?? []) {
      const blob = this.blob(stored.sha512);
      if (!this.compatible(query, stored) || !existsSync(blob)) continue;
      if (query.md5sum && (await fileHash(blob, "md5")) !== query.md5sum) continue;
      const partial = `${query.destination}.part`;
      copyFileSync(blob, partial);
      if ((await fileHash(partial, "sha512")) !== stored.sha512) {
        rmSync(partial, { force: true }); // a damaged blob: try the next entry, then the network
        continue;
      }
      renameSync(partial, query.destination);
      return { path: query.destination, sha512: stored.sha512, size: statSync(query.destination).size };
    }
    return undefined;
  }

  async upload(query: Query & { path: string }): Promise<boolean> {
    mkdirSync(join(this.directory, "blobs"), { recursive: true });
    mkdirSync(join(this.directory, "entries"), { recursive: true });
    const temporary = join(this.directory, "blobs", `.upload-${process.pid}-${Date.now()}`);
    try {
      if (query.kind === "software") {
        // The archive the built-in extract expects: a tar.gz whose single top folder is SW_ROOT/<md5>.
        const tar = spawnSync("tar", ["--format=pax", "-czf", temporary, "-C", dirname(query.path), basename(query.path)], { encoding: "utf8" });
        if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.trim()}`);
      } else {
        copyFileSync(query.path, temporary);
      }
      const sha512 = await fileHash(temporary, "sha512");
      renameSync(temporary, this.blob(sha512));
      const key = keyOf(query);
      const entry: Stored =
        query.kind === "software"
          ? { sha512, software_url: query.url, software_root: query.softwareRoot ?? dirname(query.path), ...this.here }
          : { sha512, url: query.url, ...this.here };
      const others = (this.stored(key) ?? []).filter((e) => e.sha512 !== sha512);
      writeAtomically(this.entriesFile(key), JSON.stringify([entry, ...others], null, 1));
      return true;
    } finally {
      rmSync(temporary, { force: true });
    }
  }
}

export default {
  name: NAME,
  version: "1.0.0",
  apiVersion: "^1.0.0",
  apply(hooks: CacheHooks, ctx: Context) {
    const directory = ctx.options.directory?.trim();
    if (!directory) throw new Error(`[plugin:${NAME}] directory is not set`);
    const upload = /^(1|yes|true|on)$/i.test(ctx.options.upload?.trim() ?? "");
    const cache = new FolderCache(directory);
    const cacheHooks = hooks.binaryCache;
    cacheHooks.lookup.tapPromise(NAME, async (query) => cache.lookup(query));
    cacheHooks.download.tapPromise(NAME, async (input) => {
      const got = await cache.download(input);
      if (got) ctx.log.info(`${input.url} served from ${directory}`);
      return got;
    });
    if (upload) {
      cacheHooks.shouldUpload.tapPromise(NAME, async () => true);
      cacheHooks.upload.tapPromise(NAME, async (input) => {
        const done = await cache.upload(input);
        ctx.log.info(`${input.url} stored in ${directory}`);
        return done;
      });
    }
  },
};
