/**
 * Value converters with supervisord's rules (its datatypes.py): each takes
 * the option's text and returns the typed value, or throws a `BadValue`
 * whose message the loader prefixes with the file, section and option.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { constants } from "node:os";
import { expandHome } from "../../../core/config/discover.ts";
import { pyRepr } from "./expand.ts";
import { shlexTokens } from "./shlex.ts";

export class BadValue extends Error {}

const TRUTHY = ["yes", "true", "on", "1"];
const FALSY = ["no", "false", "off", "0"];

export function boolean(value: string): boolean {
  const v = value.toLowerCase();
  if (TRUTHY.includes(v)) return true;
  if (FALSY.includes(v)) return false;
  throw new BadValue(`not a valid boolean value: ${pyRepr(value)}`);
}

/** Python's int(): optional sign, digits, underscores between digits, surrounding blanks. */
export function integer(value: string): number {
  const v = value.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(v)) throw new BadValue(`invalid literal for int() with base 10: ${pyRepr(value)}`);
  return Number(v.replace(/_/g, ""));
}

export function nonNegative(value: string): number {
  const n = integer(value);
  if (n < 0) throw new BadValue(`must not be negative: ${pyRepr(value)}`);
  return n;
}

/** `50MB`, `100KB`, `1GB` or a number of bytes. */
export function byteSize(value: string): number {
  const v = value.toLowerCase();
  const units: Record<string, number> = { kb: 1024, mb: 1024 * 1024, gb: 1024 * 1024 * 1024 };
  const unit = units[v.slice(-2)];
  try {
    return unit ? integer(v.slice(0, -2)) * unit : integer(v);
  } catch {
    throw new BadValue(`not a valid byte size: ${pyRepr(value)}`);
  }
}

/** Signal numbers by name, from the platform (SIGTERM → 15). */
export const SIGNALS: Readonly<Record<string, number>> = Object.freeze({ ...constants.signals } as Record<string, number>);

export function signalName(number: number): string {
  for (const [name, n] of Object.entries(SIGNALS)) if (n === number && name !== "SIGIOT" && name !== "SIGPOLL") return name;
  return `signal ${number}`;
}

export function signalNumber(value: string): number {
  const v = value.trim();
  let n: number | undefined;
  if (/^[+-]?\d+$/.test(v)) n = Number(v);
  else {
    const upper = v.toUpperCase();
    n = SIGNALS[upper.startsWith("SIG") ? upper : `SIG${upper}`];
    if (n === undefined) throw new BadValue(`value ${pyRepr(value)} is not a valid signal name`);
  }
  if (!Object.values(SIGNALS).includes(n)) throw new BadValue(`value ${pyRepr(value)} is not a valid signal number`);
  return n;
}

export function exitcodes(value: string): number[] {
  if (!value) return [];
  const codes = value.split(",").map((part) => {
    const t = part.trim();
    if (!/^[+-]?\d+$/.test(t) || Number(t) < 0 || Number(t) > 255) {
      throw new BadValue(`not a valid list of exit codes: ${pyRepr(value)}`);
    }
    return Number(t);
  });
  return codes;
}

export function octal(value: string): number {
  if (!/^[0-7]+$/.test(value.trim())) throw new BadValue(`${value} can not be converted to an octal type`);
  return parseInt(value.trim(), 8);
}

