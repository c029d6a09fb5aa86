/**
 * A small ustar + gzip writer for the day dumps (a flat folder of CSV
 * files), streamed so a large day never sits in memory: what Python's
 * `tarfile.open(name, "w:gz").add("<date>/")` gives the reference —
 * members `<date>/` then `<date>/<file>` in sorted order.
 */
import { closeSync, createWriteStream, lstatSync, openSync, readSync, readdirSync, renameSync, rmSync } from "node:fs";
import { once } from "node:events";
import { basename, dirname, join } from "node:path";
import { createGzip } from "node:zlib";

const BLOCK = 512;

function field(block: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > length) throw new Error(`tar field too long: ${text}`);
  block.set(bytes, offset);
}

function octal(block: Uint8Array, offset: number, length: number, value: number): void {
  field(block, offset, length, value.toString(8).padStart(length - 1, "0"));
}

/** One ustar header block. */
export function ustarHeader(entry: { name: string; mode: number; uid: number; gid: number; size: number; mtime: number; directory: boolean }): Uint8Array {
  const block = new Uint8Array(BLOCK);
  field(block, 0, 100, entry.name);
  octal(block, 100, 8, entry.mode & 0o7777);
  octal(block, 108, 8, entry.uid);
  octal(block, 116, 8, entry.gid);
  octal(block, 124, 12, entry.size);
  octal(block, 136, 12, Math.floor(entry.mtime));
  block.fill(0x20, 148, 156);
  block[156] = entry.directory ? 0x35 : 0x30;
  field(block, 257, 6, "ustar");
  field(block, 263, 2, "00");
  let sum = 0;
  for (const byte of block) sum += byte;
  field(block, 148, 7, sum.toString(8).padStart(6, "0") + "\0");
  return block;
}

/** Archive the folder `source` (files directly inside it) as `<output>`, written atomically. */
export async function tarGzFolder(source: string, output: string): Promise<void> {
  const name = basename(source);
  const temporary = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  const gzip = createGzip({ level: 6 });
  const sink = createWriteStream(temporary, { mode: 0o644 });
  const finished = new Promise<void>((resolve, reject) => {
    sink.on("finish", resolve);
    sink.on("error", reject);
    gzip.on("error", reject);
  });
  gzip.pipe(sink);
  const write = async (data: Uint8Array) => {
    if (!gzip.write(data)) await once(gzip, "drain");
  };
  try {
    const top = lstatSync(source);
    await write(ustarHeader({ name: `${name}/`, mode: top.mode, uid: top.uid, gid: top.gid, size: 0, mtime: top.mtimeMs / 1000, directory: true }));
    for (const child of readdirSync(source).sort()) {
      const path = join(source, child);
      const stats = lstatSync(path);
      if (!stats.isFile()) continue;
      await write(ustarHeader({ name: `${name}/${child}`, mode: stats.mode, uid: stats.uid, gid: stats.gid, size: stats.size, mtime: stats.mtimeMs / 1000, directory: false }));
      const fd = openSync(path, "r");
      try {
        let left = stats.size;
        while (left > 0) {
          const buffer = new Uint8Array(Math.min(1 << 20, left));
          const read = readSync(fd, buffer, 0, buffer.length, null);
          if (read === 0) throw new Error(`${path} shrank while it was archived`);
          await write(buffer.subarray(0, read));
          left -= read;
        }
      } finally {
        closeSync(fd);
      }
      const pad = (BLOCK - (stats.size % BLOCK)) % BLOCK;
      if (pad) await write(new Uint8Array(pad));
    }
    await write(new Uint8Array(BLOCK * 2));
    gzip.end();
    await finished;
    renameSync(temporary, output);
  } catch (error) {
    gzip.destroy();
    sink.destroy();
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The reference's compressLogFolder: every `*-*-*` folder of `folder` becomes `<name>.tar.gz` and is removed. */
export async function compressDayFolders(folder: string): Promise<string[]> {
  const archived: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^[^-]*-[^-]*-/.test(entry.name) || entry.name.startsWith(".")) continue;
    const source = join(folder, entry.name);
    const output = join(folder, `${entry.name}.tar.gz`);
    await tarGzFolder(source, output);
    rmSync(source, { recursive: true, force: true });
    archived.push(output);
  }
  return archived;
}
