/**
 * Shadir entries are JSON text written by Python's `json.dumps` (`", "` and
 * `": "`, insertion order, ensure_ascii): signatures are made over those
 * exact bytes, so ours must be the same (core/slap/python-json.ts).
 */
import type { PyValue } from "../../core/slap/marshal/values.ts";
import { dumpsJson } from "../../core/slap/python-json.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export function pythonJsonDumps(value: JsonValue): string {
  return dumpsJson(value as PyValue);
}
