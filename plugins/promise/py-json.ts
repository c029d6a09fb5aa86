/**
 * Python's `json.dumps(value)` with its defaults: `", "` and `": "`
 * separators, keys in insertion order, non-ASCII escaped as `\uXXXX`
 * (ensure_ascii), floats as `repr(float)`. The reference writes status.json
 * and cache files this way; writing them byte for byte keeps `diff` quiet for
 * users switching from slapos.core.
 */
import { floatRepr } from "../../core/slap/marshal/float-repr.ts";
import { PyFloat } from "../../core/slap/marshal/values.ts";

export { PyFloat };

/** What can be dumped: JSON values, with PyFloat for numbers that must print as floats. */
export type PyJson = null | boolean | number | string | PyFloat | PyJson[] | { [key: string]: PyJson | undefined };

const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string literal as Python writes it with ensure_ascii=True. */
export function pyJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    const code = text.charCodeAt(i);
    const escape = ESCAPES[char];
    if (escape) out += escape;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return out + '"';
}

function number(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return floatRepr(value);
}

export function pyJsonDumps(value: PyJson): string {
  if (value === null) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") return number(value);
  if (typeof value === "string") return pyJsonString(value);
  if (value instanceof PyFloat) {
    const v = value.value;
    return Number.isFinite(v) ? floatRepr(v) : number(v);
  }
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(", ")}]`;
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    parts.push(`${pyJsonString(key)}: ${pyJsonDumps(item)}`);
  }
  return `{${parts.join(", ")}}`;
}