/** `KEY=val,KEY2="v,2"` → record, with supervisord's shlex-based rules. */
export function keyValuePairs(value: string): Record<string, string> {
  let tokens: string[];
  try {
    tokens = shlexTokens(value, "/.+-():");
  } catch (error) {
    throw new BadValue(`${(error as Error).message} in ${pyRepr(value)}`);
  }
  const out: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i += 4) {
    const triple = tokens.slice(i, i + 3);
    if (triple.length !== 3 || triple[1] !== "=") {
      throw new BadValue(`Unexpected end of key/value pairs in value '${value}'`);
    }
    out[triple[0]] = triple[2].replace(/^['"]+|['"]+$/g, "");
  }
  return out;
}

export function listOfStrings(value: string | undefined): string[] {
  if (!value) return [];
  return value.split(",").map((s) => s.trim());
}

/** Group and program names may not contain a space, a colon or a slash. */
export function processOrGroupName(value: string): string {
  const s = value.trim();
  for (const c of [" ", ":", "/"]) {
    if (s.includes(c)) throw new BadValue(`Invalid name: ${pyRepr(value)} because of character: ${pyRepr(c)}`);
  }
  return s;
}

export type Autorestart = "true" | "false" | "unexpected";

export function autorestart(value: string): Autorestart {
  const v = value.toLowerCase();
  if (TRUTHY.includes(v)) return "true";
  if (FALSY.includes(v)) return "false";
  if (v === "unexpected") return "unexpected";
  throw new BadValue(`invalid 'autorestart' value ${pyRepr(v)}`);
}

export const LOG_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  critical: 50,
  error: 40,
  warn: 30,
  info: 20,
  debug: 10,
  trace: 5,
  blather: 3,
});

export function loggingLevel(value: string): number {
  const n = LOG_LEVELS[value.toLowerCase()];
  if (n === undefined) throw new BadValue(`bad logging level name ${pyRepr(value)}`);
  return n;
}

/** A path whose directory must exist (`~` expanded). */
export function existingDirpath(value: string): string {
  const path = expandHome(value);
  const dir = dirname(path);
  if (!dir || dir === "." || isDirectory(dir)) return path;
  throw new BadValue(`The directory named as part of the path ${value} does not exist`);
}

export function existingDirectory(value: string): string {
  const path = expandHome(value);
  if (isDirectory(path)) return path;
  throw new BadValue(`${value} is not an existing directory`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A log file value: a path, `NONE`/`off` (null) or `AUTO`. `syslog` is refused (not supported). */
export function logfileName(value: string): string | null | "AUTO" {
  const v = value.toLowerCase();
  if (v === "none" || v === "off") return null;
  if (v === "auto") return "AUTO";
  if (v === "syslog") throw new BadValue("syslog logging is not supported, use a file path");
  return existingDirpath(value);
}

/** `host:port`, `*:port` or `port` → [host, port]; an empty host means every address. */
export function inetAddress(value: string): [string, number] {
  let host = "";
  let portText = value;
  if (value.includes(":")) {
    const at = value.lastIndexOf(":");
    host = value.slice(0, at).toLowerCase();
    portText = value.slice(at + 1);
    if (!portText) throw new BadValue(`no port number specified in ${pyRepr(value)}`);
  }
  let port: number;
  try {
    port = integer(portText);
  } catch {
    throw new BadValue(`not a valid port number: ${pyRepr(portText)} `);
  }
  if (port < 1 || port > 0xffff) throw new BadValue(`${port} is out of the port range 1-65535`);
  if (host === "*") host = "";
  return [host, port];
}

/** A user by name or uid: core's lookup (passwd file, then NSS). */
import { lookupUser } from "../../../core/node/users.ts";
export { lookupUser };
export type { PasswdEntry } from "../../../core/node/users.ts";

export function nameToUid(value: string): number {
  const entry = lookupUser(value);
  if (!entry) throw new BadValue(/^\d+$/.test(value.trim()) ? `Invalid user id ${value}` : `Invalid user name ${value}`);
  return entry.uid;
}

/** `user:group` → [uid, gid] (gid -1 when absent), for `chown=`. */
export function userGroup(value: string): [number, number] {
  const [user, group] = value.split(":", 2);
  const uid = nameToUid(user);
  if (group === undefined) return [uid, -1];
  if (/^\d+$/.test(group)) return [uid, Number(group)];
  const line = existsSync("/etc/group")
    ? readFileSync("/etc/group", "utf8").split("\n").find((l) => l.split(":")[0] === group)
    : undefined;
  if (!line) throw new BadValue(`Invalid user:group definition ${value}`);
  return [uid, Number(line.split(":")[2])];
}

/** `unix:///path`, `http://host:port`: anything with a scheme and a location. */
export function url(value: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\/./i.test(value)) return value;
  throw new BadValue(`value ${pyRepr(value)} is not a URL`);
}
