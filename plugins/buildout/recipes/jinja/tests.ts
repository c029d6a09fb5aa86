/** Jinja2's built-in tests (`is defined`, `is none`, `is divisibleby 3`...). */
import type { Environment, TestFn } from "./environment.ts";
import { compare, contains, eq, iterate, numeric } from "../../py/ops.ts";
import { PyBytes, PyDict, PyException, PyFloat, PyFunction, PyObject, PyTuple, Undefined, type PyValue } from "../../py/types.ts";

function arg(args: PyValue[], i: number, name: string): PyValue {
  if (args.length <= i) throw new PyException("TypeError", `test is missing its argument '${name}'`);
  return args[i]!;
}

const isString = (v: PyValue) => typeof v === "string";

const TESTS: Record<string, TestFn> = {
  defined: (_e, v) => !(v instanceof Undefined),
  undefined: (_e, v) => v instanceof Undefined,
  none: (_e, v) => v === null,
  boolean: (_e, v) => typeof v === "boolean",
  true: (_e, v) => v === true,
  false: (_e, v) => v === false,
  string: (_e, v) => isString(v),
  number: (_e, v) => typeof v === "number" || typeof v === "boolean" || v instanceof PyFloat,
  integer: (_e, v) => typeof v === "number",
  float: (_e, v) => v instanceof PyFloat,
  mapping: (_e, v) => v instanceof PyDict,
  sequence: (_e, v) => typeof v === "string" || Array.isArray(v) || v instanceof PyTuple || v instanceof PyDict || v instanceof PyBytes,
  iterable: (_e, v) => {
    if (v instanceof Undefined) return false;
    try {
      iterate(v);
      return true;
    } catch {
      return false;
    }
  },
  callable: (_e, v) => v instanceof PyFunction || (v instanceof PyObject && v.getattr("__call__") instanceof PyFunction),
  sameas: (_e, v, args) => {
    const other = arg(args, 0, "other");
    if (v === null || typeof v === "boolean") return v === other;
    return v === other;
  },
  escaped: () => false,
  odd: (_e, v) => Math.abs(numeric(v)?.n ?? NaN) % 2 === 1,
  even: (_e, v) => (numeric(v)?.n ?? NaN) % 2 === 0,
  divisibleby: (_e, v, args) => (numeric(v)?.n ?? NaN) % (numeric(arg(args, 0, "num"))?.n ?? NaN) === 0,
  lower: (_e, v) => typeof v === "string" && v === v.toLowerCase(),
  upper: (_e, v) => typeof v === "string" && v === v.toUpperCase(),
  eq: (_e, v, args) => eq(v, arg(args, 0, "other")),
  ne: (_e, v, args) => !eq(v, arg(args, 0, "other")),
  lt: (_e, v, args) => compare(v, arg(args, 0, "other")) < 0,
  le: (_e, v, args) => compare(v, arg(args, 0, "other")) <= 0,
  gt: (_e, v, args) => compare(v, arg(args, 0, "other")) > 0,
  ge: (_e, v, args) => compare(v, arg(args, 0, "other")) >= 0,
  in: (_e, v, args) => contains(arg(args, 0, "seq"), v),
  filter: (e: Environment, v) => typeof v === "string" && e.filters.has(v),
  test: (e: Environment, v) => typeof v === "string" && e.tests.has(v),
};

const ALIASES: Record<string, string> = {
  "==": "eq",
  equalto: "eq",
  "!=": "ne",
  "<": "lt",
  lessthan: "lt",
  "<=": "le",
  ">": "gt",
  greaterthan: "gt",
  ">=": "ge",
};

export function installTests(env: Environment): void {
  for (const [name, fn] of Object.entries(TESTS)) env.tests.set(name, fn);
  for (const [alias, name] of Object.entries(ALIASES)) env.tests.set(alias, TESTS[name]!);
}
