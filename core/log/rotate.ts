/**
 * Log files rotate themselves, so a node needs no logrotate: when a log
 * file (`--log-file`, per-run log files) passes SLAPOS_LOG_MAX_BYTES
 * (default 50 MiB), it becomes `<file>.1`, the former `.1` becomes `.2`,
 * and so on up to SLAPOS_LOG_BACKUPS files (default 5; the oldest is
 * dropped). 0 for either turns rotation off. The size is taken from the
 * file the first time a process writes to it, then counted, so rotation
 * costs no system call per record.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";

function setting(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

const sizes = new Map<string, number>();

let limits: { maxBytes: number; backups: number } | undefined;

/** The rotation settings, read from the environment once per process: every log record passes here. */
function rotationLimits(): { maxBytes: number; backups: number } {
  limits ??= { maxBytes: setting("SLAPOS_LOG_MAX_BYTES", 50 * 1024 * 1024), backups: setting("SLAPOS_LOG_BACKUPS", 5) };
  return limits;
}

/** Move `path` to `path.1` (and the older backups up), keeping at most `backups` of them. */
export function rotateFile(path: string, backups: number): void {
  rmSync(`${path}.${backups}`, { force: true });
  for (let n = backups - 1; n >= 1; n--) {
    if (existsSync(`${path}.${n}`)) renameSync(`${path}.${n}`, `${path}.${n + 1}`);
  }
  renameSync(path, `${path}.1`);
}

/** Account for `bytes` about to be appended to `path`, rotating it first when it would pass the limit. */
export function beforeAppend(path: string, bytes: number): void {
  const { maxBytes, backups } = rotationLimits();
  if (maxBytes === 0 || backups === 0) return;
  const actual = () => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  let size = sizes.get(path) ?? actual();
  // Near the limit, look again: another process may have rotated the file meanwhile.
  if (size + bytes > maxBytes) size = actual();
  if (size > 0 && size + bytes > maxBytes) {
    try {
      rotateFile(path, backups);
    } catch {
      // Another process rotated it first, or the folder is read-only: keep appending.
    }
    size = 0;
  }
  sizes.set(path, size + bytes);
}
