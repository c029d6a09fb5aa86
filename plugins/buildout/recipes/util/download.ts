/**
 * What recipes fetch goes through the engine's download service
 * (`buildout.download`, run/download.ts: binary cache, offline refusal,
 * limits, progress, md5sum). Templates, read into memory, have smaller
 * limits; a local template is read in place.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BuildoutView, DownloadLimits } from "../../recipe-api.ts";
import { checkMd5, localSize, resolveSource as resolveUrl, type Source } from "../../run/download.ts";
import { stringRepr } from "../../py/repr.ts";
import { UserError } from "./errors.ts";

export type { Source };

/** Templates are read into memory: a smaller limit. */
export const TEMPLATE_LIMITS: DownloadLimits = { timeoutSeconds: 120, maxBytes: 64 * 1024 ** 2 };

function directoryOf(buildout: BuildoutView): string {
  return buildout.buildout.get("directory") ?? process.cwd();
}

/** What a `url` option names: a file (relative paths against the buildout folder) or an HTTP URL. */
export function resolveSource(buildout: BuildoutView, url: string): Source {
  return resolveUrl(url, directoryOf(buildout));
}

/** Fetch `url` into `destination` with the engine's download service. */
export async function downloadTo(buildout: BuildoutView, url: string, destination: string, md5sum?: string, limits?: DownloadLimits): Promise<void> {
  if (!buildout.download) throw new UserError("this buildout engine offers no download service");
  await buildout.download(url, destination, md5sum, limits);
}

/** The content of a template or other small resource, md5-checked. */
export async function readResource(buildout: BuildoutView, url: string, md5sum?: string, limits: DownloadLimits = TEMPLATE_LIMITS): Promise<Buffer> {
  const source = resolveSource(buildout, url);
  if (source.kind === "file") {
    localSize(source.path, limits);
    const data = readFileSync(source.path);
    checkMd5(createHash("md5").update(data).digest("hex"), md5sum, `for local resource at ${stringRepr(url)}.`);
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
