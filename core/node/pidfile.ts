/**
 * The run lock of node commands (node-runtime.md §6): a pidfile holding the
 * pid, no newline. A live process whose command line mentions slapos holds
 * it (exit 10); anything else is stale and taken over.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SlapError } from "../errors.ts";
import { log } from "../log/logger.ts";

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return undefined;
  }
}

export interface RunLock {
  release(): void;
}

/** Take the pidfile or throw `already-running` (exit 10). */
export function acquirePidfile(path: string): RunLock {
  if (existsSync(path)) {
    const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
    const command = Number.isFinite(pid) && pid !== process.pid ? commandLineOf(pid) : undefined;
    if (command !== undefined && command.includes("slapos")) {
      throw new SlapError(
        "already-running",
        `New slapos process started, but another slapos process is aleady running with pid ${pid}, exiting.`,
      );
    }
    log.info(`Existing pid file ${path} was stale, overwritten`);
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}`;
  writeFileSync(temporary, String(process.pid));
  renameSync(temporary, path);
  return {
    release() {
      try {
        if (readFileSync(path, "utf8").trim() === String(process.pid)) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
