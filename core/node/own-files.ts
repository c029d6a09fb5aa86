/**
 * Files the node writes, as root, inside folders other users control (a
 * partition folder belongs to its partition user, a software folder to the
 * software user): `.timestamp`, `buildout.cfg`, `.completed`, the error and
 * retention files, the partition log. A symlink planted there must never
 * make the node write elsewhere: an existing symlink is replaced by the
 * file, the file is opened with O_NOFOLLOW, and folders on the way must be
 * real folders inside the root.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, rmSync, writeSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { SlapError } from "../errors.ts";

function dropSymlink(path: string): void {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(path, { force: true });
}

/** Write (or append to) `path` as a regular file, never through a symlink. */
export function writeOwnFile(path: string, content: string | Uint8Array, options: { mode?: number; append?: boolean } = {}): void {
  dropSymlink(path);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (options.append ? constants.O_APPEND : constants.O_TRUNC);
  const fd = openSync(path, flags, options.mode ?? 0o644);
  try {
    const bytes = typeof content === "string" ? Buffer.from(content) : content;
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
}

/**
 * `root/relative` as a real folder (created as needed): every existing
 * component must be a folder, not a symlink, and stay inside root.
 */
export function ownFolder(root: string, path: string): string {
  const base = resolve(root);
  const target = resolve(path);
  const rel = relative(base, target);
  if (rel.startsWith("..") || rel.startsWith(sep)) throw new SlapError("bad-request", `refusing ${target}: outside ${base}`);
  let current = base;
  for (const part of rel.split(sep).filter(Boolean)) {
    current = `${current}${sep}${part}`;
    const stat = lstatSync(current, { throwIfNoEntry: false });
    if (!stat) mkdirSync(current);
    else if (!stat.isDirectory()) {
      throw new SlapError("bad-request", `refusing ${current}: ${stat.isSymbolicLink() ? "a symlink" : "not a folder"} where the node keeps a folder`);
    }
  }
  const real = realpathSync(target);
  const realBase = realpathSync(base);
  if (real !== realBase && !real.startsWith(`${realBase}${sep}`)) throw new SlapError("bad-request", `refusing ${target}: it resolves to ${real}`);
  return target;
}
