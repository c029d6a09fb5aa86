/**
 * Who owns what: passwd lookups for privilege drops, HOME of children and
 * the USER/HOME of supervisor programs — one implementation for core and
 * the plugins (supervisor's `user=`, promise runs).
 */
import { readFileSync } from "node:fs";

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function parse(line: string): PasswdEntry | undefined {
  const fields = line.split(":");
  if (fields.length < 6 || fields[2] === "") return undefined;
  return { name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] };
}

function fromFile(key: string, numeric: boolean, path: string): PasswdEntry | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const entry = parse(line);
    if (entry && (numeric ? entry.uid === Number(key) : entry.name === key)) return entry;
  }
  return undefined;
}

function fromNss(key: string): PasswdEntry | undefined {
  try {
    const result = Bun.spawnSync(["getent", "passwd", key], { stdout: "pipe", stderr: "ignore" });
    return result.exitCode === 0 ? parse(result.stdout.toString().trim().split("\n")[0]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A user by name or uid (`pwd.getpwnam` / `pwd.getpwuid`): the passwd file
 * first (no process to start), then NSS through `getent` (LDAP, sss, …).
 */
export function lookupUser(user: string | number, passwdFile = "/etc/passwd"): PasswdEntry | undefined {
  const key = String(user).trim();
  if (!key) return undefined;
  const numeric = /^\d+$/.test(key);
  return fromFile(key, numeric, passwdFile) ?? fromNss(key);
}

/** The passwd entry of a uid. */
export function passwdByUid(uid: number): PasswdEntry | undefined {
  return lookupUser(uid);
}
