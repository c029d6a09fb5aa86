/**
 * A networkcache client speaking slapos.libnetworkcache's protocol
 * (node-runtime.md §5.1): shadir lookups, shacache downloads and uploads,
 * signed shadir entries.
 */
import { stat } from "node:fs/promises";
import type { KeyObject } from "node:crypto";
import { SlapError } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { downloadBlob, type BlobDownloaded } from "./download.ts";
import { parseEntryList, type RawEntry } from "./entries.ts";
import { CacheHttpError, Watchdog, joinUrl, openRequest, readText, type TlsFiles } from "./http.ts";
import { pythonJsonDumps, type JsonValue } from "./python-json.ts";
import {
  keyMatchesCertificate,
  loadPrivateKey,
  parseCertificateList,
  signEntry,
  verifyEntry,
  type TrustedCertificate,
} from "./signature.ts";

export interface NetworkcacheSettings {
  downloadCacheUrl?: string;
  downloadDirUrl?: string;
  uploadCacheUrl?: string;
  uploadDirUrl?: string;
  shacache?: TlsFiles;
  shadir?: TlsFiles;
  signaturePrivateKeyFile?: string;
  /** The `signature-certificate-list` text (PEM blocks), or the blocks. */
  signatureCertificateList?: string | string[];
  /** Seconds; the reference's 60 for GET and 3600 for uploads. */
  timeout?: number;
  uploadTimeout?: number;
  /** Largest blob accepted by download(). */
  maxDownloadBytes?: number;
  log?: Logger;
}

/** A shadir pair with its verdict. */
export interface CheckedEntry {
  entry: string;
  signature: string;
  verified: boolean;
}


export class NetworkcacheClient {
  readonly certificates: TrustedCertificate[];
  private readonly privateKey?: KeyObject;
  private readonly timeout: number;
  private readonly uploadTimeout: number;

  constructor(readonly settings: NetworkcacheSettings) {
    this.timeout = settings.timeout ?? 60;
    this.uploadTimeout = settings.uploadTimeout ?? 3600;
    this.certificates = parseCertificateList(settings.signatureCertificateList, (pem, reason) =>
      settings.log?.info(`Ignored wrong certificate, reason:\n${reason}, offending certificate:\n${pem}`),
    );
    if (settings.signaturePrivateKeyFile) {
      this.privateKey = loadPrivateKey(settings.signaturePrivateKeyFile);
      // The reference refuses a key whose uploads it could never download itself.
      if (settings.downloadDirUrl && !keyMatchesCertificate(this.privateKey, this.certificates)) {
        throw new SlapError(
          "config",
          "Invalid configuration: no matching certificate for private key (continuing would cause duplicate uploads because it would never manage to download these uploads)",
        );
      }
    }
  }

  private need(url: string | undefined, option: string): string {
    if (!url) throw new SlapError("config", `[networkcache] ${option} is not set`);
    return url;
  }

  /** Every pair stored under a key, unfiltered (`select_generic(key, filter=False)`). 404 is a CacheHttpError. */
  async selectGeneric(key: string): Promise<RawEntry[]> {
    const url = joinUrl(this.need(this.settings.downloadDirUrl, "download-dir-url"), key);
    const answer = await openRequest({ method: "GET", url, timeout: this.timeout, tls: this.settings.shadir });
    return parseEntryList(await readText(answer), answer.url);
  }

  /** Every pair of a key with its signature verdict, in server order. */
  async entries(key: string): Promise<CheckedEntry[]> {
    return (await this.selectGeneric(key)).map(([entry, signature]) => ({
      entry,
      signature,
      verified: this.verify(entry, signature),
    }));
  }

  verify(entry: string, signature: string): boolean {
    return verifyEntry(entry, signature, this.certificates);
  }

