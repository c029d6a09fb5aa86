/** Python operators on template values: truth, equality, order, arithmetic, items, iteration. */
import { pyRepr } from "./repr.ts";
import {
  PyBytes,
  PyDict,
  PyException,
  PyFloat,
  PyFunction,
  PyObject,
  PySet,
  PyTuple,
  Undefined,
  typeError,
  typeName,
  type PyValue,
} from "./types.ts";

export function truthy(value: PyValue): boolean {
  if (value instanceof Undefined) value.fail();
  if (value === null || value === false) return false;
  if (value === true) return true;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof PyTuple) return value.items.length > 0;
  if (value instanceof PyDict || value instanceof PySet) return value.size > 0;
  if (value instanceof PyBytes) return value.data.length > 0;
  if (value instanceof PyObject) {
    const length = value.getattr("__len__");
    if (typeof length === "number") return length > 0;
  }
  return true;
}

/** A numeric view of int, bool and float; undefined for anything else. */
export function numeric(value: PyValue): { n: number; float: boolean } | undefined {
  if (typeof value === "number") return { n: value, float: false };
  if (typeof value === "boolean") return { n: value ? 1 : 0, float: false };
  if (value instanceof PyFloat) return { n: value.value, float: true };
  return undefined;
}

export function eq(a: PyValue, b: PyValue): boolean {
  if (a instanceof Undefined || b instanceof Undefined) {
    // Jinja's Undefined compares equal only to another undefined.
    return a instanceof Undefined && b instanceof Undefined;
  }
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) return na.n === nb.n;
  if (na || nb) return false;
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => eq(x, b[i]!));
  if (a instanceof PyTuple && b instanceof PyTuple) return a.items.length === b.items.length && a.items.every((x, i) => eq(x, b.items[i]!));
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a.entries()) {
      if (!b.has(k) || !eq(v, b.get(k)!)) return false;
    }
    return true;
  }
  if (a instanceof PySet && b instanceof PySet) return a.size === b.size && a.items().every((x) => b.has(x));
  if (a instanceof PyBytes && b instanceof PyBytes) return Buffer.from(a.data).equals(Buffer.from(b.data));
  if (a instanceof PyObject && a !== b) {
    const custom = a.getattr("__eq__");
    if (custom instanceof PyFunction) return truthy(custom.call([b], {}));
  }
  return a === b;
}

function sequenceItems(value: PyValue): readonly PyValue[] | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple) return value.items;
  return undefined;
}

