/** File writes shared by recipes: upstream's createFile, and writes that never leave half a file. */
import { chmodSync, closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, basename, join, resolve } from "node:path";

function sameContent(path: string, content: Buffer): { same: boolean; mode?: number } {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return { same: false };
  }
  try {
    const buffer = Buffer.alloc(content.length + 1);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return { same: read === content.length && buffer.subarray(0, read).equals(content), mode: fstatSync(fd).mode & 0o7777 };
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `content` to `path` with `mode`, as GenericBaseRecipe.createFile
 * does: an identical file is reused (only its mode fixed), so an update
 * costs no write. The new content goes to a temporary file renamed over
 * the old one, so a failure never leaves half a file. Returns the absolute path.
 */
export function createFile(path: string, content: string | Buffer, mode: number | undefined = 0o600): string {
  const absolute = resolve(path);
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const existing = sameContent(absolute, bytes);
  if (existing.same) {
    if (mode !== undefined && existing.mode !== mode) chmodSync(absolute, mode);
    return absolute;
  }
  writeAtomic(absolute, bytes, mode);
  return absolute;
}

/** Write through a temporary file in the same folder, then rename; the mode is set before the rename. */
export function writeAtomic(path: string, content: string | Buffer, mode?: number): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, content, mode === undefined ? {} : { mode });
    if (mode !== undefined) chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