  /** Download a blob to `destination` (see download.ts). */
  download(sha512: string, destination: string, options: { md5?: boolean } = {}): Promise<BlobDownloaded> {
    const url = joinUrl(this.need(this.settings.downloadCacheUrl, "download-cache-url"), sha512);
    return downloadBlob({
      url,
      sha512,
      destination,
      timeout: this.timeout,
      tls: this.settings.shacache,
      maxBytes: this.settings.maxDownloadBytes,
      md5: options.md5,
      log: this.settings.log,
    });
  }

  /** Does shacache already hold this blob? (GET on the download URL, as the reference; any HTTP error means no.) */
  private async hasBlob(sha512: string): Promise<boolean> {
    const base = this.settings.downloadCacheUrl ?? this.settings.uploadCacheUrl;
    if (!base) return false;
    try {
      const answer = await openRequest({ method: "GET", url: joinUrl(base, sha512), timeout: this.timeout, tls: this.settings.shacache });
      await answer.response.body?.cancel().catch(() => {});
      answer.watchdog.stop();
      return true;
    } catch (error) {
      if (error instanceof CacheHttpError) return false;
      throw error;
    }
  }

  /**
   * Upload a file: its sha512, then POST it unless shacache has it, then (with
   * a key) the signed shadir entry `{"sha512": ..., ...metadata}`. Returns the sha512.
   */
  async upload(path: string, key?: string, metadata: Record<string, JsonValue> = {}): Promise<string> {
    const sha512 = await sha512OfFile(path);
    if (!(await this.hasBlob(sha512))) {
      const size = (await stat(path)).size;
      const url = this.need(this.settings.uploadCacheUrl, "upload-cache-url");
      const watchdog = new Watchdog(this.uploadTimeout * 1000);
      const answer = await openRequest({
        method: "POST",
        url,
        headers: { "Content-Length": String(size), "Content-Type": "application/octet-stream" },
        body: fileStream(path, () => watchdog.kick()),
        timeout: this.uploadTimeout,
        tls: this.settings.shacache,
        watchdog,
      });
      const echo = await readText(answer);
      if (answer.response.status !== 201 || echo !== sha512) {
        throw new SlapError(
          "server",
          `Failed to upload data to SHACACHE Server. Response code: ${answer.response.status}. Response data: ${echo.slice(0, 200)}`,
        );
      }
    }
    if (key !== undefined) {
      if (!Object.keys(metadata).length) throw new SlapError("usage", "metadata should not be empty");
      await this.index(key, { sha512, ...metadata });
    }
    return sha512;
  }

  /** PUT the signed entry `[json.dumps(metadata), signature]` under a key. */
  async index(key: string, metadata: Record<string, JsonValue>): Promise<void> {
    const entry = pythonJsonDumps(metadata);
    const body = pythonJsonDumps([entry, signEntry(entry, this.privateKey)]);
    const url = joinUrl(this.need(this.settings.uploadDirUrl, "upload-dir-url"), key);
    const answer = await openRequest({
      method: "PUT",
      url,
      headers: { "Content-Type": "application/json" },
      body,
      timeout: this.uploadTimeout,
      tls: this.settings.shadir,
    });
    const text = await readText(answer);
    if (answer.response.status !== 201) {
      throw new SlapError(
        "server",
        `Failed to upload data to SHADIR Server. Response code: ${answer.response.status}. Response data: ${text.slice(0, 200)}`,
      );
    }
  }
}

/** sha512 hex of a file, streamed. */
export async function sha512OfFile(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha512");
  for await (const chunk of Bun.file(path).stream()) hasher.update(chunk);
  return hasher.digest("hex");
}

/**
 * A file as a request body; `onChunk` runs before each chunk (keeps a
 * watchdog alive). Bun.file's stream closes its descriptor itself, even when
 * the request is abandoned half-way (a FileHandle would leak then).
 */
function fileStream(path: string, onChunk: () => void): ReadableStream<Uint8Array> {
  return Bun.file(path)
    .stream()
    .pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          onChunk();
          controller.enqueue(chunk);
        },
      }),
    );
}
