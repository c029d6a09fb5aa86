/**
 * Python's posixpath as buildout uses it. Buildout compares file names as
 * strings (recursive-extends detection, annotate sources), so joins must not
 * normalise the way node:path does: `join("/a", "./b.cfg")` is "/a/./b.cfg".
 */
import { homedir } from "node:os";

/** posixpath.isabs */
export function isAbs(p: string): boolean {
  return p.startsWith("/");
}

/** posixpath.join (two or more parts). */
export function join(a: string, ...rest: string[]): string {
  let path = a;
  for (const b of rest) {
    if (b.startsWith("/")) path = b;
    else if (!path || path.endsWith("/")) path += b;
    else path += "/" + b;
  }
  return path;
}

/** posixpath.dirname */
export function dirname(p: string): string {
  const i = p.lastIndexOf("/") + 1;
  let head = p.slice(0, i);
  if (head && head !== "/".repeat(head.length)) head = head.replace(/\/+$/, "");
  return head;
}

/** posixpath.normpath */
export function normpath(p: string): string {
  if (!p) return ".";
  let initial = p.startsWith("/") ? 1 : 0;
  if (initial && p.startsWith("//") && !p.startsWith("///")) initial = 2;
  const out: string[] = [];
  for (const comp of p.split("/")) {
    if (!comp || comp === ".") continue;
    if (comp !== ".." || (!initial && !out.length) || (out.length && out[out.length - 1] === "..")) out.push(comp);
    else if (out.length) out.pop();
  }
  const joined = "/".repeat(initial) + out.join("/");
  return joined || ".";
}

/** posixpath.abspath, against `cwd`. */
export function abspath(p: string, cwd = process.cwd()): string {
  return normpath(isAbs(p) ? p : join(cwd, p));
}

/** posixpath.expanduser for `~` and `~/...` (other forms are left alone). */
export function expandUser(p: string): string {
  if (p !== "~" && !p.startsWith("~/")) return p;
  const home = process.env.HOME || homedir();
  return home.replace(/\/+$/, "") + p.slice(1) || "/";
}

/** zc.buildout's `_isurl`: `scheme://` at the start. */
export function isUrl(p: string): boolean {
  return /^[a-zA-Z0-9+.-]+:\/\//.test(p);
}
