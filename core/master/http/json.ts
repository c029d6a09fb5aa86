/**
 * JSON exactly as Python writes it: `json.dumps` (separators ", " and ": ",
 * keys in insertion order) for the JSON-RPC API, and Flask's JSON
 * (compact, keys sorted, trailing newline) for hateoas. Both escape
 * non-ASCII as \uXXXX. A `PyFloat` is written with Python's float repr, so
 * a REAL column that holds 1700000000.0 stays a float on the wire.
 */
import { PyFloat, type PyValue } from "../../slap/marshal/values.ts";
import { dumpsJson } from "../../slap/python-json.ts";

export type JsonValue = null | boolean | number | string | PyFloat | JsonValue[] | { [key: string]: JsonValue };

/** Python's `json.dumps(value)`. */
export function pythonJson(value: JsonValue): string {
  return dumpsJson(value as PyValue);
}

/** Flask's `jsonify(value)` body. */
export function flaskJson(value: JsonValue): string {
  return `${dumpsJson(value as PyValue, { sortKeys: true, separators: [",", ":"] })}\n`;
}

/** Parse a JSON body; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
