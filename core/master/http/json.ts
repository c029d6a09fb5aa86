/**
 * JSON exactly as Python writes it: `json.dumps` (separators ", " and ": ",
 * keys in insertion order) for the JSON-RPC API, and Flask's JSON
 * (compact, keys sorted, trailing newline) for hateoas. Both escape
 * non-ASCII as \uXXXX. A `PyFloat` is written with Python's float repr, so
 * a REAL column that holds 1700000000.0 stays a float on the wire.
 */
import { compareCodePoints } from "../../slap/marshal/encode.ts";
import { floatRepr } from "../../slap/marshal/float-repr.ts";
import { PyFloat } from "../../slap/marshal/values.ts";

export type JsonValue = null | boolean | number | string | PyFloat | JsonValue[] | { [key: string]: JsonValue };

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const char = text[i];
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7f) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

function encode(value: JsonValue | undefined, sortKeys: boolean, comma: string, colon: string): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    return Number.isFinite(value) ? floatRepr(value) : Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  }
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return `[${value.map((v) => encode(v, sortKeys, comma, colon)).join(comma)}]`;
  let keys = Object.keys(value);
  if (sortKeys) keys = keys.sort(compareCodePoints);
  return `{${keys.map((k) => `${quote(k)}${colon}${encode(value[k], sortKeys, comma, colon)}`).join(comma)}}`;
}

/** Python's `json.dumps(value)`. */
export function pythonJson(value: JsonValue): string {
  return encode(value, false, ", ", ": ");
}

/** Flask's `jsonify(value)` body. */
export function flaskJson(value: JsonValue): string {
  return `${encode(value, true, ",", ":")}\n`;
}

/** Parse a JSON body; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
