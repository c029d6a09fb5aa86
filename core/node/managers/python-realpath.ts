/**
 * Python's `os.path.realpath` (non-strict): symlinks are resolved as far as
 * they go, a missing component ends the resolution and the rest is joined as
 * written, a symlink loop leaves the path unresolved from the looping link on.
 * Node's realpathSync throws in all those cases; the devperm manager must
 * compare the very string the reference would (a dangling link to
 * `/dev/non` is `/dev/non`, then refused by the lsblk check).
 */
import { lstatSync, readlinkSync } from "node:fs";
import { resolve } from "node:path";

function parentOf(path: string): string {
  if (path === "/") return "/";
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? (path.startsWith("/") ? "/" : "") : path.slice(0, cut);
}

function join(path: string, name: string): string {
  if (!path) return name;
  return path.endsWith("/") ? path + name : `${path}/${name}`;
}

/** posixpath._joinrealpath: [resolved path, false when a loop stopped the resolution]. */
function joinRealpath(start: string, rest: string, seen: Map<string, string | undefined>): [string, boolean] {
  let path = start;
  if (rest.startsWith("/")) {
    rest = rest.replace(/^\/+/, "");
    path = "/";
  }
  const names = rest.split("/");
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (!name || name === ".") continue;
    if (name === "..") {
      if (!path) path = "..";
      else if (path.split("/").pop() === "..") path = `${path}/..`;
      else path = parentOf(path);
      continue;
    }
    const next = join(path, name);
    let isLink = false;
    try {
      isLink = Boolean(lstatSync(next, { throwIfNoEntry: false })?.isSymbolicLink());
    } catch {
      // ENOTDIR, EACCES…: not a link, as Python's OSError branch
    }
    if (!isLink) {
      path = next;
      continue;
    }
    if (seen.has(next)) {
      const known = seen.get(next);
      if (known !== undefined) {
        path = known;
        continue;
      }
      return [[next, ...names.slice(i + 1)].filter(Boolean).join("/"), false];
    }
    seen.set(next, undefined);
    const [resolved, ok] = joinRealpath(path, readlinkSync(next), seen);
    if (!ok) return [[resolved, ...names.slice(i + 1)].filter(Boolean).join("/"), false];
    path = resolved;
    seen.set(next, path);
  }
  return [path, true];
}

/** `os.path.realpath(path)`: absolute, symlinks resolved where they can be, never throws for a missing path. */
export function pythonRealpath(path: string): string {
  let start: [string, boolean];
  try {
    start = joinRealpath("", path, new Map());
  } catch {
    // lstat/readlink refused (permissions): as far as Python goes, the path as written
    start = [path, true];
  }
  return resolve(start[0] || ".");
}
