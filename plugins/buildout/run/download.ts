/**
 * The engine's download service (offered to recipes as `buildout.download`):
 * a local path, `file://` or http(s) URL fetched to a destination through a
 * temporary file beside it, with a timeout, a size limit and the live
 * progress indicator; refused offline; an md5sum that does not match deletes
 * what was fetched and fails, so nothing unchecked is left on disk.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BuildoutError } from "../lang/errors.ts";
import { httpGet, type FetchLimits } from "../lang/fetch.ts";

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
}

function md5(path: string): string {
  return createHash("md5").update(readFileSync(path)).digest("hex");
}

/** Fetch `url` to `destination`; returns the destination. */
export async function download(request: DownloadRequest): Promise<string> {
  const { url, destination } = request;
  const limits = request.limits ?? DOWNLOAD_LIMITS;
  mkdirSync(dirname(destination), { recursive: true });
  const temporary = join(dirname(destination), `.${basename(destination)}.${process.pid}.part`);
  try {
    if (/^https?:\/\//i.test(url)) {
      if (request.offline) throw new BuildoutError("UserError", `Couldn't download '${url}' in offline mode.`);
      let data: Uint8Array;
      try {
        data = await httpGet(url, limits);
      } catch (error) {
        throw new BuildoutError("UserError", `Error downloading ${url}: ${error instanceof Error ? error.message : String(error)}`, error);
      }
      writeFileSync(temporary, data);
    } else {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^file:\/\//i.test(url)) {
        throw new BuildoutError("UserError", `Unsupported URL scheme: ${url}`);
      }
      const path = /^file:\/\//i.test(url) ? fileURLToPath(url) : isAbsolute(url) ? url : resolve(request.directory, url);
      const size = statSync(path, { throwIfNoEntry: false })?.size;
      if (size === undefined) throw new BuildoutError("UserError", `No such file: ${path}`);
      if (size > limits.maxBytes) throw new BuildoutError("UserError", `${path} is larger than ${limits.maxBytes} bytes`);
      copyFileSync(path, temporary);
    }
    if (request.md5sum) {
      const actual = md5(temporary);
      if (actual !== request.md5sum.trim().toLowerCase()) {
        throw new BuildoutError("UserError", `MD5 checksum mismatch downloading '${url}': expected ${request.md5sum.trim()}, got ${actual}`);
      }
    }
    renameSync(temporary, destination);
    return destination;
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
