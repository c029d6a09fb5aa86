/** Jinja2's built-in filters, with Python semantics (jinja2/filters.py, 3.1). */
import type { Environment, FilterFn } from "./environment.ts";
import { REQUIRED, bind } from "../../py/args.ts";
import { binary } from "../../py/arith.ts";
import { roundHalfEven } from "../../py/decimal.ts";
import { toFloat, toInt } from "../../py/convert.ts";
import { percentFormat } from "../../py/format.ts";
import { jsonDumps } from "../../py/json.ts";
import { sortValues } from "../../py/methods.ts";
import { compare, eq, iterate, length, numeric, truthy } from "../../py/ops.ts";
import { pformat } from "../../py/pformat.ts";
import { pyStr } from "../../py/repr.ts";
import { quote } from "../../py/quote.ts";
import { PyDict, PyException, PyFloat, PyFunction, PyTuple, Undefined, hashKey, typeError, type Kwargs, type PyValue } from "../../py/types.ts";

type Spec = Array<[string, PyValue | typeof REQUIRED]>;

function filter(name: string, spec: Spec, body: (env: Environment, value: PyValue, ...args: PyValue[]) => PyValue): [string, FilterFn] {
  return [name, (env, value, args, kwargs) => body(env, value, ...bind(name, spec, args, kwargs))];
}

/** Jinja's make_attrgetter: `a.b.0` walks attributes/items; lowercases text when asked. */
function attrGetter(env: Environment, attribute: PyValue, lower = false, fallback?: PyValue): (item: PyValue) => PyValue {
  const parts = attribute === null ? [] : typeof attribute === "number" ? [attribute] : pyStr(attribute).split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return (item) => {
    let value = item;
    for (const part of parts) value = env.getitem(value, part);
    if (value instanceof Undefined && fallback !== undefined) value = fallback;
    if (lower && typeof value === "string") value = value.toLowerCase();
    return value;
  };
}

function ignoreCase(value: PyValue): PyValue {
  return typeof value === "string" ? value.toLowerCase() : value;
}

function text(value: PyValue): string {
  return pyStr(value);
}

function htmlEscape(value: string): string {
  return value.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&#34;").replaceAll("'", "&#39;");
}

function selectOrReject(env: Environment, value: PyValue, args: PyValue[], kwargs: Kwargs, lookupAttr: boolean, expected: boolean): PyValue[] {
  let rest = args;
  let getter = (x: PyValue) => x;
  if (lookupAttr) {
    if (!rest.length) throw typeError("Missing parameter for attribute name");
    getter = attrGetter(env, rest[0]!);
    rest = rest.slice(1);
  }
  let test: (x: PyValue) => boolean;
  if (rest.length) {
    const name = pyStr(rest[0]!);
    const testArgs = rest.slice(1);
    test = (x) => env.callTest(name, x, testArgs, kwargs);
  } else test = (x) => truthy(x);
  return iterate(value).filter((item) => test(getter(item)) === expected);
}

function indent(value: PyValue, width: PyValue, first: PyValue, blank: PyValue): string {
  const indention = typeof width === "string" ? width : " ".repeat(Number(numeric(width)?.n ?? 4));
  let s = text(value) + "\n";
  const lines = s.split("\n");
  lines.pop();
  let rv: string;
  if (truthy(blank)) rv = lines.join("\n" + indention);
  else {
    rv = lines.shift()!;
    if (lines.length) rv += "\n" + lines.map((line) => (line ? indention + line : line)).join("\n");
  }
  if (truthy(first)) rv = indention + rv;
  s = rv;
  return s;
}

function fileSize(value: PyValue, binaryUnits: PyValue): string {
  const bytes = toFloat(value).value;
  const base = truthy(binaryUnits) ? 1024 : 1000;
  const prefixes = truthy(binaryUnits) ? ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"] : ["kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];
  if (bytes === 1) return "1 Byte";
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
  let unit = base;
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2);
    if (bytes < unit) return `${(base * bytes / unit).toFixed(1)} ${prefixes[i]}`;
  }
  return `${(base * bytes / unit).toFixed(1)} ${prefixes[prefixes.length - 1]}`;
}

