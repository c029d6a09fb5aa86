/** Python values and their operators, as far as section conditions need them. */
import { cmp } from "./pystr.ts";

export type PyValue =
  | null
  | boolean
  | number
  | string
  | { t: "tuple" | "list"; items: PyValue[]; attrs?: Record<string, PyValue> }
  | { t: "obj"; name: string; attrs: Record<string, PyValue> }
  | { t: "fn"; name: string; call(args: PyValue[]): PyValue }
  /** A PEP 508 version variable (fork): compares as a version, otherwise a string. */
  | { t: "ver"; s: string };

/** A Python exception raised by the evaluation (NameError, TypeError...). */
export class PyError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export function fn(name: string, call: (args: PyValue[]) => PyValue): PyValue {
  return { t: "fn", name, call };
}

export function tuple(...items: PyValue[]): PyValue {
  return { t: "tuple", items };
}

function unwrap(v: PyValue): PyValue {
  return typeof v === "object" && v !== null && v.t === "ver" ? v.s : v;
}

function typeName(v: PyValue): string {
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "string") return "str";
  return v.t === "obj" ? "module" : v.t === "fn" ? "function" : v.t === "ver" ? "str" : v.t;
}

export function truthy(v: PyValue): boolean {
  v = unwrap(v);
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (v.t === "tuple" || v.t === "list") return v.items.length > 0;
  return true;
}

function isNumber(v: PyValue): v is number | boolean {
  return typeof v === "number" || typeof v === "boolean";
}

export function equal(a: PyValue, b: PyValue): boolean {
  a = unwrap(a);
  b = unwrap(b);
  if (isNumber(a) && isNumber(b)) return Number(a) === Number(b);
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return a === b;
  if ((a.t === "tuple" || a.t === "list") && (b.t === "tuple" || b.t === "list")) {
    const bi = b.items;
    if (a.t !== b.t || a.items.length !== bi.length) return false;
    return a.items.every((x, i) => equal(x, bi[i]));
  }
  return a === b;
}

