/**
 * Installing one software release (node-runtime.md §2.2–2.4): from the
 * binary cache when its folder does not exist yet and a cache answers,
 * otherwise by running its buildout profile through the `buildout.run` hook,
 * then uploading the result when a cache wants it.
 */
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlapError } from "../../errors.ts";
import type { SoftwareJob } from "../../hooks/groups/software.ts";
import { required } from "../../hooks/loader.ts";
import type { NodeRun } from "../context.ts";
import { checkFreeSpace, parseSize } from "../disk.ts";
import { cleanEnvironment, ownerToDropTo } from "../spawn.ts";
import { passwdByUid } from "../users.ts";
import { lines, profileExists, softwareProfile } from "./profile.ts";

/** `networkcache:<key>=<value>` parameters the reference forwards to buildout (§2.4). */
const FORWARDED_NETWORKCACHE = [
  "signature-private-key-file", "upload-cache-url", "upload-dir-url", "shacache-ca-file", "shacache-cert-file",
  "shacache-key-file", "shadir-ca-file", "shadir-cert-file", "shadir-key-file",
];

export function buildoutParameters(run: NodeRun, job: SoftwareJob, develop: boolean): string[] {
  const raw = run.options.raw;
  const params = [`buildout:extends-cache=${join(job.path, "extends-cache")}`, `buildout:directory=${job.path}`];
  const set = FORWARDED_NETWORKCACHE.filter((key) => raw[key] !== undefined && raw[key] !== "");
  if (["signature-private-key-file", "upload-cache-url", "upload-dir-url"].some((k) => set.includes(k))) {
    params.push("buildout:networkcache-section=networkcache");
  }
  for (const key of set) params.push(`networkcache:${key}=${raw[key]}`);
  if (!develop) params.push("-N");
  params.push("-c", join(job.path, "buildout.cfg"));
  return params;
}

function startsWithAny(url: string, list: unknown): boolean {
  return lines(list).some((prefix) => url.startsWith(prefix));
}

/** Copy the software root owner's ~/.netrc into the software folder, or drop a stale copy. */
function syncNetrc(softwareRoot: string, path: string): void {
  const owner = passwdByUid(statSync(softwareRoot).uid);
  const source = owner ? join(owner.home, ".netrc") : undefined;
  const target = join(path, ".netrc");
  if (source && existsSync(source)) {
    copyFileSync(source, target);
    chmodSync(target, 0o600);
  } else if (existsSync(target)) {
    rmSync(target, { force: true });
  }
}

async function tryBinaryCache(run: NodeRun, job: SoftwareJob, temporary: string): Promise<boolean> {
  try {
    const tarball = await run.hooks.binaryCache.download.promise({ key: job.hash, url: job.url, destination: join(temporary, job.hash) });
    if (!tarball) return false;
    await run.hooks.binaryCache.extract.promise({ tarball, destination: run.options.softwareRoot });
    return existsSync(job.path);
  } catch (error) {
    run.log.info(`Binary cache not available for ${job.url}: ${(error as Error).message}`);
    return false;
  }
}

async function buildFromSource(run: NodeRun, job: SoftwareJob, develop: boolean): Promise<void> {
  const created = !existsSync(job.path);
  mkdirSync(job.path, { recursive: true });
  if (created) {
    chmodSync(job.path, 0o755);
    if (process.getuid?.() === 0) {
      const { uid, gid } = statSync(run.options.softwareRoot);
      chownSync(job.path, uid, gid);
    }
  }
  const profilePath = join(job.path, "buildout.cfg");
  if (!profileExists(profilePath)) {
    const raw = run.options.raw;
    let text = softwareProfile(job.url, lines(raw.shared_part_list), lines(raw.build_time_part_list));
    text = await run.hooks.software.buildoutProfile.promise(text, job);
    writeFileSync(profilePath, text);
  }
  syncNetrc(run.options.softwareRoot, job.path);
  const argv = await run.hooks.software.buildoutArgs.promise(["-U", ...buildoutParameters(run, job, develop)], job);
  const owner = ownerToDropTo(job.path);
  const env = run.hooks.buildout.env.call(cleanEnvironment(job.path), undefined);
  const result = await required(run.hooks.buildout.run, {
    directory: job.path,
    argv,
    env,
    uid: owner?.uid,
    gid: owner?.gid,
    fork: true,
  });
  if (result.code !== 0) {
    throw new SlapError("buildout", `Failed to run buildout profile in directory '${job.path}':\n${result.output}\n`, {
      logTail: result.output,
    });
  }
}

async function uploadIfWanted(run: NodeRun, job: SoftwareJob): Promise<void> {
  if (existsSync(join(job.path, ".shared"))) return;
  if (startsWithAny(job.url, run.options.raw["upload-to-binary-cache-url-blacklist"])) {
    run.log.info("Can't upload to binary cache: Software Release URL is blacklisted.");
    return;
  }
  const key = { key: job.hash, url: job.url, path: job.path };
  try {
    if (await run.hooks.binaryCache.shouldUpload.promise(key)) {
      await run.hooks.binaryCache.upload.promise({ ...key, metadata: { software_url: job.url, software_root: run.options.softwareRoot } });
    }
  } catch (error) {
    // An upload failure never fails the software release.
    run.log.warning(`Upload to the binary cache failed: ${(error as Error).message}`);
  }
}

/** install(): binary cache, or buildout then upload. */
export async function installSoftware(run: NodeRun, job: SoftwareJob, develop: boolean): Promise<void> {
  const minimum = parseSize(String(run.options.raw.software_min_free_space ?? "1000M"), "software_min_free_space");
  await run.hooks.software.checkSpace.promise({ path: job.path, required: minimum });
  checkFreeSpace(job.path, minimum, "software_min_free_space");
  const forced = startsWithAny(job.url, run.options.raw["download-from-binary-cache-force-url-list"]);
  const temporary = mkdtempSync(join(tmpdir(), "slapos-software-"));
  try {
    const existed = existsSync(job.path);
    if (!existed && (await tryBinaryCache(run, job, temporary))) return;
    if (forced) {
      const why = existed ? `but directory ${job.path} already exists` : "but failed to download";
      throw new SlapError("buildout", `Binary cache forced for ${job.url}, ${why}, will retry again`);
    }
    await buildFromSource(run, job, develop);
    await uploadIfWanted(run, job);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}
