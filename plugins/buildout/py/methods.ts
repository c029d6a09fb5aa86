/** Methods of Python's built-in types (str, list, dict, set, bytes), looked up as attributes. */
import { isSpace, lstrip, rstrip, strip } from "../lang/pystr.ts";
import { REQUIRED, bind, builtin, noKwargs } from "./args.ts";
import { strFormat } from "./format.ts";
import { compare, contains, eq, getItem, iterate, truthy } from "./ops.ts";
import { pyRepr, pyStr } from "./repr.ts";
import { PyBytes, PyDict, PyException, PyFunction, PyObject, PySet, PyTuple, Undefined, typeError, typeName, type Kwargs, type PyValue } from "./types.ts";

type Method = (self: any, args: PyValue[], kwargs: Kwargs) => PyValue;

function method(name: string, spec: Array<[string, PyValue | typeof REQUIRED]>, body: (self: any, ...values: PyValue[]) => PyValue): [string, Method] {
  return [name, (self, args, kwargs) => body(self, ...bind(name, spec, args, kwargs))];
}

/** str.strip/lstrip/rstrip: Python's whitespace (the engine's, lang/pystr.ts) or the given characters. */
function stripChars(text: string, chars: PyValue, left: boolean, right: boolean): string {
  if (chars === null) return left && right ? strip(text) : left ? lstrip(text) : rstrip(text);
  const set = String(chars);
  let a = 0;
  let b = text.length;
  if (left) while (a < b && set.includes(text[a]!)) a++;
  if (right) while (b > a && set.includes(text[b - 1]!)) b--;
  return text.slice(a, b);
}

function str(value: PyValue, what: string): string {
  if (typeof value !== "string") throw typeError(`${what} must be str, not ${typeName(value)}`);
  return value;
}


function split(text: string, sep: PyValue, maxsplit: PyValue): string[] {
  const max = typeof maxsplit === "number" && maxsplit >= 0 ? maxsplit : Infinity;
  if (sep === null) {
    const out: string[] = [];
    let i = 0;
    for (;;) {
      while (i < text.length && isSpace(text[i]!)) i++;
      if (i >= text.length) break;
      if (out.length >= max) {
        out.push(text.slice(i));
        break;
      }
      let j = i;
      while (j < text.length && !isSpace(text[j]!)) j++;
      out.push(text.slice(i, j));
      i = j;
    }
    return out;
  }
  const s = str(sep, "separator");
  if (!s) throw new PyException("ValueError", "empty separator");
  const parts = text.split(s);
  if (parts.length - 1 <= max) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(s)];
}

function rsplit(text: string, sep: PyValue, maxsplit: PyValue): string[] {
  const max = typeof maxsplit === "number" && maxsplit >= 0 ? maxsplit : Infinity;
  if (sep === null) {
    const out: string[] = [];
    let j = text.length;
    for (;;) {
      while (j > 0 && isSpace(text[j - 1]!)) j--;
      if (j <= 0) break;
      if (out.length >= max) {
        out.unshift(text.slice(0, j));
        break;
      }
      let i = j;
      while (i > 0 && !isSpace(text[i - 1]!)) i--;
      out.unshift(text.slice(i, j));
      j = i;
    }
    return out;
  }
  const s = str(sep, "separator");
  if (!s) throw new PyException("ValueError", "empty separator");
  const parts = text.split(s);
  if (parts.length - 1 <= max) return parts;
  return [parts.slice(0, parts.length - max).join(s), ...parts.slice(parts.length - max)];
}

