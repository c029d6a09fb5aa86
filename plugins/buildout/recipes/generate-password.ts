/**
 * slapos.cookbook:generate.password — sets `passwd`, an alphanumeric
 * password of `bytes` characters (default 16), stable across runs because
 * it is kept in `storage-path` (default parts/<name>) as JSON
 * `{"": password, "passwd-<scheme>": hash}`. `passwd` may be given to
 * reuse the hashing. `passwd-<scheme>` options (sha512-crypt, bcrypt,
 * ldap-salted-sha1...) are computed on demand and stored with it.
 * `passwd` stays out of .installed.cfg (volatile). With `create-once`
 * false the storage file belongs to the part (removed on uninstall).
 */
import { randomInt } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { jsonDumps, jsonLoads } from "../py/json.ts";
import { PyDict } from "../py/types.ts";
import { UserError } from "./util/errors.ts";
import { writeAtomic } from "./util/files.ts";
import { isTrueValue } from "./util/options.ts";
import { hashPassword } from "./util/password-hash.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function generatePassword(length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** The stored dict: new JSON format, or an old plain-text password. */
function readStorage(path: string): Map<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const content = readFileSync(path, "utf8").replace(/^\n+|\n+$/g, "");
  try {
    const parsed = jsonLoads(content);
    if (parsed instanceof PyDict && parsed.has("")) {
      return new Map(parsed.entries().map(([k, v]) => [String(k), String(v)]));
    }
  } catch {
    // Not JSON: the old format, the password itself.
  }
  return new Map([["", content]]);
}

function serialise(dict: Map<string, string>): string {
  return jsonDumps(PyDict.from(dict.entries()), { sortKeys: true });
}

export const generatePasswordRecipe: RecipeFactory = (buildout, name, options) => {
  const createOnce = isTrueValue(options.get("create-once") ?? "True");
  let storagePath = options.get("storage-path");
  if (storagePath === undefined) {
    storagePath = join(buildout.buildout.get("parts-directory") ?? "parts", name);
    options.set("storage-path", storagePath);
  }
  const given = options.get("passwd");
  let dict = new Map<string, string>([["", given ?? ""]]);
  if (storagePath) {
    const stored = readStorage(storagePath);
    if (stored) dict = stored;
    if (given && dict.get("") !== given) dict = new Map([["", given]]);
  }
  let generated = false;
  if (!dict.get("")) {
    const length = Number(options.get("bytes") ?? "16");
    if (!Number.isInteger(length) || length <= 0) throw new UserError(`bytes must be a positive integer, got ${JSON.stringify(options.get("bytes"))}`);
    dict.set("", generatePassword(length));
    generated = true;
  }
  options.set("passwd", dict.get("")!);
  options.volatile?.("passwd");
  options.provide?.((key) => {
    if (!key.startsWith("passwd-")) return undefined;
    const known = dict.get(key);
    if (known !== undefined) return known;
    const hashed = hashPassword(key.slice("passwd-".length).replaceAll("-", "_"), dict.get("")!);
    if (hashed !== undefined) dict.set(key, hashed);
    return hashed;
  });

  const path = storagePath;
  const persist = (): string[] => {
    if (!path) return [];
    const serialised = serialise(dict);
    const stored = existsSync(path) ? readFileSync(path, "utf8") : undefined;
    if (stored !== serialised) writeAtomic(path, serialised, 0o600);
    return createOnce ? [] : [path];
  };
  return {
    install: persist,
    update() {
      // Upstream writes only when a password was generated; hashes asked
      // for since the last run are kept too, so they stay stable.
      if (generated || (path && existsSync(path) && readFileSync(path, "utf8") !== serialise(dict))) persist();
    },
  };
};
