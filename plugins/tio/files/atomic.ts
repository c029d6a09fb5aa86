/**
 * Files written whole or not at all: into a temporary sibling, then renamed
 * over the target. A full disk leaves the previous version (or nothing) in
 * place, never a truncated file.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

function temporaryFor(path: string, folder = dirname(path)): string {
  return join(folder, `.${basename(path)}.${process.pid}.tmp`);
}

/**
 * Write `data` to `path` atomically (mode applies to a new file). The
 * temporary file goes in `temporaryFolder` (same filesystem) when readers
 * of the target folder must never see it.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, temporaryFolder?: string): void {
  writeChunksAtomic(path, [data], mode, temporaryFolder);
}

/** Write a sequence of chunks to `path` atomically, streaming them to disk. */
export function writeChunksAtomic(path: string, chunks: Iterable<string | Uint8Array>, mode = 0o644, temporaryFolder?: string): void {
  const temporary = temporaryFor(path, temporaryFolder);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, "w", mode);
    for (const chunk of chunks) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    }
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Batch small strings into ~64 KiB chunks (fewer write calls). */
export function* batched(lines: Iterable<string>, size = 65536): Generator<string> {
  let buffer = "";
  for (const line of lines) {
    buffer += line;
    if (buffer.length >= size) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer) yield buffer;
}