function splitlines(text: string, keepends: PyValue): string[] {
  const out: string[] = [];
  const re = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    out.push(text.slice(last, truthy(keepends) ? m.index! + m[0].length : m.index));
    last = m.index! + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function prefixes(value: PyValue): string[] {
  if (value instanceof PyTuple) return value.items.map((x) => str(x, "prefix"));
  return [str(value, "startswith first arg")];
}

const STR_METHODS = new Map<string, Method>([
  method("split", [["sep", null], ["maxsplit", -1]], (s: string, sep, max) => split(s, sep, max)),
  method("rsplit", [["sep", null], ["maxsplit", -1]], (s: string, sep, max) => rsplit(s, sep, max)),
  method("splitlines", [["keepends", false]], (s: string, k) => splitlines(s, k)),
  method("strip", [["chars", null]], (s: string, c) => stripChars(s, c, true, true)),
  method("lstrip", [["chars", null]], (s: string, c) => stripChars(s, c, true, false)),
  method("rstrip", [["chars", null]], (s: string, c) => stripChars(s, c, false, true)),
  method("startswith", [["prefix", REQUIRED]], (s: string, p) => prefixes(p).some((x) => s.startsWith(x))),
  method("endswith", [["suffix", REQUIRED]], (s: string, p) => prefixes(p).some((x) => s.endsWith(x))),
  method("replace", [["old", REQUIRED], ["new", REQUIRED], ["count", -1]], (s: string, a, b, n) => {
    const parts = s.split(str(a, "replace() argument 1"));
    const max = typeof n === "number" && n >= 0 ? n : Infinity;
    if (parts.length - 1 <= max) return parts.join(str(b, "replace() argument 2"));
    return parts.slice(0, max + 1).join(b as string) + (a as string) + parts.slice(max + 1).join(a as string);
  }),
  method("lower", [], (s: string) => s.toLowerCase()),
  method("upper", [], (s: string) => s.toUpperCase()),
  method("casefold", [], (s: string) => s.toLowerCase()),
  method("title", [], (s: string) => s.toLowerCase().replace(/(^|[^a-zA-Z])([a-z])/g, (_m, a: string, b: string) => a + b.toUpperCase())),
  method("capitalize", [], (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s)),
  method("swapcase", [], (s: string) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("")),
  method("join", [["iterable", REQUIRED]], (s: string, it) =>
    iterate(it)
      .map((x) => {
        if (typeof x !== "string") throw typeError(`sequence item: expected str instance, ${typeName(x)} found`);
        return x;
      })
      .join(s),
  ),
  method("find", [["sub", REQUIRED], ["start", null], ["end", null]], (s: string, sub, a, b) => {
    const i = s.slice(0, b === null ? undefined : (b as number)).indexOf(str(sub, "find"), a === null ? 0 : (a as number));
    return i;
  }),
  method("rfind", [["sub", REQUIRED]], (s: string, sub) => s.lastIndexOf(str(sub, "rfind"))),
  method("index", [["sub", REQUIRED]], (s: string, sub) => {
    const i = s.indexOf(str(sub, "index"));
    if (i < 0) throw new PyException("ValueError", "substring not found");
    return i;
  }),
  method("rindex", [["sub", REQUIRED]], (s: string, sub) => {
    const i = s.lastIndexOf(str(sub, "rindex"));
    if (i < 0) throw new PyException("ValueError", "substring not found");
    return i;
  }),
  method("count", [["sub", REQUIRED]], (s: string, sub) => {
    const needle = str(sub, "count");
    return needle ? s.split(needle).length - 1 : [...s].length + 1;
  }),
  method("partition", [["sep", REQUIRED]], (s: string, sep) => {
    const i = s.indexOf(str(sep, "partition"));
    return i < 0 ? new PyTuple([s, "", ""]) : new PyTuple([s.slice(0, i), sep, s.slice(i + (sep as string).length)]);
  }),
  method("rpartition", [["sep", REQUIRED]], (s: string, sep) => {
    const i = s.lastIndexOf(str(sep, "rpartition"));
    return i < 0 ? new PyTuple(["", "", s]) : new PyTuple([s.slice(0, i), sep, s.slice(i + (sep as string).length)]);
  }),
  method("isdigit", [], (s: string) => /^\d+$/.test(s)),
  method("isdecimal", [], (s: string) => /^\d+$/.test(s)),
  method("isnumeric", [], (s: string) => /^\p{N}+$/u.test(s)),
  method("isalpha", [], (s: string) => /^\p{L}+$/u.test(s)),
  method("isalnum", [], (s: string) => /^[\p{L}\p{N}]+$/u.test(s)),
  method("isspace", [], (s: string) => s.length > 0 && [...s].every(isSpace)),
  method("islower", [], (s: string) => /\p{Ll}/u.test(s) && s === s.toLowerCase()),
  method("isupper", [], (s: string) => /\p{Lu}/u.test(s) && s === s.toUpperCase()),
  method("zfill", [["width", REQUIRED]], (s: string, w) => {
    const sign = s.startsWith("-") || s.startsWith("+") ? s[0]! : "";
    const body = sign ? s.slice(1) : s;
    return sign + body.padStart((w as number) - sign.length, "0");
  }),
  method("center", [["width", REQUIRED], ["fillchar", " "]], (s: string, w, f) => {
    const gap = (w as number) - [...s].length;
    if (gap <= 0) return s;
    const left = Math.floor(gap / 2) + (gap & (w as number) & 1);
    return (f as string).repeat(left) + s + (f as string).repeat(gap - left);
  }),
  method("ljust", [["width", REQUIRED], ["fillchar", " "]], (s: string, w, f) => s.padEnd(w as number, f as string)),
  method("rjust", [["width", REQUIRED], ["fillchar", " "]], (s: string, w, f) => s.padStart(w as number, f as string)),
  method("encode", [["encoding", "utf-8"], ["errors", "strict"]], (s: string) => new PyBytes(Buffer.from(s, "utf8"))),
  method("removeprefix", [["prefix", REQUIRED]], (s: string, p) => (s.startsWith(p as string) ? s.slice((p as string).length) : s)),
  method("removesuffix", [["suffix", REQUIRED]], (s: string, p) => (p && s.endsWith(p as string) ? s.slice(0, -(p as string).length) : s)),
]);

function listIndex(list: PyValue[], x: PyValue): number {
  const i = list.findIndex((y) => eq(x, y));
  if (i < 0) throw new PyException("ValueError", `${pyRepr(x)} is not in list`);
  return i;
}

/** list.sort / sorted with key and reverse; stable like Python's. */
export function sortValues(items: PyValue[], key: PyValue, reverse: PyValue): PyValue[] {
  const keyed = items.map((item) => ({ item, k: key instanceof PyFunction ? key.call([item], {}) : item }));
  keyed.sort((a, b) => compare(a.k, b.k));
  if (truthy(reverse)) {
    // Python's reverse sort keeps equal items in their original order.
    keyed.reverse();
    const out: typeof keyed = [];
    let i = 0;
    while (i < keyed.length) {
      let j = i;
      while (j + 1 < keyed.length && compare(keyed[j + 1]!.k, keyed[i]!.k) === 0) j++;
      out.push(...keyed.slice(i, j + 1).reverse());
      i = j + 1;
    }
    return out.map((x) => x.item);
  }
  return keyed.map((x) => x.item);
}

const LIST_METHODS = new Map<string, Method>([
  method("append", [["object", REQUIRED]], (l: PyValue[], x) => {
    l.push(x);
    return null;
  }),
  method("extend", [["iterable", REQUIRED]], (l: PyValue[], it) => {
    l.push(...iterate(it));
    return null;
  }),
  method("insert", [["index", REQUIRED], ["object", REQUIRED]], (l: PyValue[], i, x) => {
    let at = i as number;
    if (at < 0) at = Math.max(0, l.length + at);
    l.splice(Math.min(at, l.length), 0, x);
    return null;
  }),
  method("pop", [["index", -1]], (l: PyValue[], i) => {
    if (!l.length) throw new PyException("IndexError", "pop from empty list");
    let at = i as number;
    if (at < 0) at += l.length;
    if (at < 0 || at >= l.length) throw new PyException("IndexError", "pop index out of range");
    return l.splice(at, 1)[0]!;
  }),
  method("remove", [["value", REQUIRED]], (l: PyValue[], x) => {
    l.splice(listIndex(l, x), 1);
    return null;
  }),
  method("index", [["value", REQUIRED]], (l: PyValue[], x) => listIndex(l, x)),
  method("count", [["value", REQUIRED]], (l: PyValue[], x) => l.filter((y) => eq(x, y)).length),
  method("reverse", [], (l: PyValue[]) => {
    l.reverse();
    return null;
  }),
  method("copy", [], (l: PyValue[]) => [...l]),
  method("clear", [], (l: PyValue[]) => {
    l.length = 0;
    return null;
  }),
  ["sort", (l: PyValue[], args, kwargs) => {
    if (args.length) throw typeError("sort() takes no positional arguments");
    const [key, reverse] = bind("sort", [["key", null], ["reverse", false]], [], kwargs);
    const sorted = sortValues(l, key!, reverse!);
    l.splice(0, l.length, ...sorted);
    return null;
  }],
]);

const TUPLE_METHODS = new Map<string, Method>([
  method("index", [["value", REQUIRED]], (t: PyTuple, x) => listIndex([...t.items], x)),
  method("count", [["value", REQUIRED]], (t: PyTuple, x) => t.items.filter((y) => eq(x, y)).length),
]);

/** dict(...) / dict.update(...) input: a mapping or an iterable of pairs. */
export function pairs(value: PyValue): Array<[PyValue, PyValue]> {
  if (value instanceof PyDict) return value.entries();
  return iterate(value).map((item) => {
    const kv = iterate(item);
    if (kv.length !== 2) throw new PyException("ValueError", `dictionary update sequence element has length ${kv.length}; 2 is required`);
    return [kv[0]!, kv[1]!];
  });
}

const DICT_METHODS = new Map<string, Method>([
  method("get", [["key", REQUIRED], ["default", null]], (d: PyDict, k, fallback) => d.get(k) ?? fallback),
  method("items", [], (d: PyDict) => d.entries().map(([k, v]) => new PyTuple([k, v]))),
  method("keys", [], (d: PyDict) => d.keys()),
  method("values", [], (d: PyDict) => d.values()),
  method("iteritems", [], (d: PyDict) => d.entries().map(([k, v]) => new PyTuple([k, v]))),
  method("iterkeys", [], (d: PyDict) => d.keys()),
  method("itervalues", [], (d: PyDict) => d.values()),
  method("has_key", [["key", REQUIRED]], (d: PyDict, k) => d.has(k)),
  method("setdefault", [["key", REQUIRED], ["default", null]], (d: PyDict, k, v) => {
    if (!d.has(k)) d.set(k, v);
    return d.get(k)!;
  }),
  ["pop", (d: PyDict, args, kwargs) => {
    noKwargs("pop", kwargs);
    if (!args.length || args.length > 2) throw typeError(`pop expected at most 2 arguments, got ${args.length}`);
    const found = d.get(args[0]!);
    if (found === undefined) {
      if (args.length === 2) return args[1]!;
      throw new PyException("KeyError", pyRepr(args[0]!));
    }
    d.delete(args[0]!);
    return found;
  }],
  method("popitem", [], (d: PyDict) => {
    const entries = d.entries();
    if (!entries.length) throw new PyException("KeyError", "'popitem(): dictionary is empty'");
    const [k, v] = entries[entries.length - 1]!;
    d.delete(k);
    return new PyTuple([k, v]);
  }),
  ["update", (d: PyDict, args, kwargs) => {
    if (args.length > 1) throw typeError(`update expected at most 1 argument, got ${args.length}`);
    if (args.length) for (const [k, v] of pairs(args[0]!)) d.set(k, v);
    for (const [k, v] of Object.entries(kwargs)) d.set(k, v);
    return null;
  }],
  method("copy", [], (d: PyDict) => PyDict.from(d.entries())),
  method("clear", [], (d: PyDict) => {
    d.map.clear();
    return null;
  }),
]);

const SET_METHODS = new Map<string, Method>([
  method("add", [["elem", REQUIRED]], (s: PySet, x) => {
    s.add(x);
    return null;
  }),
  method("discard", [["elem", REQUIRED]], (s: PySet, x) => {
    s.delete(x);
    return null;
  }),
  method("remove", [["elem", REQUIRED]], (s: PySet, x) => {
    if (!s.delete(x)) throw new PyException("KeyError", pyRepr(x));
    return null;
  }),
  ["update", (s: PySet, args) => {
    for (const it of args) for (const x of iterate(it)) s.add(x);
    return null;
  }],
  ["union", (s: PySet, args) => new PySet([...s.items(), ...args.flatMap((a) => iterate(a))], s.frozen)],
  ["intersection", (s: PySet, args) => new PySet(s.items().filter((x) => args.every((a) => contains(new PySet(iterate(a)), x))), s.frozen)],
  ["difference", (s: PySet, args) => new PySet(s.items().filter((x) => !args.some((a) => contains(new PySet(iterate(a)), x))), s.frozen)],
  method("issubset", [["other", REQUIRED]], (s: PySet, o) => s.items().every((x) => contains(new PySet(iterate(o)), x))),
  method("issuperset", [["other", REQUIRED]], (s: PySet, o) => iterate(o).every((x) => s.has(x))),
  method("copy", [], (s: PySet) => new PySet(s.items(), s.frozen)),
]);

const BYTES_METHODS = new Map<string, Method>([
  method("decode", [["encoding", "utf-8"], ["errors", "strict"]], (b: PyBytes) => new TextDecoder("utf-8", { fatal: true }).decode(b.data)),
  method("hex", [], (b: PyBytes) => Buffer.from(b.data).toString("hex")),
]);

function bound(name: string, self: PyValue, fn: Method): PyFunction {
  return new PyFunction(name, (args, kwargs) => fn(self, args, kwargs));
}

/**
 * An attribute of a built-in value (a bound method, or an object's
 * attribute); undefined when there is none (Jinja then tries the item).
 */
export function builtinAttr(value: PyValue, name: string): PyValue | undefined {
  let table: Map<string, Method> | undefined;
  if (typeof value === "string") {
    if (name === "format") return new PyFunction("format", (args, kwargs) => strFormat(value, args, kwargs, getattrOrFail, getItem));
    table = STR_METHODS;
  } else if (Array.isArray(value)) table = LIST_METHODS;
  else if (value instanceof PyTuple) {
    const field = value.named?.fields.indexOf(name) ?? -1;
    if (field >= 0) return value.items[field];
    table = TUPLE_METHODS;
  }
  else if (value instanceof PyDict) table = DICT_METHODS;
  else if (value instanceof PySet) table = value.frozen ? new Map([...SET_METHODS].filter(([k]) => !["add", "discard", "remove", "update"].includes(k))) : SET_METHODS;
  else if (value instanceof PyBytes) table = BYTES_METHODS;
  else if (value instanceof PyObject) return value.getattr(name);
  const fn = table?.get(name);
  return fn ? bound(name, value, fn) : undefined;
}

/** getattr(value, name) or AttributeError (format fields, attrgetter). */
export function getattrOrFail(value: PyValue, name: string): PyValue {
  if (value instanceof Undefined) value.fail();
  const found = builtinAttr(value, name);
  if (found === undefined) throw new PyException("AttributeError", `'${typeName(value)}' object has no attribute '${name}'`);
  return found;
}

export { builtin, pyStr };
