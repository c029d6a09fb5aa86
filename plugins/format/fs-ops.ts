/**
 * The filesystem operations of format, traced as the reference's `OS`
 * wrapper does (`makedirs('/srv/slapgrid', 493)` at DEBUG) and skipped in
 * dry-run.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from "node:fs";
import type { Logger } from "../../core/log/logger.ts";
import { reprString } from "../../core/slap/python-repr.ts";

export interface FsOps {
  makedirs(path: string, mode: number): void;
  mkdir(path: string, mode: number): void;
  chmod(path: string, mode: number): void;
  chown(path: string, uid: number, gid: number): void;
  readonly dryRun: boolean;
}

export function createFsOps(log: Logger, dryRun: boolean): FsOps {
  const trace = (name: string, path: string, ...numbers: number[]) =>
    log.debug(`${name}(${[reprString(path), ...numbers.map(String)].join(", ")})`);
  return {
    dryRun,
    makedirs(path, mode) {
      trace("makedirs", path, mode);
      if (!dryRun) mkdirSync(path, { recursive: true, mode });
    },
    mkdir(path, mode) {
      trace("mkdir", path, mode);
      if (!dryRun) mkdirSync(path, { mode });
    },
    chmod(path, mode) {
      trace("chmod", path, mode);
      if (!dryRun) chmodSync(path, mode);
    },
    chown(path, uid, gid) {
      trace("chown", path, uid, gid);
      if (!dryRun) chownSync(path, uid, gid);
    },
  };
}

/** Permission bits of a path, or undefined when it does not exist. */
export function modeOf(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  return statSync(path).mode & 0o7777;
}
