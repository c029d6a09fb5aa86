/**
 * Installing one software release (node-runtime.md §2.2–2.4): from the
 * binary cache when its folder does not exist yet and a cache answers,
 * otherwise by running its buildout profile through the `buildout.run` hook,
 * then uploading the result when a cache wants it.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../errors.ts";
import { tryBinaryDownload, uploadAfterBuild } from "./binary-cache.ts";
import type { SoftwareJob } from "../../hooks/groups/software.ts";
import { required } from "../../hooks/loader.ts";
import type { NodeRun } from "../context.ts";
import { checkFreeSpace, parseSize } from "../disk.ts";
import { ownFolder, writeOwnFile } from "../own-files.ts";
import { javascriptRuntime } from "../self.ts";
import { cleanEnvironment, ownerToDropTo } from "../spawn.ts";
import { passwdByUid } from "../users.ts";
import { gitNote, profileExists, softwareProfile } from "./profile.ts";

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

/** Copy the software root owner's ~/.netrc into the software folder, or drop a stale copy. */
function syncNetrc(softwareRoot: string, path: string): void {
  const owner = passwdByUid(statSync(softwareRoot).uid);
  const source = owner ? join(owner.home, ".netrc") : undefined;
  const target = join(path, ".netrc");
  // never through a symlink the software user may have planted
  rmSync(target, { force: true });
  if (source && existsSync(source)) {
    writeOwnFile(target, readFileSync(source), { mode: 0o600 });
    chmodSync(target, 0o600);
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
  syncNetrc(run.options.softwareRoot, job.path);
  const extendsCache = join(job.path, "extends-cache");
  ownFolder(job.path, extendsCache);
  const profilePath = join(job.path, "buildout.cfg");
  if (!profileExists(profilePath)) {
    const raw = run.options.raw;
    let text = softwareProfile(job.url, String(raw.shared_part_list ?? ""), String(raw.build_time_part_list ?? ""));
    text = await run.hooks.software.buildoutProfile.promise(text, job);
    writeOwnFile(profilePath, text);
  }
  const note = gitNote(job.url, readFileSync(profilePath, "utf8"));
  if (note) writeOwnFile(profilePath, note, { append: true });
  const argv = await run.hooks.software.buildoutArgs.promise(["-U", ...buildoutParameters(run, job, develop)], job);
  const owner = ownerToDropTo(job.path);
  const env = run.hooks.buildout.env.call({ ...cleanEnvironment(job.path), SLAPOS_EXECUTABLE: javascriptRuntime() }, undefined);
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

/** install(): binary cache, or buildout then upload. */
export async function installSoftware(run: NodeRun, job: SoftwareJob, develop: boolean): Promise<void> {
  const minimum = parseSize(String(run.options.raw.software_min_free_space ?? "1000M"), "software_min_free_space");
  await run.hooks.software.checkSpace.promise({ path: job.path, required: minimum });
  checkFreeSpace(job.path, minimum, "software_min_free_space");
  // Binary cache first (only when the folder does not exist; a forced URL throws instead of building),
  // then buildout, then the upload (plugins/shacache/README.md).
  if (await tryBinaryDownload(run.hooks.binaryCache, job)) return;
  await buildFromSource(run, job, develop);
  await uploadAfterBuild(run.hooks.binaryCache, job);
}
