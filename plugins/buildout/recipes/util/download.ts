/**
 * Fetching what a recipe's `url` names: a local path (relative to the
 * buildout folder), a `file://` URL, or an `http(s)://` URL. HTTP goes
 * first through the binary cache (`hooks.binaryCache.download`, key
 * `file-urlmd5:<md5 of url>`) when a plugin answers it, else directly, with
 * a timeout and a size limit. An `md5sum` mismatch deletes what was fetched
 * and fails. Offline runs (every instance run) refuse the network, like
 * zc.buildout's Download.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve, basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { BuildoutView } from "../../recipe-api.ts";
import { UserError } from "./errors.ts";
import { stringRepr } from "../jinja/py/repr.ts";

/** Limits of one download; tests lower them. */
export interface DownloadLimits {
  /** Seconds before an HTTP download is abandoned. */
  timeoutSeconds: number;
  /** Bytes above which a download is abandoned. */
  maxBytes: number;
}

export const DEFAULT_LIMITS: DownloadLimits = { timeoutSeconds: 600, maxBytes: 8 * 1024 ** 3 };
/** Templates are read into memory: a smaller limit. */
export const TEMPLATE_LIMITS: DownloadLimits = { timeoutSeconds: 120, maxBytes: 64 * 1024 ** 2 };

export type Source = { kind: "file"; path: string } | { kind: "http"; url: string };

/** What a `url` option names: a file (relative paths against the buildout folder) or an HTTP URL. */
export function resolveSource(buildout: BuildoutView, url: string): Source {
  if (/^https?:\/\//i.test(url)) return { kind: "http", url };
  if (/^file:\/\//i.test(url)) return { kind: "file", path: fileURLToPath(url) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) throw new UserError(`unsupported URL scheme in ${JSON.stringify(url)}`);
  if (isAbsolute(url)) return { kind: "file", path: url };
  return { kind: "file", path: resolve(buildout.buildout.get("directory") ?? process.cwd(), url) };
}

/** md5 hex digest of a file, streamed. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export function md5Hex(data: string | Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

function checkMd5(actual: string, expected: string | undefined, what: string): void {
  if (expected && actual !== expected.trim().toLowerCase()) {
    throw new UserError(`MD5 checksum mismatch ${what}`);
  }
}

/** The content of a template or other small resource, md5-checked. */
export async function readResource(
  buildout: BuildoutView,
  url: string,
  md5sum?: string,
  limits: DownloadLimits = TEMPLATE_LIMITS,
): Promise<Buffer> {
  const source = resolveSource(buildout, url);
  if (source.kind === "file") {
    if (!existsSync(source.path)) throw new UserError(`no such file: ${source.path}`);
    if (statSync(source.path).size > limits.maxBytes) throw new UserError(`${source.path} is over ${limits.maxBytes} bytes`);
    const data = readFileSync(source.path);
    checkMd5(md5Hex(data), md5sum, `for local resource at ${stringRepr(url)}.`);
    return data;
  }
  const folder = mkdtempSync(join(tmpdir(), "slapos-resource-"));
  try {
    const temporary = join(folder, "resource");
    await downloadTo(buildout, source.url, temporary, md5sum, limits);
    return readFileSync(temporary);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Fetch `url` into `destination` (created through a temporary file beside
 * it, so nothing half-written remains): a file is copied, HTTP goes through
 * the binary cache hook or the network. A checksum mismatch deletes it and fails.
 */
export async function downloadTo(
  buildout: BuildoutView,
  url: string,
  destination: string,
  md5sum?: string,
  limits: DownloadLimits = DEFAULT_LIMITS,
): Promise<void> {
  const source = resolveSource(buildout, url);
  mkdirSync(dirname(destination), { recursive: true });
  const temporary = join(dirname(destination), `.${basename(destination)}.${process.pid}.part`);
  try {
    if (source.kind === "file") {
      if (!existsSync(source.path)) throw new UserError(`no such file: ${source.path}`);
      await copyLimited(source.path, temporary, limits);
    } else {
      await fetchHttp(buildout, source.url, temporary, limits, md5sum);
    }
    checkMd5(await md5File(temporary), md5sum, `downloading ${stringRepr(url)}`);
    renameSync(temporary, destination);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

async function copyLimited(from: string, to: string, limits: DownloadLimits): Promise<void> {
  if (statSync(from).size > limits.maxBytes) throw new UserError(`${from} is over the ${limits.maxBytes}-byte limit`);
  const out = await open(to, "w");
  try {
    for await (const chunk of createReadStream(from)) await out.write(chunk as Buffer);
  } finally {
    await out.close();
  }
}

async function fetchHttp(buildout: BuildoutView, url: string, to: string, limits: DownloadLimits, md5sum?: string): Promise<void> {
  const cache = buildout.hooks.binaryCache.download;
  if (cache.isUsed()) {
    try {
      const got = await cache.promise({ kind: "url", key: `file-urlmd5:${md5Hex(url)}`, url, md5sum, destination: to });
      if (got) {
        if (got.path !== to) renameSync(got.path, to);
        buildout.log.debug(`Downloaded ${url} from the binary cache`);
        return;
      }
    } catch (error) {
      buildout.log.warning(`binary cache download of ${url} failed, trying the network: ${String(error)}`);
      rmSync(to, { force: true });
    }
  }
  if (buildout.offline) throw new UserError(`Couldn't download ${JSON.stringify(url)} in offline mode.`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutSeconds * 1000), redirect: "follow" });
  } catch (error) {
    throw new UserError(`error downloading ${JSON.stringify(url)}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new UserError(`error downloading ${JSON.stringify(url)}: HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) throw new UserError(`${url} is over the ${limits.maxBytes}-byte limit`);
  const out = await open(to, "w");
  let total = 0;
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > limits.maxBytes) throw new UserError(`${url} is over the ${limits.maxBytes}-byte limit`);
        await out.write(chunk);
      }
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`error downloading ${JSON.stringify(url)}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await out.close();
  }
}
