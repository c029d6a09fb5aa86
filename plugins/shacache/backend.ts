/**
 * The built-in cache backend: what each binaryCache hook does with a
 * slapos.libnetworkcache-compatible shacache/shadir, configured by the
 * `[networkcache]` section (node-runtime.md §5.2, §5.3; slapos.core's
 * slapos/grid/networkcache.py).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type {
  CacheDownload,
  CacheDownloadInput,
  CacheEntry,
  CacheExtractInput,
  CacheKind,
  CacheQuery,
  CacheUploadInput,
} from "../../core/hooks/groups/cache.ts";
import { SlapError, messageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { NetworkcacheClient, type NetworkcacheSettings } from "./client.ts";
import { matchPrefix, type CacheOptions } from "./config.ts";
import { loadJsonEntry } from "./entries.ts";
import { isCompatible, machineInfo, type MachineInfo } from "./platform.ts";
import type { JsonValue } from "./python-json.ts";
import { createTarGz } from "../../core/archive/tar/create.ts";
import { extractTarGz } from "../../core/archive/tar/extract.ts";

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/** The shadir key of a query (libnetworkcache's schemes). */
export function keyOf(query: CacheQuery): string {
  if (query.key) return query.key;
  return kindOf(query) === "software" ? md5Hex(query.url) : `file-urlmd5:${md5Hex(query.url)}`;
}

export function kindOf(query: CacheQuery): CacheKind {
  return query.kind ?? "url";
}

export class ShacacheBackend {
  constructor(
    readonly options: CacheOptions,
    private readonly log: Logger,
    private readonly machine: MachineInfo = machineInfo(),
  ) {}

  /** Client for downloads: binary URLs for software, the generic ones for URLs (no TLS files, as the reference). */
  downloadClient(kind: CacheKind): NetworkcacheClient | undefined {
    const o = this.options;
    const [cache, dir] = kind === "software" ? [o.downloadBinaryCacheUrl, o.downloadBinaryDirUrl] : [o.downloadCacheUrl, o.downloadDirUrl];
    if (!cache || !dir) return undefined;
    return new NetworkcacheClient(this.settings({ downloadCacheUrl: cache, downloadDirUrl: dir }));
  }

  /** Client for uploads. */
  uploadClient(kind: CacheKind): NetworkcacheClient | undefined {
    const o = this.options;
    const [cache, dir] = kind === "software" ? [o.uploadBinaryCacheUrl, o.uploadBinaryDirUrl] : [o.uploadCacheUrl, o.uploadDirUrl];
    if (!cache || !dir) return undefined;
    return new NetworkcacheClient(
      this.settings({
        // libnetworkcache's two-URL client: the upload URLs serve the blob-exists check and the key/certificate check.
        downloadCacheUrl: cache,
        downloadDirUrl: dir,
        uploadCacheUrl: cache,
        uploadDirUrl: dir,
        shacache: o.shacache,
        shadir: o.shadir,
        signaturePrivateKeyFile: o.signaturePrivateKeyFile,
      }),
    );
  }

  private settings(extra: NetworkcacheSettings): NetworkcacheSettings {
    return {
      signatureCertificateList: this.options.signatureCertificateList,
      timeout: this.options.timeout,
      uploadTimeout: this.options.uploadTimeout,
      maxDownloadBytes: this.options.maxDownloadBytes,
      log: this.log,
      ...extra,
    };
  }

  private judge(query: CacheQuery, entry: string, signature: string, verified: boolean): CacheEntry {
    let metadata: Record<string, unknown> = {};
    let compatible = false;
    try {
      metadata = loadJsonEntry(entry);
      compatible =
        kindOf(query) === "software" ? isCompatible(this.machine, metadata.multiarch, metadata.os) : metadata.url === query.url;
    } catch (error) {
      this.log.debug(`unreadable shadir entry ${JSON.stringify(entry.slice(0, 200))}: ${messageOf(error)}`);
    }
    const sha512 = typeof metadata.sha512 === "string" ? metadata.sha512 : "";
    return { sha512, entry, signature, metadata, verified, compatible };
  }

  /** Every entry of the key with its verdicts; a 404 propagates (code not-found). */
  async lookup(query: CacheQuery): Promise<CacheEntry[]> {
    const client = this.downloadClient(kindOf(query));
    if (!client) {
      const which = kindOf(query) === "software" ? "download-binary-cache-url and download-binary-dir-url" : "download-cache-url and download-dir-url";
      throw new SlapError("config", `networkcache badly configured: [networkcache] needs ${which}`);
    }
    const entries = await client.entries(keyOf(query));
    return entries.map((e) => this.judge(query, e.entry, e.signature, e.verified));
  }

