/**
 * Writing the files of `slapos configure client` all together or not at
 * all: each is written (mode 0600) to a temporary name in the target
 * directory, then hard-linked to its final name — which fails instead of
 * replacing a file that appeared meanwhile — and only when every link is
 * made are the temporary names removed. Any failure removes what was
 * written; the command removes the folder too when it created it.
 */
import { accessSync, chmodSync, constants, existsSync, linkSync, mkdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { SlapError, messageOf } from "../errors.ts";
import type { Logger } from "../log/logger.ts";

export interface ClientFile {
  path: string;
  content: string;
  /** "configuration", "certificate", "key": for the log and the error. */
  what: string;
}

/** Put `temporary` at `path` unless something is there already. */
function placeNew(temporary: string, file: ClientFile): void {
  try {
    linkSync(temporary, file.path);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new SlapError("failure", `There is a file in ${file.path}. Please remove it before creating a new ${file.what}.`);
    // Some filesystems have no hard links: check, then rename (a narrower window, but still no overwrite of a file seen).
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "EMLINK") throw error;
  }
  if (existsSync(file.path)) throw new SlapError("failure", `There is a file in ${file.path}. Please remove it before creating a new ${file.what}.`);
  renameSync(temporary, file.path);
}

/**
 * Create `dir` (0700, parents too) if needed and check that files can be
 * made there, before anything is asked of the master. Returns the first
 * folder created, for `removeCreated` when the command fails later.
 */
export function prepareDirectory(dir: string, log: Logger): string | undefined {
  let created: string | undefined;
  if (!existsSync(dir)) {
    log.debug(`Creating directory ${dir}`);
    try {
      created = mkdirSync(dir, { recursive: true, mode: 0o700 }) ?? undefined;
    } catch (error) {
      throw new SlapError("failure", `cannot create the directory ${dir}: ${messageOf(error)}`, { cause: error });
    }
  }
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    removeCreated(created, dir);
    throw new SlapError("failure", `cannot write in ${dir}: ${messageOf(error)}`, { cause: error });
  }
  return created;
}

/** Write the files (into an existing folder); all or nothing. */
export function writeClientFiles(files: ClientFile[], log: Logger): void {
  const temporaries: string[] = [];
  const placed: string[] = [];
  try {
    for (const file of files) {
      const temporary = `${file.path}.${process.pid}.tmp`;
      log.debug(`Writing ${file.what} to ${file.path}`);
      temporaries.push(temporary);
      writeFileSync(temporary, file.content, { mode: 0o600, flag: "wx" });
      chmodSync(temporary, 0o600); // the umask may have taken bits away; 0600 is what the reference leaves
    }
    files.forEach((file, i) => {
      placeNew(temporaries[i], file);
      placed.push(file.path);
    });
  } catch (error) {
    for (const path of placed) rmSync(path, { force: true });
    if (error instanceof SlapError) throw error;
    throw new SlapError("failure", `cannot write the client configuration: ${messageOf(error)}`, { cause: error });
  } finally {
    for (const temporary of temporaries) rmSync(temporary, { force: true });
  }
}

/** Remove the (empty) folders from `dir` up to `top`, the first one `prepareDirectory` created. */
export function removeCreated(top: string | undefined, dir: string): void {
  if (top === undefined) return;
  let current = dir;
  for (;;) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    if (current === top || current.length <= top.length) return;
    current = current.slice(0, current.lastIndexOf("/"));
  }
}
