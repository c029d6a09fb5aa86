/**
 * The engine's download service, the one every download goes through
 * (offered to recipes as `buildout.download`): a local path (relative to
 * the buildout directory), a `file://` URL or an http(s) URL, fetched to a
 * destination through a temporary file beside it. HTTP asks the binary
 * cache first (`hooks.binaryCache.download`, key `file-urlmd5:<md5 of url>`)
 * when a plugin answers it, is refused offline, and streams to disk with a
 * timeout, a size limit and the live progress indicator. An md5sum that
 * does not match deletes what was fetched and fails, so nothing unchecked
 * is left on disk. Messages are zc.buildout's Download's.
 */
import { createHash } from "node:crypto";
import { copyFileSync, createReadStream, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import type { Logger } from "../../../core/log/logger.ts";
import { BuildoutError } from "../lang/errors.ts";
import type { FetchLimits } from "../lang/fetch.ts";
import { downloadProgress } from "../lang/progress.ts";
import { pyRepr } from "../lang/pystr.ts";

export const DOWNLOAD_LIMITS: FetchLimits = { timeoutSeconds: 600, maxBytes: 8 * 1024 ** 3 };

export interface DownloadRequest {
  url: string;
  /** Where the file goes. */
  destination: string;
  md5sum?: string;
  offline: boolean;
  /** Base of a relative path (the buildout directory). */
  directory: string;
  limits?: FetchLimits;
  /** Hooks whose binary cache is asked before the network. */
  hooks?: Hooks;
  log?: Logger;
}

export type Source = { kind: "file"; path: string } | { kind: "http"; url: string };

/** What a URL option names: a file (relative paths against `directory`) or an http(s) URL. */
export function resolveSource(url: string, directory: string): Source {
  if (/^https?:\/\//i.test(url)) return { kind: "http", url };
  if (/^file:\/\//i.test(url)) return { kind: "file", path: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new BuildoutError("UserError", `Unsupported URL scheme: ${url}`);
  return { kind: "file", path: isAbsolute(url) ? url : resolve(directory, url) };
}

/** md5 hex digest of a file, streamed. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The md5sum check: zc.buildout's ChecksumError text. */
export function checkMd5(actual: string, expected: string | undefined, what: string): void {
  if (expected && actual !== expected.trim().toLowerCase()) throw new BuildoutError("UserError", `MD5 checksum mismatch ${what}`);
}

function tooLarge(what: string, limits: FetchLimits): BuildoutError {
  return new BuildoutError("UserError", `${what} is larger than ${limits.maxBytes} bytes`);
}

/** Size of a local file, checked against the limit; a missing file is zc.buildout's error. */
export function localSize(path: string, limits: FetchLimits): number {
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size === undefined) throw new BuildoutError("UserError", `Couldn't find file ${pyRepr(path)}.`);
  if (size > limits.maxBytes) throw tooLarge(path, limits);
  return size;
}

async function fromCache(request: DownloadRequest, to: string): Promise<boolean> {
  const cache = request.hooks?.binaryCache.download;
  if (!cache?.isUsed()) return false;
  const { url, md5sum } = request;
  try {
    const got = await cache.promise({ kind: "url", key: `file-urlmd5:${createHash("md5").update(url).digest("hex")}`, url, md5sum, destination: to });
    if (!got) return false;
    if (got.path !== to) renameSync(got.path, to);
    request.log?.debug(`Downloaded ${url} from the binary cache`);
    return true;
  } catch (error) {
    request.log?.warning(`binary cache download of ${url} failed, trying the network: ${error instanceof Error ? error.message : String(error)}`);
    rmSync(to, { force: true });
    return false;
  }
}

/** Stream an http(s) body to `to`, with the limits and the progress indicator. */
async function fetchHttp(url: string, to: string, limits: FetchLimits): Promise<void> {
  const failed = (error: unknown) => {
    const reason = error instanceof Error ? (error.name === "TimeoutError" ? "timed out" : error.message) : String(error);
    return new BuildoutError("UserError", `Error downloading ${url}: ${reason}`, error);
  };
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutSeconds * 1000), redirect: "follow" });
  } catch (error) {
    throw failed(error);
  }
  if (!response.ok) throw failed(new Error(`HTTP Error ${response.status}: ${response.statusText}`));
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (declared > limits.maxBytes) throw tooLarge(url, limits);
  const progress = downloadProgress(url, Number.isFinite(declared) ? declared : undefined);
  const out = await open(to, "w");
  let size = 0;
  try {
    for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) throw tooLarge(url, limits);
      await out.write(chunk);
      progress.update(size);
    }
  } catch (error) {
    throw error instanceof BuildoutError ? error : failed(error);
  } finally {
    progress.done(size);
    await out.close();
  }
}

/** Fetch `url` to `destination`; returns the destination. */
export async function download(request: DownloadRequest): Promise<string> {
  const { url, destination } = request;
  const limits = request.limits ?? DOWNLOAD_LIMITS;
  const source = resolveSource(url, request.directory);
  mkdirSync(dirname(destination), { recursive: true });
  const temporary = join(dirname(destination), `.${basename(destination)}.${process.pid}.part`);
  try {
    if (source.kind === "file") {
      localSize(source.path, limits);
      copyFileSync(source.path, temporary);
    } else if (!(await fromCache(request, temporary))) {
      if (request.offline) throw new BuildoutError("UserError", `Couldn't download ${pyRepr(url)} in offline mode.`);
      await fetchHttp(url, temporary, limits);
    }
    checkMd5(await md5File(temporary), request.md5sum, `downloading ${pyRepr(url)}`);
    renameSync(temporary, destination);
    return destination;
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