  /** Download the first usable entry; every failure is logged and gives null ("not available"). */
  async download(input: CacheDownloadInput): Promise<CacheDownload | null> {
    const kind = kindOf(input);
    if (kind === "software") {
      const blacklisted = matchPrefix(input.url, this.options.downloadBlacklist);
      if (blacklisted !== undefined) {
        this.log.warning(`URL ${blacklisted} is blacklisted`);
        return null;
      }
    }
    let client: NetworkcacheClient | undefined;
    try {
      client = this.downloadClient(kind);
    } catch (error) {
      this.log.warning(`networkcache not usable: ${messageOf(error)}`);
      return null;
    }
    if (!client || (kind === "software" && !input.softwareRoot)) {
      if (kind === "software") this.log.warning("networkcache badly configured");
      return null;
    }
    this.log.info(kind === "software" ? `Downloading ${input.url} binary from network cache.` : `Trying to download ${input.url} from network cache...`);
    try {
      const entries = (await client.entries(keyOf(input))).map((e) => this.judge(input, e.entry, e.signature, e.verified));
      for (const entry of entries) {
        if (!entry.verified || !entry.compatible || !entry.sha512) continue;
        try {
          const got = await client.download(entry.sha512, input.destination, { md5: Boolean(input.md5sum) });
          if (input.md5sum && got.md5 !== input.md5sum.toLowerCase()) {
            unlinkSync(got.path);
            this.log.info(`MD5 checksum mismatch downloading ${input.url}`);
            continue;
          }
          return { path: got.path, sha512: entry.sha512, size: got.size };
        } catch (error) {
          this.log.info(`Failed to download from network cache ${input.url}: ${messageOf(error)}`);
        }
      }
    } catch (error) {
      this.log.info(`Failed to download from network cache ${input.url}: ${messageOf(error)}`);
    }
    return null;
  }

  async extract(input: CacheExtractInput): Promise<true> {
    await extractTarGz(input.tarball, input.destination, { topDir: input.topDir });
    return true;
  }

  forced(query: CacheQuery): boolean {
    if (kindOf(query) !== "software") return false;
    const match = matchPrefix(query.url, this.options.forceUrls);
    if (match !== undefined) this.log.debug(`Binary cache forced for '${query.url}' because of match '${match}'`);
    return match !== undefined;
  }

  shouldUpload(input: CacheUploadInput): boolean {
    const o = this.options;
    if (kindOf(input) === "url") return Boolean(o.uploadCacheUrl && o.uploadDirUrl);
    if (!input.softwareRoot || !input.url || !keyOf(input) || !o.uploadBinaryCacheUrl || !o.uploadBinaryDirUrl) return false;
    if (existsSync(join(input.path, ".shared"))) return false;
    if (matchPrefix(input.url, o.uploadBlacklist) !== undefined) {
      this.log.info("Can't upload to binary cache: Software Release URL is blacklisted.");
      return false;
    }
    return true;
  }

  async upload(input: CacheUploadInput, sleep: (seconds: number) => Promise<void> = (s) => Bun.sleep(s * 1000)): Promise<boolean> {
    const kind = kindOf(input);
    let client: NetworkcacheClient | undefined;
    try {
      client = this.uploadClient(kind);
    } catch (error) {
      // A configuration error does not get better by retrying (the reference retries it 3 times, 30 minutes apart).
      this.log.error(`Cannot upload to network cache: ${messageOf(error)}`);
      return false;
    }
    if (!client) return false;
    if (kind === "url") {
      try {
        await client.upload(input.path, keyOf(input), { url: input.url, ...input.metadata });
        return true;
      } catch (error) {
        this.log.info(`Failed to upload file. ${messageOf(error)}`);
        return false;
      }
    }
    const key = keyOf(input);
    const work = mkdtempSync(join(input.softwareRoot ?? dirname(input.path), `.binary-upload-${key}-`));
    try {
      this.log.info("Creating archive of software release...");
      const tarball = join(work, key);
      await createTarGz(input.path, tarball, key, { onSkip: (path, why) => this.log.debug(`not archived: ${path}: ${why}`) });
      const metadata: Record<string, JsonValue> = {
        software_url: input.url,
        software_root: input.softwareRoot ?? "",
        multiarch: this.machine.multiarch,
        os: [...this.machine.os],
        ...input.metadata,
      };
      for (let attempt = 0; attempt < this.options.uploadAttempts; attempt++) {
        this.log.info(`Trying to upload archive of software release (try ${attempt})...`);
        this.log.info(`Uploading ${input.url} binary into network cache.`);
        try {
          await client.upload(tarball, key, metadata);
          return true;
        } catch (error) {
          this.log.info(`Failed to upload file. ${messageOf(error)}`);
        }
        // Let shacache digest the upload before retrying; not after the last attempt.
        if (attempt + 1 < this.options.uploadAttempts) await sleep(this.options.uploadRetryDelay);
      }
      return false;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
