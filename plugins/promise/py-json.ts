/**
 * Python's `json.dumps(value)` with its defaults (core/slap/python-json.ts):
 * the reference writes status.json and cache files this way; writing them
 * byte for byte keeps `diff` quiet for users switching from slapos.core.
 */
import { PyFloat, type PyValue } from "../../core/slap/marshal/values.ts";
import { dumpsJson } from "../../core/slap/python-json.ts";

export { PyFloat };

/** What can be dumped: JSON values, with PyFloat for numbers that must print as floats. */
export type PyJson = null | boolean | number | string | PyFloat | PyJson[] | { [key: string]: PyJson | undefined };

export function pyJsonDumps(value: PyJson): string {
  return dumpsJson(value as PyValue);
}
