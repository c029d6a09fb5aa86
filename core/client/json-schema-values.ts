/**
 * The values JSON Schema validation works on, as Python's jsonschema sees
 * them: objects (our ordered Maps or plain dicts), its type checks (an
 * integral float is an integer from draft 6 on), its deep equality (booleans
 * never equal numbers), `repr()` quoting and `json_path` rendering.
 */
import { PyFloat, isPlainDict, type PyValue } from "../slap/marshal/values.ts";
import { pyRepr, reprString } from "../slap/python-repr.ts";

/** A schema that cannot be used (unresolvable `$ref`, bad keyword value). */
export class SchemaProblem extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export type Path = Array<string | number>;

export function isObj(v: PyValue | undefined): v is Map<PyValue, PyValue> | Record<string, PyValue> {
  return v instanceof Map || (isPlainDict(v) && !(v instanceof PyFloat));
}

export function keys(v: Map<PyValue, PyValue> | Record<string, PyValue>): string[] {
  return v instanceof Map ? [...v.keys()].map(String) : Object.keys(v);
}

export function get(v: PyValue | undefined, key: string): PyValue | undefined {
  if (v instanceof Map) return v.get(key);
  if (isObj(v)) return (v as Record<string, PyValue>)[key];
  return undefined;
}

export function has(v: PyValue | undefined, key: string): boolean {
  if (v instanceof Map) return v.has(key);
  return isObj(v) && Object.prototype.hasOwnProperty.call(v, key);
}

export function entries(v: PyValue | undefined): Array<[string, PyValue]> {
  if (v instanceof Map) return [...v].map(([k, x]) => [String(k), x]);
  if (isObj(v)) return Object.entries(v as Record<string, PyValue>);
  return [];
}

export function num(v: PyValue | undefined): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

export function isNumber(v: PyValue | undefined): boolean {
  return num(v) !== undefined;
}

export function isInteger(v: PyValue | undefined, floatsToo: boolean): boolean {
  if (typeof v === "number") return Number.isInteger(v);
  if (typeof v === "bigint") return true;
  return floatsToo && v instanceof PyFloat && Number.isInteger(v.value);
}

export function textLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** jsonschema's `equal`: deep, with booleans never equal to numbers. */
export function equal(a: PyValue | undefined, b: PyValue | undefined): boolean {
  if (typeof a === "boolean" || typeof b === "boolean") return a === b;
  if (isNumber(a) && isNumber(b)) return num(a) === num(b);
  if (typeof a === "string" || typeof b === "string" || a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = keys(a);
    return ka.length === keys(b).length && ka.every((k) => has(b, k) && equal(get(a, k), get(b, k)));
  }
  return false;
}

export function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, "u");
  } catch {
    return new RegExp(pattern);
  }
}

/** repr() of a schema or instance value, as the messages quote them. */
export function repr(v: PyValue | undefined): string {
  return pyRepr(v);
}

export function jsonPath(path: Path): string {
  return (
    "$" +
    path
      .map((p) =>
        typeof p === "number" ? `[${p}]`
        : /^[a-zA-Z][a-zA-Z0-9_]*$/.test(p) ? `.${p}`
        : `['${p.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`,
      )
      .join("")
  );
}

export function typeOk(v: PyValue | undefined, type: string, draft: number): boolean {
  switch (type) {
    case "object":
      return isObj(v);
    case "array":
      return Array.isArray(v);
    case "string":
      return typeof v === "string";
    case "integer":
      return isInteger(v, draft >= 6);
    case "number":
      return isNumber(v);
    case "boolean":
      return typeof v === "boolean";
    case "null":
      return v === null;
    case "any":
      return true;
    default:
      throw new SchemaProblem("UnknownType", `Unknown type ${reprString(type)}`);
  }
}

export function draftOf(schema: PyValue): number {
  const uri = get(schema, "$schema");
  const match = typeof uri === "string" ? /draft-0(\d)/.exec(uri) : null;
  return match ? Number(match[1]) : 2020;
}
