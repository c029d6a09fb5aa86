/**
 * Unpack a software tarball (gzip tar with the top directory `H/`) into the
 * software root, natively and safely:
 *
 * - members are unpacked into a staging folder inside the destination, and
 *   `H` is renamed into place only when the whole archive was good — a
 *   failure never leaves a half-unpacked `SW_ROOT/H` (which the next run
 *   would mistake for a half-built release);
 * - refused: absolute names, `..` components, members outside `H/`, members
 *   whose path goes through a symlink or a file, hard links to anything but
 *   an earlier regular file of the archive, devices and fifos, and symlinks
 *   that (followed through the archive's own symlinks) end outside `H`
 *   (absolute targets are read relative to the final destination);
 * - modes (permission bits) and modification times are restored, directories'
 *   last; as root, everything is owned by the destination's owner (the
 *   reference's `_set_ownership` rule for the software folder).
 */
import {
  chmodSync,
  closeSync,
  existsSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from "node:fs";
import { createReadStream } from "node:fs";
import { join, resolve } from "node:path";
import { createGunzip } from "node:zlib";
import { SlapError, messageOf } from "../../errors.ts";
import { ByteReader } from "./byte-reader.ts";
import { tarMembers } from "./entries.ts";

export interface ExtractOptions {
  /** Every member must be under this one top directory (H). Required for atomic placement. */
  topDir: string;
}

type Kind = "dir" | "file" | "symlink";

class Unsafe extends SlapError {
  constructor(message: string) {
    super("unsafe-archive", message);
  }
}

function memberPath(name: string, topDir: string, what = "member"): string[] {
  if (name.includes("\0")) throw new Unsafe(`${what} ${JSON.stringify(name)} has a NUL character`);
  if (name.startsWith("/")) throw new Unsafe(`${what} ${JSON.stringify(name)} is an absolute path`);
  const parts = name.split("/").filter((part) => part && part !== ".");
  if (parts.includes("..")) throw new Unsafe(`${what} ${JSON.stringify(name)} has a ".." component`);
  if (parts.length && parts[0] !== topDir) throw new Unsafe(`${what} ${JSON.stringify(name)} is outside ${topDir}/`);
  return parts;
}

function splitPath(path: string): string[] {
  return path.split("/").filter((part) => part && part !== ".");
}

/** Follow a symlink's target through the staging tree; true when it ends inside `topDir`. */
function staysInside(staging: string, roots: string[], topDir: string, linkParts: string[], target: string): boolean {
  let stack: string[];
  let queue: string[];
  const fromAbsolute = (absolute: string): string[] | undefined => {
    for (const root of roots) {
      if (absolute === root) return [];
      if (absolute.startsWith(`${root}/`)) return splitPath(absolute.slice(root.length));
    }
    return undefined;
  };
  if (target.startsWith("/")) {
    const mapped = fromAbsolute(target);
    if (!mapped) return false;
    stack = [];
    queue = mapped;
  } else {
    stack = linkParts.slice(0, -1);
    queue = splitPath(target);
  }
  let hops = 0;
  while (queue.length) {
    const part = queue.shift()!;
    if (part === "..") {
      if (!stack.length) return false;
      stack.pop();
      continue;
    }
    stack.push(part);
    let isLink = false;
    try {
      isLink = lstatSync(join(staging, ...stack)).isSymbolicLink();
    } catch {
      continue; // does not exist: the rest is read as written
    }
    if (!isLink) continue;
    if (++hops > 40) return false;
    const next = readlinkSync(join(staging, ...stack));
    stack.pop();
    if (next.startsWith("/")) {
      const mapped = fromAbsolute(next);
      if (!mapped) return false;
      stack = [];
      queue = [...mapped, ...queue];
    } else {
      queue = [...splitPath(next), ...queue];
    }
  }
  return stack[0] === topDir;
}

function decompressed(tarball: string): AsyncIterator<Uint8Array> {
  const gunzip = createGunzip();
  const source = createReadStream(tarball);
  source.on("error", (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  return (gunzip as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
}

/** Unpack `tarball` so that `destination/topDir` appears, complete, or not at all. */
export async function extractTarGz(tarball: string, destination: string, options: ExtractOptions): Promise<string> {
  const { topDir } = options;
  if (!topDir || topDir.includes("/") || topDir === "." || topDir === "..") {
    throw new SlapError("usage", `invalid top directory ${JSON.stringify(topDir)}`);
  }
  const finalPath = join(destination, topDir);
  if (existsSync(finalPath)) throw new SlapError("failure", `${finalPath} already exists`);
  let real: string;
  try {
    real = realpathSync(destination);
  } catch (cause) {
    throw new SlapError("failure", `cannot extract into ${destination}: ${messageOf(cause)}`, { cause });
  }
  const roots = [...new Set([resolve(destination), real])];
  const owner = process.getuid?.() === 0 ? statSync(destination) : undefined;
  const staging = mkdtempSync(join(destination, `.extract-${topDir}-`));
  const records = new Map<string, Kind>();
  const directories: Array<{ path: string; mode: number; mtime: number; depth: number }> = [];
  const symlinks: Array<{ parts: string[]; target: string }> = [];
  const own = (path: string) => owner && lchownSync(path, owner.uid, owner.gid);
  const createParents = (parts: string[]) => {
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join("/");
      const kind = records.get(prefix);
      if (kind === undefined) {
        mkdirSync(join(staging, prefix));
        own(join(staging, prefix));
        records.set(prefix, "dir");
      } else if (kind !== "dir") {
        throw new Unsafe(`member ${parts.join("/")} goes through a ${kind === "symlink" ? "symbolic link" : "file"}`);
      }
    }
  };
  try {
    for await (const member of tarMembers(new ByteReader(decompressed(tarball)))) {
      const { header } = member;
      const parts = memberPath(header.name, topDir);
      if (!parts.length) continue; // "./"
      const rel = parts.join("/");
      const path = join(staging, rel);
      createParents(parts);
      const existing = records.get(rel);
      if (existing && !(existing === "dir" && header.type === "directory")) {
        if (existing === "dir") throw new Unsafe(`member ${rel} replaces a directory`);
        unlinkSync(path); // a later member wins, as with tar
      }
      switch (header.type) {
        case "directory":
          if (!existing) mkdirSync(path);
          own(path);
          records.set(rel, "dir");
          directories.push({ path, mode: header.mode & 0o7777, mtime: header.mtime, depth: parts.length });
          break;
        case "file": {
          const fd = openSync(path, "wx", 0o600);
          try {
            for await (const chunk of member.data()) {
              let offset = 0;
              while (offset < chunk.byteLength) offset += writeSync(fd, chunk, offset);
            }
          } finally {
            closeSync(fd);
          }
          own(path);
          chmodSync(path, header.mode & 0o7777);
          utimesSync(path, header.mtime, header.mtime);
          records.set(rel, "file");
          break;
        }
        case "symlink":
          if (header.linkname.startsWith("/") && !roots.some((r) => header.linkname.startsWith(`${r}/${topDir}`))) {
            throw new Unsafe(`symbolic link ${rel} points outside ${topDir}: ${header.linkname}`);
          }
          symlinkSync(header.linkname, path);
          own(path);
          records.set(rel, "symlink");
          symlinks.push({ parts, target: header.linkname });
          break;
        case "hardlink": {
          const targetRel = memberPath(header.linkname, topDir, "hard link target").join("/");
          if (records.get(targetRel) !== "file") {
            throw new Unsafe(`hard link ${rel} points to ${header.linkname}, which is not an earlier file of the archive`);
          }
          linkSync(join(staging, targetRel), path);
          records.set(rel, "file");
          break;
        }
        default:
          throw new Unsafe(`member ${rel} has an unsupported type (${header.type}, flag ${JSON.stringify(header.flag)})`);
      }
    }
    for (const link of symlinks) {
      if (!staysInside(staging, roots, topDir, link.parts, link.target)) {
        throw new Unsafe(`symbolic link ${link.parts.join("/")} points outside ${topDir}: ${link.target}`);
      }
    }
    if (!records.has(topDir)) throw new Unsafe(`the archive has no ${topDir}/ directory`);
    // Directories last, deepest first, so that read-only ones do not stop their children; the top one after the move.
    directories.sort((a, b) => b.depth - a.depth);
    for (const dir of directories) {
      if (dir.depth === 1) continue;
      chmodSync(dir.path, dir.mode);
      utimesSync(dir.path, dir.mtime, dir.mtime);
    }
    renameSync(join(staging, topDir), finalPath);
    const top = directories.find((d) => d.depth === 1);
    if (top) {
      chmodSync(finalPath, top.mode);
      utimesSync(finalPath, top.mtime, top.mtime);
    }
    return finalPath;
  } catch (error) {
    if (error instanceof SlapError) throw error;
    throw new SlapError("failure", `cannot extract ${tarball}: ${messageOf(error)}`, { cause: error });
  } finally {
    removeTree(staging);
  }
}

/** rm -rf that also gets through folders unpacked read-only. */
function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    const open = (dir: string) => {
      try {
        chmodSync(dir, 0o700);
        for (const name of readdirSync(dir)) {
          const child = join(dir, name);
          if (lstatSync(child).isDirectory()) open(child);
        }
      } catch {
        // best effort
      }
    };
    open(path);
    rmSync(path, { recursive: true, force: true });
  }
}