/** Python's ordering: negative, zero or positive; TypeError between unorderable types. */
export function compare(a: PyValue, b: PyValue, op = "<"): number {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) return na.n < nb.n ? -1 : na.n > nb.n ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  const sa = sequenceItems(a);
  const sb = sequenceItems(b);
  if (sa && sb && Array.isArray(a) === Array.isArray(b)) {
    for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
      if (!eq(sa[i]!, sb[i]!)) return compare(sa[i]!, sb[i]!, op);
    }
    return sa.length - sb.length;
  }
  if (a instanceof PySet && b instanceof PySet) {
    const subset = a.items().every((x) => b.has(x));
    const superset = b.items().every((x) => a.has(x));
    return subset && superset ? 0 : subset ? -1 : superset ? 1 : NaN;
  }
  throw typeError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function contains(container: PyValue, item: PyValue): boolean {
  if (container instanceof Undefined) container.fail();
  if (typeof container === "string") {
    if (typeof item !== "string") throw typeError(`'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => eq(x, item));
  if (container instanceof PyTuple) return container.items.some((x) => eq(x, item));
  if (container instanceof PyDict || container instanceof PySet) return container.has(item);
  if (container instanceof PyObject) {
    const fn = container.getattr("__contains__");
    if (fn instanceof PyFunction) return truthy(fn.call([item], {}));
  }
  throw typeError(`argument of type '${typeName(container)}' is not iterable`);
}

/** The items a `for` loop (or list()) sees: dict keys, string characters... */
export function iterate(value: PyValue): PyValue[] {
  if (value instanceof Undefined) value.fail();
  if (Array.isArray(value)) return [...value];
  if (typeof value === "string") return [...value];
  if (value instanceof PyTuple) return [...value.items];
  if (value instanceof PyDict) return value.keys();
  if (value instanceof PySet) return value.items();
  if (value instanceof PyBytes) return [...value.data];
  if (value instanceof PyObject) {
    const fn = value.getattr("__iter__");
    if (fn instanceof PyFunction) return iterate(fn.call([], {}));
  }
  throw typeError(`'${typeName(value)}' object is not iterable`);
}

export function length(value: PyValue): number {
  if (value instanceof Undefined) value.fail();
  if (typeof value === "string") return [...value].length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof PyTuple) return value.items.length;
  if (value instanceof PyDict || value instanceof PySet) return value.size;
  if (value instanceof PyBytes) return value.data.length;
  if (value instanceof PyObject) {
    const n = value.getattr("__len__");
    if (typeof n === "number") return n;
  }
  throw typeError(`object of type '${typeName(value)}' has no len()`);
}

function toInt(value: PyValue, what: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  throw typeError(`${what} must be integers, not ${typeName(value)}`);
}

function normaliseIndex(index: number, size: number): number {
  return index < 0 ? index + size : index;
}

/** Slice bounds as Python computes them. */
export function sliceIndices(size: number, start: PyValue, stop: PyValue, step: PyValue): number[] {
  const s = step === null ? 1 : toInt(step, "slice indices");
  if (s === 0) throw new PyException("ValueError", "slice step cannot be zero");
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  let a: number;
  let b: number;
  if (s > 0) {
    a = start === null ? 0 : clamp(normaliseIndex(toInt(start, "slice indices"), size), 0, size);
    b = stop === null ? size : clamp(normaliseIndex(toInt(stop, "slice indices"), size), 0, size);
  } else {
    a = start === null ? size - 1 : clamp(normaliseIndex(toInt(start, "slice indices"), size), -1, size - 1);
    b = stop === null ? -1 : clamp(normaliseIndex(toInt(stop, "slice indices"), size), -1, size - 1);
  }
  const out: number[] = [];
  if (s > 0) for (let i = a; i < b; i += s) out.push(i);
  else for (let i = a; i > b; i += s) out.push(i);
  return out;
}

export function slice(value: PyValue, start: PyValue, stop: PyValue, step: PyValue): PyValue {
  if (typeof value === "string") {
    const chars = [...value];
    return sliceIndices(chars.length, start, stop, step).map((i) => chars[i]).join("");
  }
  if (Array.isArray(value)) return sliceIndices(value.length, start, stop, step).map((i) => value[i]!);
  if (value instanceof PyTuple) return new PyTuple(sliceIndices(value.items.length, start, stop, step).map((i) => value.items[i]!));
  if (value instanceof PyBytes) return new PyBytes(Uint8Array.from(sliceIndices(value.data.length, start, stop, step).map((i) => value.data[i]!)));
  if (value instanceof Undefined) value.fail();
  if (value instanceof PyObject) {
    const fn = value.getattr("__slice__");
    if (fn instanceof PyFunction) return fn.call([start, stop, step], {});
  }
  throw typeError(`'${typeName(value)}' object is not subscriptable`);
}

/** `value[key]` with Python's errors (KeyError, IndexError, TypeError). */
export function getItem(value: PyValue, key: PyValue): PyValue {
  if (value instanceof Undefined) value.fail();
  if (value instanceof PyDict) {
    const found = value.get(key);
    if (found === undefined) throw new PyException("KeyError", pyRepr(key));
    return found;
  }
  const seq = typeof value === "string" ? [...value] : Array.isArray(value) ? value : value instanceof PyTuple ? value.items : undefined;
  if (seq) {
    const i = normaliseIndex(toInt(key, `${typeName(value)} indices`), seq.length);
    if (i < 0 || i >= seq.length) throw new PyException("IndexError", `${typeName(value)} index out of range`);
    return seq[i]!;
  }
  if (value instanceof PyBytes) {
    const i = normaliseIndex(toInt(key, "byte indices"), value.data.length);
    if (i < 0 || i >= value.data.length) throw new PyException("IndexError", "index out of range");
    return value.data[i]!;
  }
  if (value instanceof PyObject) {
    const fn = value.getattr("__getitem__");
    if (fn instanceof PyFunction) return fn.call([key], {});
  }
  throw typeError(`'${typeName(value)}' object is not subscriptable`);
}
