/**
 * The Python values that travel in marshal XML, as TypeScript values.
 *
 * | Python         | here                                              |
 * |----------------|---------------------------------------------------|
 * | None           | null                                              |
 * | bool           | boolean                                           |
 * | int            | number (safe integers) or bigint                  |
 * | float          | PyFloat (decoded); a non-integer number encodes as float too |
 * | str / bytes    | string                                            |
 * | tuple          | PyTuple (an Array subclass)                       |
 * | list           | Array                                             |
 * | dict           | plain object when every key is a string, else Map |
 * | set            | Set                                               |
 * | object         | PyObject (module, class, constructor args, state) |
 */

/** A Python float, kept distinct from int so that `1.0` survives a round trip. */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** A Python complex; not used by SLAP, decoded for completeness. */
export class PyComplex {
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {}
}

/** A Python tuple: written `<tuple>` without an id. */
export class PyTuple<T = PyValue> extends Array<T> {}

/** Build a tuple: `tuple("slappart0", "10.0.0.2")`. */
export function tuple(...items: PyValue[]): PyTuple {
  const out = new PyTuple();
  out.push(...items);
  return out;
}

/** An object of module.class: built from `args`, then `state` set as attributes. */
export class PyObject {
  constructor(
    readonly module: string,
    readonly className: string,
    readonly args: PyTuple,
    readonly state: PyDict,
  ) {}
}

export type PyDict = { [key: string]: PyValue };

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | PyComplex
  | PyTuple
  | PyValue[]
  | PyDict
  | Map<PyValue, PyValue>
  | Set<PyValue>
  | PyObject;

/** A dict with no inherited keys, so `__proto__` or `constructor` are ordinary keys. */
export function pyDict(entries: Iterable<[string, PyValue]> = []): PyDict {
  const dict = Object.create(null) as PyDict;
  for (const [key, value] of entries) dict[key] = value;
  return dict;
}

export function isPlainDict(value: unknown): value is PyDict {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
}
