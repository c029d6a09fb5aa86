/**
 * Python's builtins (`str`, `len`, `sorted`, `isinstance`, `any`, ...) over
 * the shared value model: what section conditions see (zc.buildout
 * evaluates them with Python's builtins in scope) and what
 * slapos.recipe.template puts in every Jinja context.
 */
import { REQUIRED, bind, builtin } from "./args.ts";
import { binary } from "./arith.ts";
import { callValue } from "./call.ts";
import { toFloat, toInt } from "./convert.ts";
import { roundHalfEven } from "./decimal.ts";
import { formatSpec } from "./format.ts";
import { builtinAttr, pairs, sortValues } from "./methods.ts";
import { compare, eq, getItem, iterate, length, numeric, truthy } from "./ops.ts";
import { pyRepr, pyStr } from "./repr.ts";
import { PyBytes, PyDict, PyException, PyFloat, PyFunction, PyObject, PySet, PyTuple, Undefined, typeError, typeName, type Kwargs, type PyValue } from "./types.ts";

const MAX_RANGE = 100000;

function rangeItems(args: PyValue[]): { start: number; stop: number; step: number; items: number[] } {
  if (!args.length || args.length > 3) throw typeError(`range expected at most 3 arguments, got ${args.length}`);
  const ints = args.map((a) => toInt(a));
  const [start, stop, step] = ints.length === 1 ? [0, ints[0]!, 1] : [ints[0]!, ints[1]!, ints[2] ?? 1];
  if (step === 0) throw new PyException("ValueError", "range() arg 3 must not be zero");
  const items: number[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
    items.push(i);
    if (items.length > MAX_RANGE) throw new PyException("OverflowError", `Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`);
  }
  return { start, stop, step, items };
}

/** Python's slice(a, b, c).indices(length): the clamped start, stop and step. */
function sliceBounds(length: number, a: PyValue, b: PyValue, c: PyValue): [number, number, number] {
  const step = c === null ? 1 : toInt(c);
  if (step === 0) throw new PyException("ValueError", "slice step cannot be zero");
  const clamp = (v: PyValue, fallback: number, low: number, high: number) => {
    if (v === null) return fallback;
    let n = toInt(v);
    if (n < 0) n += length;
    return Math.min(Math.max(n, low), high);
  };
  return step > 0
    ? [clamp(a, 0, 0, length), clamp(b, length, 0, length), step]
    : [clamp(a, length - 1, -1, length - 1), clamp(b, -1, -1, length - 1), step];
}

