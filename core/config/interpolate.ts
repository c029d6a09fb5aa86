/**
 * ConfigParser's BasicInterpolation: `%(name)s` is replaced by the option
 * `name` of the same section (or of `[DEFAULT]`), `%%` is a literal `%`, and
 * any other `%` is an error. References nest up to 10 deep, as in Python.
 */
import { SlapError } from "../errors.ts";

const MAX_DEPTH = 10;

export type Lookup = (option: string) => string | undefined;

export function interpolate(value: string, lookup: Lookup, where: string, depth = 1): string {
  if (!value.includes("%")) return value;
  if (depth > MAX_DEPTH) {
    throw new SlapError("config", `${where}: interpolation nested deeper than ${MAX_DEPTH} levels`);
  }
  let out = "";
  let rest = value;
  while (rest) {
    const at = rest.indexOf("%");
    if (at < 0) {
      out += rest;
      break;
    }
    out += rest.slice(0, at);
    rest = rest.slice(at);
    if (rest.startsWith("%%")) {
      out += "%";
      rest = rest.slice(2);
      continue;
    }
    const ref = /^%\(([^)]+)\)s/.exec(rest);
    if (!ref) {
      throw new SlapError("config", `${where}: '%' must be followed by '%' or '(', found: ${JSON.stringify(rest)}`);
    }
    const name = ref[1].toLowerCase();
    const raw = lookup(name);
    if (raw === undefined) {
      throw new SlapError("config", `${where}: bad interpolation reference %(${ref[1]})s: no option '${name}'`);
    }
    out += interpolate(raw, lookup, where, depth + 1);
    rest = rest.slice(ref[0].length);
  }
  return out;
}
