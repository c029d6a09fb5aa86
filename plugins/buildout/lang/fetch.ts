/**
 * Fetching `extends` given as URLs, as zc.buildout's Download does it for
 * them: `file://` reads the local path, http(s) is refused offline, and an
 * `extends-cache` folder keeps each URL under the md5 of its text (with
 * `newest`, a fresh copy is tried first and the cached one kept on failure).
 * Network reads have a timeout and a size limit.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { BuildoutError } from "./errors.ts";
import { dirname, join } from "./pypath.ts";
import { downloadProgress } from "./progress.ts";

export interface FetchLimits {
  /** Seconds before a network read is abandoned. */
  timeoutSeconds: number;
  /** Largest body accepted, in bytes. */
  maxBytes: number;
}

export const EXTENDS_LIMITS: FetchLimits = { timeoutSeconds: 60, maxBytes: 16 * 1024 * 1024 };

export interface ExtendsDownload {
  /** `[buildout] directory`, against which a relative cache folder is taken. */
  directory: string;
  /** `extends-cache`, when set. */
  cache?: string;
  offline: boolean;
  /** Try the network even when a cached copy exists (newest and first time this run). */
  fallback: boolean;
  limits?: FetchLimits;
}

/** Python's urlparse(url, 'file'): the scheme and the path. */
function schemeAndPath(url: string): { scheme: string; path: string } {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  const scheme = m ? m[1].toLowerCase() : "file";
  let rest = m ? url.slice(m[0].length) : url;
  if (rest.startsWith("//")) {
    const slash = rest.indexOf("/", 2);
    rest = slash < 0 ? "" : rest.slice(slash);
  }
  rest = rest.replace(/[?#].*$/, "");
  return { scheme, path: rest };
}

/** Read an http(s) body with the limits; throws a plain Error on any failure. */
export async function httpGet(url: string, limits: FetchLimits): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(limits.timeoutSeconds * 1000), redirect: "follow" });
  if (!response.ok) throw new Error(`HTTP Error ${response.status}: ${response.statusText}`);
  const declared = Number(response.headers.get("content-length") ?? "NaN");
  if (declared > limits.maxBytes) throw new Error(`larger than ${limits.maxBytes} bytes`);
  const progress = downloadProgress(url, Number.isFinite(declared) ? declared : undefined);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > limits.maxBytes) throw new Error(`larger than ${limits.maxBytes} bytes`);
      chunks.push(chunk);
      progress.update(size);
    }
  } finally {
    progress.done(size);
  }
  return Buffer.concat(chunks);
}

async function download(url: string, settings: ExtendsDownload): Promise<Uint8Array> {
  const { scheme, path } = schemeAndPath(url);
  if (scheme === "file") return readLocal(path, url);
  if (settings.offline) throw new BuildoutError("ExtendsNotFound", `Couldn't download '${url}' in offline mode.`);
  if (scheme !== "http" && scheme !== "https") {
    throw new BuildoutError("ExtendsNotFound", `Error downloading extends for URL ${url}: unsupported scheme '${scheme}'`);
  }
  try {
    return await httpGet(url, settings.limits ?? EXTENDS_LIMITS);
  } catch (error) {
    const reason = error instanceof Error ? (error.name === "TimeoutError" ? "timed out" : error.message) : String(error);
    throw new BuildoutError("ExtendsNotFound", `Error downloading extends for URL ${url}: ${reason}`, error);
  }
}

/** A file's bytes; a file that cannot be read is an ExtendsNotFound naming `what` and the reason as Python words it. */
export function readLocal(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "No such file or directory" : code === "EISDIR" ? "Is a directory" : String(code);
    throw new BuildoutError("ExtendsNotFound", `Couldn't open ${what}: ${reason}`, error);
  }
}

/** The bytes of an extends URL, through the cache when one is configured. */
export async function fetchExtends(url: string, settings: ExtendsDownload): Promise<Uint8Array> {
  if (!settings.cache) return download(url, settings);
  const joined = join(settings.directory, settings.cache);
  if (!existsSync(joined)) {
    throw new BuildoutError("UserError", `The directory:\n'${joined}'\nto be used as a download cache doesn't exist.\n`);
  }
  const cacheDir = realpathSync(joined);
  const cached = join(cacheDir, createHash("md5").update(url).digest("hex"));
  if (existsSync(cached)) {
    if (settings.fallback) {
      try {
        store(cached, await download(url, settings));
      } catch {
        // keep the cached copy
      }
    }
    return readLocal(cached, cached);
  }
  const data = await download(url, settings);
  store(cached, data);
  return data;
}

function store(path: string, data: Uint8Array): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(temp, data);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new BuildoutError("UserError", `cannot write the extends cache ${path}: ${String(error)}`, error);
  }
}
