/**
 * Python values for the Jinja2 engine. Templates written for Python Jinja2
 * rely on Python semantics (an empty dict is false, `{{ True }}` prints
 * `True`, `'%s' % x` formats, `1 / 2` is `0.5`), so values keep their
 * Python type: str → string, int → number, bool → boolean, None → null,
 * list → Array, and classes below for float, tuple, dict, set, bytes,
 * callables, objects with attributes, and Jinja's undefined.
 */

export type PyValue =
  | string
  | number
  | boolean
  | null
  | PyFloat
  | PyValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyBytes
  | PyFunction
  | PyObject
  | Undefined;

/** A Python exception raised inside a template (KeyError, TypeError...). */
export class PyException extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}

export const typeError = (message: string) => new PyException("TypeError", message);

/** A Python float (JS numbers stand for ints). */
export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyTuple {
  constructor(
    readonly items: readonly PyValue[],
    /** A named tuple (`sys.version_info`): its type name and field names, readable as attributes. */
    readonly named?: { type: string; fields: readonly string[] },
  ) {}
}

export class PyBytes {
  constructor(readonly data: Uint8Array) {}
}

/** The key under which a hashable value is stored in a dict or set (1 == 1.0 == True). */
export function hashKey(value: PyValue): string {
  if (typeof value === "string") return "s" + value;
  if (typeof value === "number") return "n" + value;
  if (typeof value === "boolean") return "n" + (value ? 1 : 0);
  if (value === null) return "N";
  if (value instanceof PyFloat) return Number.isInteger(value.value) ? "n" + value.value : "f" + value.value;
  if (value instanceof PyTuple) return "t" + JSON.stringify(value.items.map(hashKey));
  if (value instanceof PyBytes) return "b" + Buffer.from(value.data).toString("hex");
  if (value instanceof PyFunction) return "F" + value.id;
  if (value instanceof Undefined) value.fail();
  throw typeError(`unhashable type: '${typeName(value)}'`);
}

/** An insertion-ordered dict with Python key equality. */
export class PyDict {
  readonly map = new Map<string, [PyValue, PyValue]>();

  static from(entries: Iterable<[PyValue, PyValue]>): PyDict {
    const dict = new PyDict();
    for (const [k, v] of entries) dict.set(k, v);
    return dict;
  }
  get size(): number {
    return this.map.size;
  }
  get(key: PyValue): PyValue | undefined {
    return this.map.get(hashKey(key))?.[1];
  }
  has(key: PyValue): boolean {
    return this.map.has(hashKey(key));
  }
  set(key: PyValue, value: PyValue): void {
    const h = hashKey(key);
    const existing = this.map.get(h);
    if (existing) existing[1] = value;
    else this.map.set(h, [key, value]);
  }
  delete(key: PyValue): boolean {
    return this.map.delete(hashKey(key));
  }
  keys(): PyValue[] {
    return [...this.map.values()].map((e) => e[0]);
  }
  values(): PyValue[] {
    return [...this.map.values()].map((e) => e[1]);
  }
  entries(): Array<[PyValue, PyValue]> {
    return [...this.map.values()].map((e) => [e[0], e[1]]);
  }
}

/** A set (insertion-ordered here; Python's order is unspecified). */
export class PySet {
  readonly map = new Map<string, PyValue>();
  constructor(
    items: Iterable<PyValue> = [],
    readonly frozen = false,
  ) {
    for (const item of items) this.map.set(hashKey(item), item);
  }
  get size(): number {
    return this.map.size;
  }
  has(item: PyValue): boolean {
    return this.map.has(hashKey(item));
  }
  add(item: PyValue): void {
    this.map.set(hashKey(item), item);
  }
  delete(item: PyValue): boolean {
    return this.map.delete(hashKey(item));
  }
  items(): PyValue[] {
    return [...this.map.values()];
  }
}

export type Kwargs = Record<string, PyValue>;
export type Callable = (args: PyValue[], kwargs: Kwargs) => PyValue;

let nextFunctionId = 1;

/** A callable: builtin, method, macro, or a type like `str` (then `typeOf` names it for isinstance). */
export class PyFunction {
  readonly id = nextFunctionId++;
  constructor(
    readonly name: string,
    readonly call: Callable,
    readonly typeOf?: string,
  ) {}
}

/** Anything with attributes: modules, the loop object, namespace(), match objects... */
export class PyObject {
  constructor(
    readonly typeName: string,
    readonly attrs: Map<string, PyValue> = new Map(),
    readonly mutable = false,
    /** Computed attributes, looked up when `attrs` has none. */
    readonly dynamic?: (name: string) => PyValue | undefined,
  ) {}
  getattr(name: string): PyValue | undefined {
    return this.attrs.get(name) ?? this.dynamic?.(name);
  }
}

/** Jinja's StrictUndefined: anything but `is defined` and `default` fails with its hint. */
export class Undefined {
  constructor(readonly hint: string) {}
  fail(): never {
    throw new PyException("UndefinedError", this.hint);
  }
}

/** The Python type name of a value, as error messages and `type()` show it. */
export function typeName(value: PyValue): string {
  if (typeof value === "string") return "str";
  if (typeof value === "number") return "int";
  if (typeof value === "boolean") return "bool";
  if (value === null) return "NoneType";
  if (Array.isArray(value)) return "list";
  if (value instanceof PyFloat) return "float";
  if (value instanceof PyTuple) return "tuple";
  if (value instanceof PyDict) return "dict";
  if (value instanceof PySet) return value.frozen ? "frozenset" : "set";
  if (value instanceof PyBytes) return "bytes";
  if (value instanceof PyFunction) return value.typeOf ? "type" : "function";
  if (value instanceof PyObject) return value.typeName;
  return "Undefined";
}

/** A float or int result: ints stay JS numbers, floats are wrapped. */
export function float(value: number): PyFloat {
  return new PyFloat(value);
}

export function tuple(...items: PyValue[]): PyTuple {
  return new PyTuple(items);
}
