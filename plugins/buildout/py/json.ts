/**
 * Python's json module on template values: dumps() with Python's default
 * separators, ensure_ascii, sort_keys and indent (byte-compatible output,
 * which publish.serialised relies on), and loads() that keeps floats as
 * floats. Also the bridge between buildout option values and Python values.
 */
import type { OptionValue } from "../recipe-api.ts";
import { floatRepr, pyStr } from "./repr.ts";
import { compare } from "./ops.ts";
import { PyDict, PyException, PyFloat, PySet, PyTuple, Undefined, typeError, typeName, type PyValue } from "./types.ts";

export interface DumpOptions {
  indent?: number | string | null;
  sortKeys?: boolean;
  separators?: [string, string];
  ensureAscii?: boolean;
}

const ESCAPES: Record<string, string> = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };

/** A JSON string literal as Python writes it. */
export function jsonString(text: string, ensureAscii = true): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i);
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += ch;
  }
  return out + '"';
}

function keyText(key: PyValue): string {
  if (typeof key === "string") return key;
  if (key === true) return "true";
  if (key === false) return "false";
  if (key === null) return "null";
  if (typeof key === "number") return String(key);
  if (key instanceof PyFloat) return floatRepr(key.value);
  throw typeError(`keys must be str, int, float, bool or None, not ${typeName(key)}`);
}

/** json.dumps(value, ...). */
export function jsonDumps(value: PyValue, options: DumpOptions = {}): string {
  const indent = options.indent === undefined || options.indent === null ? null : typeof options.indent === "number" ? " ".repeat(options.indent) : options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === null ? [", ", ": "] : [",", ": "]);
  const ensureAscii = options.ensureAscii ?? true;
  const encode = (v: PyValue, level: number): string => {
    if (v instanceof Undefined) v.fail();
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "number") return pyStr(v);
    if (v instanceof PyFloat) {
      if (Number.isNaN(v.value)) return "NaN";
      if (!Number.isFinite(v.value)) return v.value > 0 ? "Infinity" : "-Infinity";
      return floatRepr(v.value);
    }
    if (typeof v === "string") return jsonString(v, ensureAscii);
    const open = (items: string[], left: string, right: string): string => {
      if (!items.length) return left + right;
      if (indent === null) return left + items.join(itemSep) + right;
      const inner = "\n" + indent.repeat(level + 1);
      return left + inner + items.join(itemSep + inner) + "\n" + indent.repeat(level) + right;
    };
    if (Array.isArray(v) || v instanceof PyTuple) {
      const items = Array.isArray(v) ? v : v.items;
      return open(items.map((x) => encode(x, level + 1)), "[", "]");
    }
    if (v instanceof PyDict) {
      let entries = v.entries();
      if (options.sortKeys) entries = [...entries].sort((a, b) => compare(a[0], b[0]));
      return open(entries.map(([k, x]) => jsonString(keyText(k), ensureAscii) + keySep + encode(x, level + 1)), "{", "}");
    }
    throw typeError(`Object of type ${typeName(v)} is not JSON serializable`);
  };
  return encode(value, 0);
}

/** json.loads(text): objects become dicts, numbers with a fraction or exponent floats. */
export function jsonLoads(text: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    const line = text.slice(0, i).split("\n").length;
    const column = i - text.lastIndexOf("\n", i - 1);
    throw new PyException("JSONDecodeError", `${what}: line ${line} column ${column} (char ${i})`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const parseString = (): string => {
    i++;
    let out = "";
    for (;;) {
      if (i >= text.length) fail("Unterminated string starting at");
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === "\\") {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && simple[e] !== undefined) {
          out += simple[e];
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail("Invalid \\escape");
      } else if (ch.charCodeAt(0) < 0x20) {
        fail("Invalid control character at");
      } else {
        out += ch;
        i++;
      }
    }
  };
  const parseValue = (): PyValue => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      const dict = new PyDict();
      ws();
      if (text[i] === "}") {
        i++;
        return dict;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
        const key = parseString();
        ws();
        if (text[i] !== ":") fail("Expecting ':' delimiter");
        i++;
        dict.set(key, parseValue());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return dict;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (ch === "[") {
      i++;
      const list: PyValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return list;
      }
      for (;;) {
        list.push(parseValue());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return list;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (ch === '"') return parseString();
    for (const [word, value] of [["null", null], ["true", true], ["false", false], ["NaN", new PyFloat(NaN)], ["Infinity", new PyFloat(Infinity)], ["-Infinity", new PyFloat(-Infinity)]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (!m) fail("Expecting value");
    i += m![0].length;
    return m![1] || m![2] ? new PyFloat(Number(m![0])) : Number(m![0]);
  };
  const value = parseValue();
  ws();
  if (i < text.length) fail("Extra data");
  return value;
}

/** A buildout option value as a Python value (objects become dicts). */
export function fromOptionValue(value: OptionValue): PyValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : new PyFloat(value);
  if (Array.isArray(value)) return value.map(fromOptionValue);
  return PyDict.from(Object.entries(value).map(([k, v]) => [k, fromOptionValue(v)]));
}

/** A Python value as a buildout option value (dict keys become text; tuples and sets become arrays). */
export function toOptionValue(value: PyValue): OptionValue {
  if (value === null || typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toOptionValue);
  if (value instanceof PyTuple) return value.items.map(toOptionValue);
  if (value instanceof PySet) return value.items().map(toOptionValue);
  if (value instanceof PyDict) {
    const out: Record<string, OptionValue> = {};
    for (const [k, v] of value.entries()) out[keyText(k)] = toOptionValue(v);
    return out;
  }
  if (value instanceof Undefined) value.fail();
  throw typeError(`cannot store a ${typeName(value)} in an option`);
}
