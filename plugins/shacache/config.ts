/**
 * The `[networkcache]` options of slapos.cfg (keys as in slapos.cfg.example),
 * read as slapgrid's `merged_options` does: `[slapos]` first, `[networkcache]`
 * over it; URL lists one per line; `binary-cache-url-blacklist` as the old
 * name of `download-from-binary-cache-url-blacklist`.
 *
 * Ours (not in the reference): `upload-binary-attempts` (3),
 * `upload-binary-retry-delay` (seconds after a failed attempt, 1800 as the
 * reference; never after the last one), `download-max-size` (bytes, with an
 * optional K/M/G/T suffix; no limit by default), `timeout` (60) and
 * `upload-timeout` (3600), in seconds.
 */
import type { SlapConfig } from "../../core/config/slap-config.ts";
import { SlapError } from "../../core/errors.ts";
import type { TlsFiles } from "./http.ts";

export interface CacheOptions {
  downloadBinaryCacheUrl?: string;
  downloadBinaryDirUrl?: string;
  uploadBinaryCacheUrl?: string;
  uploadBinaryDirUrl?: string;
  downloadCacheUrl?: string;
  downloadDirUrl?: string;
  uploadCacheUrl?: string;
  uploadDirUrl?: string;
  signaturePrivateKeyFile?: string;
  signatureCertificateList?: string;
  downloadBlacklist: string[];
  uploadBlacklist: string[];
  forceUrls: string[];
  shacache: TlsFiles;
  shadir: TlsFiles;
  uploadAttempts: number;
  uploadRetryDelay: number;
  maxDownloadBytes?: number;
  timeout: number;
  uploadTimeout: number;
}

function lines(value: string | undefined): string[] {
  return (value ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

const UNITS: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** "200M" → bytes. */
export function parseSize(value: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$/i.exec(value);
  if (!match) throw new SlapError("config", `[networkcache] ${name} must be a size such as 500M, not ${JSON.stringify(value)}`);
  return Math.floor(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
}

function seconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new SlapError("config", `[networkcache] ${name} must be a number of seconds, not ${JSON.stringify(value)}`);
  }
  return number;
}

/** Read the networkcache options; empty values count as unset (as the reference's truth tests). */
export function readCacheOptions(config: SlapConfig): CacheOptions {
  const merged: Record<string, string> = { ...config.items("slapos"), ...config.items("networkcache") };
  const own = config.items("networkcache");
  const pick = (from: Record<string, string>, key: string) => {
    const value = from[key]?.trim();
    return value ? value : undefined;
  };
  const get = (key: string) => pick(merged, key);
  // Our own keys are only read from [networkcache].
  const ours = (key: string) => pick(own, key);
  const attempts = seconds(ours("upload-binary-attempts"), "upload-binary-attempts", 3);
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new SlapError("config", "[networkcache] upload-binary-attempts must be a whole number of at least 1");
  }
  const maxSize = ours("download-max-size");
  return {
    downloadBinaryCacheUrl: get("download-binary-cache-url"),
    downloadBinaryDirUrl: get("download-binary-dir-url"),
    uploadBinaryCacheUrl: get("upload-binary-cache-url"),
    uploadBinaryDirUrl: get("upload-binary-dir-url"),
    downloadCacheUrl: get("download-cache-url"),
    downloadDirUrl: get("download-dir-url"),
    uploadCacheUrl: get("upload-cache-url"),
    uploadDirUrl: get("upload-dir-url"),
    signaturePrivateKeyFile: get("signature-private-key-file"),
    signatureCertificateList: get("signature-certificate-list"),
    downloadBlacklist: lines(get("download-from-binary-cache-url-blacklist") ?? get("binary-cache-url-blacklist")),
    uploadBlacklist: lines(get("upload-to-binary-cache-url-blacklist")),
    forceUrls: lines(get("download-from-binary-cache-force-url-list")),
    shacache: { caFile: get("shacache-ca-file"), certFile: get("shacache-cert-file"), keyFile: get("shacache-key-file") },
    shadir: { caFile: get("shadir-ca-file"), certFile: get("shadir-cert-file"), keyFile: get("shadir-key-file") },
    uploadAttempts: attempts,
    uploadRetryDelay: seconds(ours("upload-binary-retry-delay"), "upload-binary-retry-delay", 1800),
    maxDownloadBytes: maxSize ? parseSize(maxSize, "download-max-size") : undefined,
    timeout: seconds(ours("timeout"), "timeout", 60),
    uploadTimeout: seconds(ours("upload-timeout"), "upload-timeout", 3600),
  };
}

/** The first entry of `list` that `url` starts with. */
export function matchPrefix(url: string, list: readonly string[]): string | undefined {
  return list.find((prefix) => url.startsWith(prefix));
}