const FILTERS: Array<[string, FilterFn]> = [
  filter("abs", [], (_e, v) => {
    const n = numeric(v);
    if (!n) throw typeError("bad operand type for abs()");
    return n.float ? new PyFloat(Math.abs(n.n)) : Math.abs(n.n);
  }),
  filter("attribute", [["name", REQUIRED], ["default", null]], (env, v, name) => env.getattr(v, pyStr(name))),
  filter("batch", [["linecount", REQUIRED], ["fill_with", null]], (_e, v, count, fill) => {
    const n = Number(count);
    const items = iterate(v);
    const out: PyValue[][] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    if (fill !== null && out.length && out[out.length - 1]!.length < n) {
      const last = out[out.length - 1]!;
      while (last.length < n) last.push(fill);
    }
    return out;
  }),
  filter("capitalize", [], (_e, v) => {
    const s = text(v);
    return s ? s[0]!.toUpperCase() + s.slice(1).toLowerCase() : s;
  }),
  filter("center", [["width", 80]], (_e, v, w) => {
    const s = text(v);
    const gap = Number(w) - [...s].length;
    if (gap <= 0) return s;
    const left = Math.floor(gap / 2) + (gap & Number(w) & 1);
    return " ".repeat(left) + s + " ".repeat(gap - left);
  }),
  filter("default", [["default_value", ""], ["boolean", false]], (_e, v, fallback, boolean) => {
    if (v instanceof Undefined || (truthy(boolean) && !truthy(v))) return fallback;
    return v;
  }),
  filter("dictsort", [["case_sensitive", false], ["by", "key"], ["reverse", false]], (_e, v, caseSensitive, by, reverse) => {
    if (!(v instanceof PyDict)) throw typeError("dictsort filter expects a mapping");
    const pos = by === "key" ? 0 : by === "value" ? 1 : -1;
    if (pos < 0) throw new PyException("FilterArgumentError", 'You can only sort by either "key" or "value"');
    const items = v.entries().map(([k, x]) => new PyTuple([k, x]));
    const key = new PyFunction("key", ([item]) => {
      const x = (item as PyTuple).items[pos]!;
      return truthy(caseSensitive) ? x : ignoreCase(x);
    });
    return sortValues(items, key, reverse);
  }),
  filter("escape", [], (_e, v) => htmlEscape(text(v))),
  filter("forceescape", [], (_e, v) => htmlEscape(text(v))),
  filter("filesizeformat", [["binary", false]], (_e, v, b) => fileSize(v, b)),
  filter("first", [], (env, v) => {
    const items = iterate(v);
    return items.length ? items[0]! : new Undefined("No first item, sequence was empty.");
  }),
  filter("last", [], (_e, v) => {
    const items = iterate(v);
    return items.length ? items[items.length - 1]! : new Undefined("No last item, sequence was empty.");
  }),
  filter("float", [["default", new PyFloat(0)]], (_e, v, fallback) => {
    try {
      return toFloat(v);
    } catch (error) {
      if (error instanceof PyException && ["ValueError", "TypeError"].includes(error.pyType)) return fallback;
      throw error;
    }
  }),
  ["format", (_e, v, args, kwargs) => {
    if (args.length && Object.keys(kwargs).length) throw new PyException("FilterArgumentError", "can't handle positional and keyword arguments at the same time");
    return percentFormat(text(v), Object.keys(kwargs).length ? PyDict.from(Object.entries(kwargs)) : new PyTuple(args));
  }],
  filter("groupby", [["attribute", REQUIRED], ["default", null], ["case_sensitive", false]], (env, v, attribute, fallback, caseSensitive) => {
    const getter = attrGetter(env, attribute, !truthy(caseSensitive), fallback === null ? undefined : fallback);
    const sorted = sortValues(iterate(v), new PyFunction("key", ([x]) => getter(x!)), false);
    const groups: PyTuple[] = [];
    for (const item of sorted) {
      const key = getter(item);
      const last = groups[groups.length - 1];
      if (last && eq(last.items[0]!, key)) (last.items[1] as PyValue[]).push(item);
      else groups.push(new PyTuple([key, [item]]));
    }
    return groups;
  }),
  filter("indent", [["width", 4], ["first", false], ["blank", false]], (_e, v, w, first, blank) => indent(v, w, first, blank)),
  filter("int", [["default", 0], ["base", 10]], (_e, v, fallback, base) => {
    try {
      return typeof v === "string" ? toInt(v, base) : toInt(v);
    } catch (error) {
      if (!(error instanceof PyException && ["ValueError", "TypeError", "OverflowError"].includes(error.pyType))) throw error;
      try {
        return toInt(toFloat(v));
      } catch (second) {
        if (second instanceof PyException && ["ValueError", "TypeError", "OverflowError"].includes(second.pyType)) return fallback;
        throw second;
      }
    }
  }),
  filter("items", [], (_e, v) => {
    if (v instanceof Undefined) return [];
    if (!(v instanceof PyDict)) throw typeError("Can only get item pairs from a mapping.");
    return v.entries().map(([k, x]) => new PyTuple([k, x]));
  }),
  filter("join", [["d", ""], ["attribute", null]], (env, v, sep, attribute) => {
    let items = iterate(v);
    if (attribute !== null) items = items.map(attrGetter(env, attribute));
    return items.map(text).join(text(sep));
  }),
  filter("length", [], (_e, v) => length(v)),
  filter("list", [], (_e, v) => iterate(v)),
  filter("lower", [], (_e, v) => text(v).toLowerCase()),
  ["map", (env, v, args, kwargs) => {
    const items = iterate(v);
    if (!args.length && "attribute" in kwargs) {
      const getter = attrGetter(env, kwargs.attribute!, false, "default" in kwargs ? kwargs.default : undefined);
      return items.map(getter);
    }
    if (!args.length) throw typeError("map requires a filter argument");
    const name = pyStr(args[0]!);
    return items.map((item) => env.callFilter(name, item, args.slice(1), kwargs));
  }],
  filter("max", [["case_sensitive", false], ["attribute", null]], (env, v, cs, attribute) => {
    const items = iterate(v);
    if (!items.length) return new Undefined("No aggregated item, sequence was empty.");
    const getter = attrGetter(env, attribute, !truthy(cs));
    return items.reduce((best, x) => (compare(getter(x), getter(best)) > 0 ? x : best));
  }),
  filter("min", [["case_sensitive", false], ["attribute", null]], (env, v, cs, attribute) => {
    const items = iterate(v);
    if (!items.length) return new Undefined("No aggregated item, sequence was empty.");
    const getter = attrGetter(env, attribute, !truthy(cs));
    return items.reduce((best, x) => (compare(getter(x), getter(best)) < 0 ? x : best));
  }),
  filter("pprint", [], (_e, v) => pformat(v)),
  filter("random", [], (_e, v) => {
    const items = iterate(v);
    if (!items.length) throw new PyException("IndexError", "Cannot choose from an empty sequence");
    return items[Math.floor(Math.random() * items.length)]!;
  }),
  ["reject", (env, v, args, kwargs) => selectOrReject(env, v, args, kwargs, false, false)],
  ["rejectattr", (env, v, args, kwargs) => selectOrReject(env, v, args, kwargs, true, false)],
  ["select", (env, v, args, kwargs) => selectOrReject(env, v, args, kwargs, false, true)],
  ["selectattr", (env, v, args, kwargs) => selectOrReject(env, v, args, kwargs, true, true)],
  filter("replace", [["old", REQUIRED], ["new", REQUIRED], ["count", null]], (_e, v, a, b, count) => {
    const s = text(v);
    const parts = s.split(text(a));
    const max = count === null ? Infinity : Number(count);
    if (parts.length - 1 <= max) return parts.join(text(b));
    return parts.slice(0, max + 1).join(text(b)) + text(a) + parts.slice(max + 1).join(text(a));
  }),
  filter("reverse", [], (_e, v) => {
    if (typeof v === "string") return [...v].reverse().join("");
    return iterate(v).reverse();
  }),
  filter("round", [["precision", 0], ["method", "common"]], (_e, v, precision, method) => {
    const x = toFloat(v).value;
    const p = Number(precision);
    if (method === "common") {
      const r = roundHalfEven(x, p);
      return typeof v === "number" || typeof v === "boolean" ? r : new PyFloat(r);
    }
    if (method !== "ceil" && method !== "floor") throw new PyException("FilterArgumentError", "method must be common, ceil or floor");
    const f = 10 ** p;
    return new PyFloat((method === "ceil" ? Math.ceil(x * f) : Math.floor(x * f)) / f);
  }),
  filter("safe", [], (_e, v) => text(v)),
  filter("slice", [["slices", REQUIRED], ["fill_with", null]], (_e, v, slices, fill) => {
    const items = iterate(v);
    const n = Number(slices);
    const per = Math.floor(items.length / n);
    const extra = items.length % n;
    const out: PyValue[][] = [];
    let offset = 0;
    for (let i = 0; i < n; i++) {
      const start = offset + i * per;
      if (i < extra) offset += 1;
      const end = offset + (i + 1) * per;
      const part = items.slice(start, end);
      if (fill !== null && i >= extra) part.push(fill);
      out.push(part);
    }
    return out;
  }),
  filter("sort", [["reverse", false], ["case_sensitive", false], ["attribute", null]], (env, v, reverse, cs, attribute) => {
    const getter = attrGetter(env, attribute, !truthy(cs));
    return sortValues(iterate(v), new PyFunction("key", ([x]) => getter(x!)), reverse);
  }),
  filter("string", [], (_e, v) => text(v)),
  filter("striptags", [], (_e, v) => text(v).replace(/<!--.*?-->|<[^>]*>/gs, "").replace(/\s+/g, " ").trim()),
  filter("sum", [["attribute", null], ["start", 0]], (env, v, attribute, start) => {
    let items = iterate(v);
    if (attribute !== null) items = items.map(attrGetter(env, attribute));
    return items.reduce((acc, x) => binary("+", acc, x), start);
  }),
  filter("title", [], (_e, v) => text(v).replace(/([\p{L}\p{N}]+)/gu, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())),
  filter("tojson", [["indent", null]], (_e, v, ind) =>
    jsonDumps(v, { sortKeys: true, indent: ind === null ? null : (numeric(ind)?.n ?? pyStr(ind)) })
      .replaceAll("<", "\\u003c")
      .replaceAll(">", "\\u003e")
      .replaceAll("&", "\\u0026")
      .replaceAll("'", "\\u0027"),
  ),
  filter("trim", [["chars", null]], (_e, v, chars) => {
    const s = text(v);
    if (chars === null) return s.replace(/^\s+|\s+$/g, "");
    const set = text(chars);
    let a = 0;
    let b = s.length;
    while (a < b && set.includes(s[a]!)) a++;
    while (b > a && set.includes(s[b - 1]!)) b--;
    return s.slice(a, b);
  }),
  filter("truncate", [["length", 255], ["killwords", false], ["end", "..."], ["leeway", 5]], (_e, v, len, kill, end, leeway) => {
    const s = text(v);
    const n = Number(len);
    if (s.length <= n + Number(leeway)) return s;
    if (truthy(kill)) return s.slice(0, n - text(end).length) + text(end);
    const cut = s.slice(0, n - text(end).length);
    const at = cut.lastIndexOf(" ");
    return (at >= 0 ? cut.slice(0, at) : cut) + text(end);
  }),
  filter("unique", [["case_sensitive", false], ["attribute", null]], (env, v, cs, attribute) => {
    const getter = attrGetter(env, attribute, !truthy(cs));
    const seen = new Set<string>();
    return iterate(v).filter((item) => {
      const key = hashKey(getter(item));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }),
  filter("upper", [], (_e, v) => text(v).toUpperCase()),
  filter("urlencode", [], (_e, v) => {
    if (typeof v === "string" || typeof v === "number" || v === null || typeof v === "boolean" || v instanceof PyFloat) return quote(text(v), "/");
    const pairs = v instanceof PyDict ? v.entries() : iterate(v).map((x) => iterate(x) as [PyValue, PyValue]);
    return pairs.map(([k, x]) => `${quote(text(k), "").replaceAll("%20", "+")}=${quote(text(x), "").replaceAll("%20", "+")}`).join("&");
  }),
  filter("wordcount", [], (_e, v) => (text(v).match(/\w+/gu) ?? []).length),
];

const ALIASES: Record<string, string> = { d: "default", e: "escape", count: "length" };

export function installFilters(env: Environment): void {
  for (const [name, fn] of FILTERS) env.filters.set(name, fn);
  for (const [alias, name] of Object.entries(ALIASES)) env.filters.set(alias, env.filters.get(name)!);
}