/** PEP 440 release comparison, enough for markers: numeric segments, pre-releases lower. */
function versionCompare(a: string, b: string): number {
  const parse = (s: string) => {
    const m = /^\s*v?(\d+(?:\.\d+)*)(.*)$/.exec(s);
    if (!m) return undefined;
    return { release: m[1].split(".").map(Number), suffix: m[2].trim() };
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return cmp(a, b);
  const n = Math.max(x.release.length, y.release.length);
  for (let i = 0; i < n; i++) {
    const d = (x.release[i] ?? 0) - (y.release[i] ?? 0);
    if (d) return d;
  }
  const rank = (s: string) => (!s ? 1 : /^(post|\.post|-)/.test(s) ? 2 : 0);
  return rank(x.suffix) - rank(y.suffix) || cmp(x.suffix, y.suffix);
}

function order(a: PyValue, b: PyValue, op: string): number {
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b);
  if (typeof a === "string" && typeof b === "string") return cmp(a, b);
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && a.t === b.t && (a.t === "tuple" || a.t === "list")) {
    const bi = (b as { items: PyValue[] }).items;
    const n = Math.min(a.items.length, bi.length);
    for (let i = 0; i < n; i++) if (!equal(a.items[i], bi[i])) return order(unwrap(a.items[i]), unwrap(bi[i]), op);
    return a.items.length - bi.length;
  }
  throw new PyError("TypeError", `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function compare(op: string, a: PyValue, b: PyValue): boolean {
  const ver = (v: PyValue) => typeof v === "object" && v !== null && v.t === "ver";
  if ((ver(a) || ver(b)) && typeof unwrap(a) === "string" && typeof unwrap(b) === "string") {
    const x = String(unwrap(a));
    const y = String(unwrap(b));
    if (op === "===") return x === y;
    if (op === "~=") {
      const prefix = y.split(".").slice(0, -1).join(".");
      return versionCompare(x, y) >= 0 && (x === prefix || x.startsWith(prefix + "."));
    }
    const d = versionCompare(x, y);
    return op === "<" ? d < 0 : op === "<=" ? d <= 0 : op === ">" ? d > 0 : op === ">=" ? d >= 0 : op === "==" ? d === 0 : d !== 0;
  }
  if (op === "===" || op === "~=") return op === "===" ? equal(a, b) : false;
  const d = order(unwrap(a), unwrap(b), op);
  return op === "<" ? d < 0 : op === "<=" ? d <= 0 : op === ">" ? d > 0 : d >= 0;
}

export function contains(container: PyValue, item: PyValue): boolean {
  container = unwrap(container);
  item = unwrap(item);
  if (typeof container === "string") {
    if (typeof item !== "string") throw new PyError("TypeError", "'in <string>' requires string as left operand");
    return container.includes(item);
  }
  if (container !== null && typeof container === "object" && (container.t === "tuple" || container.t === "list")) {
    return container.items.some((x) => equal(x, item));
  }
  throw new PyError("TypeError", `argument of type '${typeName(container)}' is not iterable`);
}

export function binary(op: string, a: PyValue, b: PyValue): PyValue {
  a = unwrap(a);
  b = unwrap(b);
  if (isNumber(a) && isNumber(b)) {
    const x = Number(a);
    const y = Number(b);
    if ((op === "/" || op === "//" || op === "%") && y === 0) throw new PyError("ZeroDivisionError", "division by zero");
    if (op === "+") return x + y;
    if (op === "-") return x - y;
    if (op === "*") return x * y;
    if (op === "/") return x / y;
    if (op === "//") return Math.floor(x / y);
    if (op === "**") return x ** y;
    return x - y * Math.floor(x / y);
  }
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (op === "+" && a && b && typeof a === "object" && typeof b === "object" && a.t === b.t && (a.t === "tuple" || a.t === "list")) {
    return { t: a.t, items: [...a.items, ...(b as { items: PyValue[] }).items] };
  }
  if (op === "*" && typeof a === "string" && typeof b === "number") return a.repeat(Math.max(0, b));
  throw new PyError("TypeError", `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function sequence(v: PyValue): PyValue[] | string | undefined {
  v = unwrap(v);
  if (typeof v === "string") return v;
  if (v !== null && typeof v === "object" && (v.t === "tuple" || v.t === "list")) return v.items;
  return undefined;
}

export function index(v: PyValue, i: PyValue): PyValue {
  const seq = sequence(v);
  if (seq === undefined) throw new PyError("TypeError", `'${typeName(v)}' object is not subscriptable`);
  if (typeof i === "boolean") i = Number(i);
  if (typeof i !== "number" || !Number.isInteger(i)) throw new PyError("TypeError", "indices must be integers");
  const at = i < 0 ? seq.length + i : i;
  if (at < 0 || at >= seq.length) throw new PyError("IndexError", "index out of range");
  return seq[at];
}

export function slice(v: PyValue, a?: PyValue, b?: PyValue, c?: PyValue): PyValue {
  const seq = sequence(v);
  if (seq === undefined) throw new PyError("TypeError", `'${typeName(v)}' object is not subscriptable`);
  const num = (x: PyValue | undefined): number | undefined => {
    if (x === undefined || x === null) return undefined;
    if (typeof x === "number" || typeof x === "boolean") return Number(x);
    throw new PyError("TypeError", "slice indices must be integers or None");
  };
  const step = num(c) ?? 1;
  if (step === 0) throw new PyError("ValueError", "slice step cannot be zero");
  const n = seq.length;
  const clamp = (x: number | undefined, dflt: number, lo: number, hi: number) =>
    x === undefined ? dflt : Math.min(Math.max(x < 0 ? x + n : x, lo), hi);
  const start = clamp(num(a), step > 0 ? 0 : n - 1, step > 0 ? 0 : -1, step > 0 ? n : n - 1);
  const stop = clamp(num(b), step > 0 ? n : -1, step > 0 ? 0 : -1, step > 0 ? n : n - 1);
  const picked: PyValue[] = [];
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) picked.push(typeof seq === "string" ? seq[i] : seq[i]);
  if (typeof seq === "string") return picked.join("");
  const t = unwrap(v) as { t: "tuple" | "list" };
  return { t: t.t, items: picked };
}

const STRING_METHODS: Record<string, (s: string, args: PyValue[]) => PyValue> = {
  startswith: (s, [p]) => (typeof p === "string" ? s.startsWith(p) : sequenceStrings(p).some((x) => s.startsWith(x))),
  endswith: (s, [p]) => (typeof p === "string" ? s.endsWith(p) : sequenceStrings(p).some((x) => s.endsWith(x))),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  strip: (s) => s.trim(),
  split: (s, [sep]) => ({ t: "list", items: typeof sep === "string" ? s.split(sep) : s.trim().split(/\s+/).filter(Boolean) }),
  find: (s, [p]) => s.indexOf(String(p)),
};

function sequenceStrings(v: PyValue): string[] {
  const seq = sequence(v);
  if (!Array.isArray(seq)) throw new PyError("TypeError", "expected a string or a tuple of strings");
  return seq.map((x) => String(unwrap(x)));
}

export function getAttr(v: PyValue, name: string): PyValue {
  const u = unwrap(v);
  if (typeof u === "string" && Object.hasOwn(STRING_METHODS, name)) {
    return { t: "fn", name, call: (args) => STRING_METHODS[name](u, args) };
  }
  if (u !== null && typeof u === "object") {
    const attrs = u.t === "obj" ? u.attrs : u.t === "tuple" ? u.attrs : undefined;
    if (attrs && Object.hasOwn(attrs, name)) return attrs[name];
  }
  throw new PyError("AttributeError", `'${typeName(u)}' object has no attribute '${name}'`);
}