/** A range object: iterable, sized, indexable, `range(0, 3)` when printed (not a list). */
function range(args: PyValue[]): PyObject {
  const { start, stop, step, items } = rangeItems(args);
  const attrs = new Map<string, PyValue>([
    ["start", start],
    ["stop", stop],
    ["step", step],
    ["__len__", items.length],
    ["__str__", step === 1 ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`],
    ["__iter__", new PyFunction("__iter__", () => items)],
    ["__contains__", new PyFunction("__contains__", ([x]) => items.some((i) => eq(i, x!)))],
    ["__getitem__", new PyFunction("__getitem__", ([key]) => getItem(items, key!))],
    ["__slice__", new PyFunction("__slice__", ([a, b, c]) => {
      // range's own slicing: range(start + i*step, start + j*step, step*k) over slice.indices(len).
      const [i, j, k] = sliceBounds(items.length, a!, b!, c!);
      return range([start + i * step, start + j * step, step * k]);
    })],
    ["__eq__", new PyFunction("__eq__", ([other]) => other instanceof PyObject && other.typeName === "range" && eq(iterate(other), items))],
    ["index", builtin("index", [["value", REQUIRED]], (v) => {
      const at = items.findIndex((i) => eq(i, v));
      if (at < 0) throw new PyException("ValueError", `${pyRepr(v)} is not in range`);
      return at;
    })],
    ["count", builtin("count", [["value", REQUIRED]], (v) => items.filter((i) => eq(i, v)).length)],
  ]);
  return new PyObject("range", attrs);
}

/** A type's call with at most `max` positional arguments, as Python checks it. */
function arity(name: string, args: PyValue[], max: number): void {
  if (args.length > max) throw typeError(`${name} expected at most ${max} argument${max === 1 ? "" : "s"}, got ${args.length}`);
}

export function makeDict(args: PyValue[], kwargs: Kwargs): PyDict {
  if (args.length > 1) throw typeError(`dict expected at most 1 argument, got ${args.length}`);
  const dict = args.length ? PyDict.from(pairs(args[0]!)) : new PyDict();
  for (const [k, v] of Object.entries(kwargs)) dict.set(k, v);
  return dict;
}

/** Is value an instance of the type callable `type`? */
function isInstance(value: PyValue, type: PyValue): boolean {
  if (type instanceof PyTuple) return type.items.some((t) => isInstance(value, t));
  if (!(type instanceof PyFunction) || !type.typeOf) throw typeError("isinstance() arg 2 must be a type or tuple of types");
  switch (type.typeOf) {
    case "str":
      return typeof value === "string";
    case "int":
      return typeof value === "number" || typeof value === "boolean";
    case "bool":
      return typeof value === "boolean";
    case "float":
      return value instanceof PyFloat;
    case "list":
      return Array.isArray(value);
    case "tuple":
      return value instanceof PyTuple;
    case "dict":
      return value instanceof PyDict;
    case "set":
      return value instanceof PySet && !value.frozen;
    case "frozenset":
      return value instanceof PySet && value.frozen;
    case "bytes":
      return value instanceof PyBytes;
    case "object":
      return true;
  }
  return false;
}

function extreme(name: string, sign: number) {
  return new PyFunction(name, (args, kwargs) => {
    const items = args.length === 1 ? iterate(args[0]!) : args;
    const key = kwargs.key ?? null;
    if (!items.length) {
      if ("default" in kwargs) return kwargs.default!;
      throw new PyException("ValueError", `${name}() arg is an empty sequence`);
    }
    const k = (x: PyValue) => (key === null ? x : callValue(key, [x], {}));
    return items.reduce((best, x) => (compare(k(x), k(best)) * sign > 0 ? x : best));
  });
}

function typeCallable(name: string, call: (args: PyValue[], kwargs: Kwargs) => PyValue): PyFunction {
  return new PyFunction(name, call, name);
}

/** The builtins, by name (a fresh map: callers add their own names). */
export function pythonBuiltins(): Map<string, PyValue> {
  const g = new Map<string, PyValue>();
  const set = (fn: PyFunction) => g.set(fn.name, fn);

  // Types.
  set(typeCallable("str", (args) => {
    arity("str", args, 3);
    if (!args.length) return "";
    if (args.length > 1) {
      if (!(args[0] instanceof PyBytes)) throw typeError("decoding str is not supported");
      if (typeof args[1] !== "string") throw typeError(`str() argument 'encoding' must be str, not ${typeName(args[1]!)}`);
    }
    if (args[0] instanceof PyBytes && args.length > 1) return new TextDecoder().decode(args[0].data);
    return pyStr(args[0]!);
  }));
  set(typeCallable("int", (args, kwargs) => {
    const [value, base] = bind("int", [["x", 0], ["base", null]], args, kwargs);
    return toInt(value!, base!);
  }));
  set(typeCallable("float", (args) => (arity("float", args, 1), args.length ? toFloat(args[0]!) : new PyFloat(0))));
  set(typeCallable("bool", (args) => (arity("bool", args, 1), args.length ? truthy(args[0]!) : false)));
  set(typeCallable("list", (args) => (arity("list", args, 1), args.length ? iterate(args[0]!) : [])));
  set(typeCallable("tuple", (args) => (arity("tuple", args, 1), new PyTuple(args.length ? iterate(args[0]!) : []))));
  set(typeCallable("dict", makeDict));
  set(typeCallable("set", (args) => (arity("set", args, 1), new PySet(args.length ? iterate(args[0]!) : []))));
  set(typeCallable("frozenset", (args) => (arity("frozenset", args, 1), new PySet(args.length ? iterate(args[0]!) : [], true))));
  set(typeCallable("bytes", (args) => new PyBytes(args.length ? Buffer.from(pyStr(args[0]!), "utf8") : new Uint8Array())));
  set(typeCallable("object", () => new PyObject("object")));

  // Functions.
  set(builtin("len", [["obj", REQUIRED]], (v) => length(v)));
  set(builtin("repr", [["obj", REQUIRED]], (v) => pyRepr(v)));
  set(builtin("abs", [["x", REQUIRED]], (v) => {
    const n = numeric(v);
    if (!n) throw typeError("bad operand type for abs()");
    return n.float ? new PyFloat(Math.abs(n.n)) : Math.abs(n.n);
  }));
  set(builtin("all", [["iterable", REQUIRED]], (v) => iterate(v).every(truthy)));
  set(builtin("any", [["iterable", REQUIRED]], (v) => iterate(v).some(truthy)));
  set(builtin("callable", [["obj", REQUIRED]], (v) => v instanceof PyFunction || (v instanceof PyObject && v.getattr("__call__") instanceof PyFunction)));
  set(builtin("chr", [["i", REQUIRED]], (v) => String.fromCodePoint(toInt(v))));
  set(builtin("ord", [["c", REQUIRED]], (v) => {
    const s = pyStr(v);
    if ([...s].length !== 1) throw typeError(`ord() expected a character, but string of length ${[...s].length} found`);
    return s.codePointAt(0)!;
  }));
  set(builtin("hex", [["x", REQUIRED]], (v) => (toInt(v) < 0 ? "-0x" + (-toInt(v)).toString(16) : "0x" + toInt(v).toString(16))));
  set(builtin("oct", [["x", REQUIRED]], (v) => (toInt(v) < 0 ? "-0o" + (-toInt(v)).toString(8) : "0o" + toInt(v).toString(8))));
  set(builtin("bin", [["x", REQUIRED]], (v) => (toInt(v) < 0 ? "-0b" + (-toInt(v)).toString(2) : "0b" + toInt(v).toString(2))));
  set(builtin("divmod", [["a", REQUIRED], ["b", REQUIRED]], (a, b) => new PyTuple([binary("//", a, b), binary("%", a, b)])));
  set(builtin("pow", [["base", REQUIRED], ["exp", REQUIRED], ["mod", null]], (a, b, m) => (m === null ? binary("**", a, b) : binary("%", binary("**", a, b), m))));
  set(builtin("round", [["number", REQUIRED], ["ndigits", null]], (v, nd) => {
    const n = numeric(v);
    if (!n) throw typeError("type doesn't define __round__ method");
    if (nd === null) return roundHalfEven(n.n, 0);
    const r = roundHalfEven(n.n, toInt(nd));
    return n.float ? new PyFloat(r) : r;
  }));
  set(builtin("format", [["value", REQUIRED], ["format_spec", ""]], (v, spec) => formatSpec(v, pyStr(spec))));
  set(builtin("sorted", [["iterable", REQUIRED], ["*key", null], ["*reverse", false]], (v, key, reverse) => sortValues(iterate(v), key, reverse)));
  set(builtin("reversed", [["seq", REQUIRED]], (v) => iterate(v).reverse()));
  set(builtin("enumerate", [["iterable", REQUIRED], ["start", 0]], (v, start) => iterate(v).map((x, i) => new PyTuple([i + toInt(start), x]))));
  set(builtin("iter", [["obj", REQUIRED]], (v) => iterate(v)));
  set(new PyFunction("zip", (args) => {
    const lists = args.map(iterate);
    const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    return Array.from({ length: n }, (_, i) => new PyTuple(lists.map((l) => l[i]!)));
  }));
  set(new PyFunction("map", (args) => {
    const [fn, ...its] = args;
    if (!fn || !its.length) throw typeError("map() must have at least two arguments.");
    const lists = its.map(iterate);
    const n = Math.min(...lists.map((l) => l.length));
    return Array.from({ length: n }, (_, i) => callValue(fn, lists.map((l) => l[i]!), {}));
  }));
  set(builtin("filter", [["function", REQUIRED], ["iterable", REQUIRED]], (fn, v) => iterate(v).filter((x) => truthy(fn === null ? x : callValue(fn, [x], {})))));
  set(extreme("max", 1));
  set(extreme("min", -1));
  set(builtin("sum", [["iterable", REQUIRED], ["start", 0]], (v, start) => iterate(v).reduce((acc, x) => binary("+", acc, x), start)));
  set(new PyFunction("range", (args) => range(args)));
  set(builtin("isinstance", [["obj", REQUIRED], ["class_or_tuple", REQUIRED]], (v, t) => isInstance(v, t)));
  set(new PyFunction("getattr", (args) => {
    if (args.length < 2) throw typeError("getattr expected at least 2 arguments");
    const found = args[0] instanceof Undefined ? args[0].fail() : builtinAttr(args[0]!, pyStr(args[1]!));
    if (found !== undefined) return found;
    if (args.length > 2) return args[2]!;
    throw new PyException("AttributeError", `object has no attribute '${pyStr(args[1]!)}'`);
  }));
  set(new PyFunction("next", (args) => {
    const it = args[0];
    const fn = it instanceof PyObject ? it.getattr("__next__") : undefined;
    if (!(fn instanceof PyFunction)) throw typeError(`'${it === undefined ? "NoneType" : "object"}' object is not an iterator`);
    return fn.call([], {});
  }));
  set(builtin("hasattr", [["obj", REQUIRED], ["name", REQUIRED]], (v, name) => builtinAttr(v, pyStr(name)) !== undefined));

  set(builtin("issubclass", [["cls", REQUIRED], ["class_or_tuple", REQUIRED]], (cls, t) => {
    const sub = (c: PyValue, parent: PyValue): boolean => {
      if (parent instanceof PyTuple) return parent.items.some((p) => sub(c, p));
      if (!(c instanceof PyFunction) || !c.typeOf || !(parent instanceof PyFunction) || !parent.typeOf) {
        throw typeError("issubclass() arg 1 must be a class");
      }
      return c === parent || parent.typeOf === "object" || (c.typeOf === "bool" && parent.typeOf === "int");
    };
    return sub(cls, t);
  }));
  set(builtin("ascii", [["obj", REQUIRED]], (v) =>
    pyRepr(v).replace(/[^\x00-\x7f]/gu, (ch) => {
      const c = ch.codePointAt(0)!;
      return c < 0x100 ? "\\x" + c.toString(16).padStart(2, "0") : c < 0x10000 ? "\\u" + c.toString(16).padStart(4, "0") : "\\U" + c.toString(16).padStart(8, "0");
    }),
  ));
  set(builtin("type", [["object", REQUIRED]], (v) => {
    const name = typeName(v);
    const known = g.get(name);
    return known instanceof PyFunction && known.typeOf ? known : new PyFunction(name, () => {
      throw typeError(`cannot create '${name}' instances`);
    }, name);
  }));
  return g;
}
