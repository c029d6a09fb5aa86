/**
 * The two calls `slapos node software` makes to the binary cache around a
 * build (node-runtime.md §2.2, §5.2–5.3), through the `binaryCache` hooks.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import type { BinaryCacheHooks, CacheQuery, CacheUploadInput } from "../../hooks/groups/cache.ts";
import type { SoftwareJob } from "../../hooks/groups/software.ts";
import { log } from "../../log/logger.ts";
import { reprString } from "../../slap/python-repr.ts";

function softwareQuery(job: SoftwareJob): CacheQuery {
  return { kind: "software", key: job.hash, url: job.url, softwareRoot: dirname(job.path) };
}

function forcedError(message: string): SlapError {
  log.error(message);
  // BuildoutFailedError in the reference: reported to the master as a software release error.
  return new SlapError("buildout", message);
}

/**
 * Before building a software release: when SW_ROOT/H does not exist yet, try
 * the binary cache and unpack what it gives. True when the release is now
 * installed (no buildout, no upload). A cache failure is never fatal, except
 * for a release listed in download-from-binary-cache-force-url-list, which
 * throws (code "buildout") instead of being built.
 */
export async function tryBinaryDownload(cache: BinaryCacheHooks, job: SoftwareJob): Promise<boolean> {
  const query = softwareQuery(job);
  const forced = (await cache.forced.promise(query)) ?? false;
  if (existsSync(job.path)) {
    if (forced) {
      throw forcedError(`Binary cache forced for ${reprString(job.url)}, but directory ${job.path} already exists, will retry again`);
    }
    return false;
  }
  let installed = false;
  let work: string | undefined;
  try {
    work = mkdtempSync(join(query.softwareRoot!, `.binary-cache-${job.hash}-`));
    const got = await cache.download.promise({ ...query, destination: join(work, job.hash) });
    if (got) {
      log.info("Extracting archive of cached software release...");
      const done = await cache.extract.promise({ tarball: got.path, destination: query.softwareRoot!, topDir: job.hash });
      if (done === undefined) throw new SlapError("hook-untapped", "no plugin answered hook binaryCache.extract");
      installed = true;
    }
  } catch (error) {
    log.info(`Failed to install ${job.url} from the binary cache: ${messageOf(error)}`);
  } finally {
    if (work) rmSync(work, { recursive: true, force: true });
  }
  if (!installed && forced) throw forcedError(`Binary cache forced for ${reprString(job.url)}, but failed to download, will retry again`);
  return installed;
}

/**
 * After a successful source build: upload SW_ROOT/H when the backend agrees
 * (upload URLs set, no `.shared`, URL not blacklisted). Never throws; true
 * when uploaded.
 */
export async function uploadAfterBuild(cache: BinaryCacheHooks, job: SoftwareJob): Promise<boolean> {
  const input: CacheUploadInput = { ...softwareQuery(job), path: job.path };
  try {
    if (!(await cache.shouldUpload.promise(input))) return false;
    return (await cache.upload.promise(input)) ?? false;
  } catch (error) {
    log.info(`Failed to upload ${job.url} to the binary cache: ${messageOf(error)}`);
    return false;
  }
}
