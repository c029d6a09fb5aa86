/**
 * `slapos node software` (node-runtime.md §2.1): every software release the
 * master lists for this computer, in its order — build what is available
 * and not completed, remove what is destroyed, report each state, isolate
 * failures, and optionally collect garbage.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../errors.ts";
import type { SoftwareJob } from "../../hooks/groups/software.ts";
import type { NodeRun } from "../context.ts";
import { removeTree } from "../disk.ts";
import { writeOwnFile } from "../own-files.ts";
import { softwareHash, softwarePath } from "../paths.ts";
import { asctimeC } from "../time-format.ts";
import { installSoftware } from "./install.ts";

export interface SoftwareRunOptions {
  /** --force / --all: rebuild even when completed. */
  develop: boolean;
  /** --only-sr: URLs or md5 hashes. */
  only: string[];
  garbageCollect: boolean;
}

/** Whether --only-sr selects this software: its hash, or the md5 of an entry, matches. */
export function selected(job: SoftwareJob, only: string[]): boolean {
  if (!only.length) return true;
  return only.some((entry) => entry === job.hash || softwareHash(entry) === job.hash);
}

async function report(run: NodeRun, what: () => Promise<unknown>, description: string): Promise<void> {
  try {
    await what();
  } catch (error) {
    if (error instanceof SlapError && error.code === "not-found") return;
    run.log.warning(`Could not report ${description} to the master: ${messageOf(error)}`);
  }
}

async function processOne(run: NodeRun, job: SoftwareJob, options: SoftwareRunOptions, kept: Set<string>): Promise<boolean> {
  const computer = run.options.computerId;
  await run.hooks.software.setup.promise(job);
  if (!selected(job, options.only)) {
    // filtered out: nothing is done or reported, but managers still see the end of it
  } else if (job.requestedState === "available") {
    kept.add(job.path);
    const completed = existsSync(join(job.path, ".completed"));
    const decided = await run.hooks.software.shouldBuild.promise({ ...job, completed, develop: options.develop });
    if (decided ?? (options.develop || !completed)) {
      run.log.info(`Installing software release ${job.url}...`);
      await report(run, () => run.master.softwareReleaseState("building", job.url, computer), "building");
      await run.hooks.software.state.promise({ ...job, state: "building" });
      await installSoftware(run, job, options.develop);
      // available is reported before .completed is written, so a failed report rebuilds next time
      await run.master.softwareReleaseState("available", job.url, computer);
      await run.hooks.software.state.promise({ ...job, state: "available" });
      writeOwnFile(join(job.path, ".completed"), asctimeC());
      run.log.info(`Software release ${job.url} is installed.`);
    } else {
      run.log.debug(`Software release ${job.url} is already installed.`);
    }
  } else if (job.requestedState === "destroyed") {
    if (existsSync(job.path)) {
      run.log.info(`Destroying '${job.url}' ...`);
      await run.hooks.software.destroy.promise(job);
      if (existsSync(job.path)) {
        run.log.info(`Removing path '${job.path}'`);
        removeTree(job.path);
      }
      run.log.info(`Destroyed '${job.url}' .`);
    }
    await run.master.softwareReleaseState("destroyed", job.url, computer);
    await run.hooks.software.state.promise({ ...job, state: "destroyed" });
  }
  await run.hooks.software.tearDown.promise(job);
  return true;
}

/** Folders named by a hash with a buildout.cfg that no available software release keeps. */
function garbage(softwareRoot: string, kept: Set<string>): string[] {
  if (!existsSync(softwareRoot)) return [];
  return readdirSync(softwareRoot)
    .filter((name) => /^[0-9a-f]{32}$/.test(name))
    .map((name) => join(softwareRoot, name))
    .filter((path) => existsSync(join(path, "buildout.cfg")) && !kept.has(path));
}

/** Process every software release; returns the exit code (0, or 1 if any failed). */
export async function processSoftwareReleases(run: NodeRun, options: SoftwareRunOptions): Promise<number> {
  run.log.info("Processing software releases...");
  const computer = await run.master.getFullComputerInformation(run.options.computerId);
  const releases = computer.getSoftwareReleaseList().map((release): SoftwareJob => {
    const url = release.getURI();
    return {
      url,
      hash: softwareHash(url),
      path: softwarePath(run.options.softwareRoot, url),
      requestedState: release.getState() === "destroyed" ? "destroyed" : "available",
    };
  });
  const jobs = await run.hooks.software.list.promise(releases);
  const kept = new Set<string>();
  let failed = false;
  for (const job of jobs) {
    try {
      await processOne(run, job, options, kept);
    } catch (error) {
      failed = true;
      const text = error instanceof SlapError && error.code === "buildout" ? error.message : (error as Error).stack ?? messageOf(error);
      run.log.error(`Problem while processing software release ${job.url}: ${messageOf(error)}`);
      await run.hooks.software.state.promise({ ...job, state: "error", log: text }).catch(() => undefined);
      await report(run, () => run.master.softwareReleaseError(job.url, run.options.computerId, text), "the error");
    }
  }
  if (options.garbageCollect) {
    const candidates = await run.hooks.software.gc.promise(garbage(run.options.softwareRoot, kept));
    for (const path of candidates) {
      run.log.info(`Destroying garbage collected software folder ${path} ...`);
      try {
        removeTree(path);
        run.log.info(`Destroyed ${path} .`);
      } catch (error) {
        run.log.error(`Problem while destroying garbage collected software folder: ${messageOf(error)}`);
      }
    }
  }
  run.log.info("Finished software releases.");
  return failed ? 1 : 0;
}
