/**
 * Write a gzip tarball of a folder, natively: `tar.add(path, arcname=name)`
 * of Python's tarfile — the folder itself first, then its content
 * depth-first in sorted order; directories, regular files (hard links after
 * the first occurrence of an inode), symbolic links. Sockets, fifos and
 * devices are skipped (a software release has none). Streamed: one file
 * chunk in memory at a time.
 */
import { closeSync, createWriteStream, existsSync, lstatSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { createGzip } from "node:zlib";
import { SlapError } from "../../errors.ts";
import { BLOCK, encodeHeader, type TarHeader } from "./header.ts";

const CHUNK = 1024 * 1024;

function idNames(file: string): Map<number, string> {
  const out = new Map<number, string>();
  if (!existsSync(file)) return out;
  try {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const [name, , id] = line.split(":");
      if (name && id && /^\d+$/.test(id) && !out.has(Number(id))) out.set(Number(id), name);
    }
  } catch {
    // names are a courtesy for extraction as root elsewhere; numbers remain
  }
  return out;
}

export interface CreateOptions {
  /** gzip level; Python's tarfile uses 9, we default to 6 (much faster, a few % larger). */
  level?: number;
  /** Called for what is skipped (sockets, fifos, devices). */
  onSkip?: (path: string, why: string) => void;
}

/** Archive `source` as `arcname/...` into the gzip file `output`. */
export async function createTarGz(source: string, output: string, arcname: string, options: CreateOptions = {}): Promise<void> {
  const users = idNames("/etc/passwd");
  const groups = idNames("/etc/group");
  const gzip = createGzip({ level: options.level ?? 6 });
  const sink = createWriteStream(output, { mode: 0o600 });
  const done = new Promise<void>((resolve, reject) => {
    sink.on("finish", resolve);
    sink.on("error", reject);
    gzip.on("error", reject);
  });
  gzip.pipe(sink);
  const write = async (data: Uint8Array) => {
    if (!gzip.write(data)) await once(gzip, "drain");
  };
  const seen = new Map<string, string>();

  const header = (name: string, stats: Stats, type: TarHeader["type"], size = 0, linkname = ""): TarHeader => ({
    name,
    mode: stats.mode & 0o7777,
    uid: stats.uid,
    gid: stats.gid,
    size,
    mtime: Math.floor(stats.mtimeMs / 1000),
    type,
    flag: "",
    linkname,
    uname: users.get(stats.uid) ?? "",
    gname: groups.get(stats.gid) ?? "",
  });

  const addFile = async (path: string, name: string, stats: Stats) => {
    for (const block of encodeHeader(header(name, stats, "file", stats.size))) await write(block);
    const fd = openSync(path, "r");
    try {
      let left = stats.size;
      while (left > 0) {
        const buffer = new Uint8Array(Math.min(CHUNK, left));
        const read = readSync(fd, buffer, 0, buffer.length, null);
        if (read === 0) throw new SlapError("failure", `${path} shrank while it was being archived`);
        await write(read === buffer.length ? buffer : buffer.subarray(0, read));
        left -= read;
      }
    } finally {
      closeSync(fd);
    }
    const tail = (BLOCK - (stats.size % BLOCK)) % BLOCK;
    if (tail) await write(new Uint8Array(tail));
  };

  const add = async (path: string, name: string) => {
    const stats = lstatSync(path);
    if (stats.isDirectory()) {
      for (const block of encodeHeader(header(`${name}/`, stats, "directory"))) await write(block);
      for (const child of readdirSync(path).sort()) await add(join(path, child), `${name}/${child}`);
    } else if (stats.isSymbolicLink()) {
      for (const block of encodeHeader(header(name, stats, "symlink", 0, readlinkSync(path)))) await write(block);
    } else if (stats.isFile()) {
      const inode = `${stats.dev}:${stats.ino}`;
      const first = stats.nlink > 1 ? seen.get(inode) : undefined;
      if (first !== undefined) {
        for (const block of encodeHeader(header(name, stats, "hardlink", 0, first))) await write(block);
      } else {
        if (stats.nlink > 1) seen.set(inode, name);
        await addFile(path, name, stats);
      }
    } else {
      options.onSkip?.(path, "not a file, folder or symbolic link");
    }
  };

  try {
    await add(source, arcname);
    await write(new Uint8Array(BLOCK * 2));
    gzip.end();
    await done;
  } catch (error) {
    gzip.destroy();
    sink.destroy();
    throw error;
  }
}
