/**
 * Disk usage of a partition folder, natively: what `du -s` prints, in KiB
 * (allocated blocks of every file, folder and link under it, each inode
 * counted once, symbolic links not followed), plus each `DATA/<name>` that
 * is a symbolic link to a folder (format-collect-cli.md §2.2 step 5).
 *
 * The pid-file guard is the reference's: `<pid_folder>/<user>_disk_size.pid`
 * holds the pid of the measure in progress; a live pid there means "another
 * collect is measuring this partition: skip it". The reference writes du's
 * pid; the walk runs in our own process, so we write ours, and remove the
 * file when done.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

/** Allocated size of a tree in 512-byte blocks; unreadable parts are skipped (counted as far as seen). */
function blocksOf(root: string, seen: Set<string>): number {
  let blocks = 0;
  const stack = [root];
  while (stack.length) {
    const path = stack.pop()!;
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      continue;
    }
    if (stats.nlink > 1 && !stats.isDirectory()) {
      const key = `${stats.dev}:${stats.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    blocks += stats.blocks;
    if (!stats.isDirectory()) continue;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      continue;
    }
    for (const name of names) stack.push(join(path, name));
  }
  return blocks;
}

/** `du -s path` (plus DATA/ links to folders), in KiB. */
export function folderSizeKiB(path: string): number {
  const seen = new Set<string>();
  let blocks = blocksOf(path, seen);
  const data = join(path, "DATA");
  let entries: string[] = [];
  try {
    entries = readdirSync(data);
  } catch {
    entries = [];
  }
  for (const name of entries) {
    const link = join(data, name);
    try {
      if (lstatSync(link).isSymbolicLink() && statSync(link).isDirectory()) blocks += blocksOf(`${link}/`, seen);
    } catch {
      // a dangling link measures nothing
    }
  }
  // du prints ceil(blocks / 2) KiB.
  return Math.ceil(blocks / 2);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid in a guard file when that process still runs. */
export function measureInProgress(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  let text: string;
  try {
    text = readFileSync(pidFile, "utf8").trim();
  } catch {
    return undefined;
  }
  const pid = Number(text);
  if (!text || !Number.isInteger(pid) || pid <= 0) return undefined;
  return alive(pid) && pid !== process.pid ? pid : undefined;
}

/**
 * Measure a folder under the pid-file guard: undefined when another live
 * process holds the guard, else the size in KiB.
 */
export function guardedFolderSize(path: string, pidFile: string | undefined): number | undefined {
  if (pidFile && measureInProgress(pidFile) !== undefined) return undefined;
  if (pidFile) {
    try {
      mkdirSync(join(pidFile, ".."), { recursive: true });
      const fd = openSync(pidFile, "w");
      writeSync(fd, String(process.pid));
      closeSync(fd);
    } catch {
      // Without a guard file the measure still runs, as the reference's would.
    }
  }
  try {
    return folderSizeKiB(path);
  } finally {
    if (pidFile) rmSync(pidFile, { force: true });
  }
}
