/** Comparison operators of `compare` nodes, and the names a macro body reads. */
import { compare, contains, eq } from "../../py/ops.ts";
import { Undefined, typeError, type PyValue } from "../../py/types.ts";

export function compareOp(op: string, a: PyValue, b: PyValue): boolean {
  switch (op) {
    case "==":
      if (a instanceof Undefined || b instanceof Undefined) (a instanceof Undefined ? a : (b as Undefined)).fail();
      return eq(a, b);
    case "!=":
      if (a instanceof Undefined || b instanceof Undefined) (a instanceof Undefined ? a : (b as Undefined)).fail();
      return !eq(a, b);
    case "<":
      return compare(a, b, "<") < 0;
    case "<=":
      return compare(a, b, "<=") <= 0;
    case ">":
      return compare(a, b, ">") > 0;
    case ">=":
      return compare(a, b, ">=") >= 0;
    case "in":
      return contains(b, a);
    case "notin":
      return !contains(b, a);
  }
  throw typeError(`unknown operator ${op}`);
}

/** Names read anywhere in a macro body (to know whether it takes varargs/kwargs). */
export function collectNames(node: unknown, names: Set<string>): void {
  if (Array.isArray(node)) {
    for (const x of node) collectNames(x, names);
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  if (record.kind === "name" && typeof record.name === "string" && "line" in record) names.add(record.name);
  if (record.kind === "macro") return;
  for (const value of Object.values(record)) if (value && typeof value === "object") collectNames(value, names);
}

