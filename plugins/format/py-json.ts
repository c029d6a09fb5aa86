/** Python's `json.dumps(value, sort_keys=True, indent=N)` byte for byte (core/slap/python-json.ts). */
import type { PyValue } from "../../core/slap/marshal/values.ts";
import { dumpsJson } from "../../core/slap/python-json.ts";

export function pyJsonDumps(value: unknown, indent: number): string {
  return dumpsJson(value as PyValue, { indent, sortKeys: true });
}
