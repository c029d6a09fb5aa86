/**
 * Python's `json.dumps(value)` with its defaults, byte for byte: `", "` and
 * `": "` separators, keys in insertion order, `ensure_ascii` (everything
 * outside printable ASCII escaped as `\uXXXX`, astral characters as a
 * surrogate pair), floats as `repr()`. Shadir entries are signed over this
 * exact text, and the shadir PUT body and the proxy's metadata files are
 * written in it (node-runtime.md §5.1, §10).
 */
import { floatRepr } from "../../core/slap/marshal/float-repr.ts";

/** A JSON value as Python would hold it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\b": "\\b",
  "\f": "\\f",
};

/** A JSON string literal as `json.dumps` writes it (ensure_ascii). */
export function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[char];
    if (short) out += short;
    else if (code >= 0x20 && code <= 0x7e) out += char;
    // UTF-16 code units are exactly the \uXXXX escapes Python writes (surrogate pairs included).
    else out += `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return out + '"';
}

function number(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  return Number.isInteger(value) && !Object.is(value, -0) && Math.abs(value) < 1e16 ? String(value) : floatRepr(value);
}

/** `json.dumps(value)`. */
export function pythonJsonDumps(value: JsonValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return pythonJsonString(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return number(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  const members = Object.entries(value).map(([key, member]) => `${pythonJsonString(key)}: ${pythonJsonDumps(member)}`);
  return `{${members.join(", ")}}`;
}
