/**
 * Python's `json` module, as the reference's client commands use it: `loads`
 * keeps what JSON.parse loses (object key order, even for integer-like keys;
 * `1.0` as a float, distinct from `1`; integers past 2^53), and `dumps`
 * writes what `json.dumps(obj, indent=..., sort_keys=...)` writes
 * (`ensure_ascii`, Python float reprs, `", "`/`": "` separators).
 *
 * Objects decode to `Map<string, PyValue>` (insertion order kept, a repeated
 * key keeps its first place and its last value, as a Python dict does).
 */
import { compareCodePoints } from "./marshal/encode.ts";
import { floatRepr } from "./marshal/float-repr.ts";
import { PyFloat, PyTuple, isPlainDict, type PyValue } from "./marshal/values.ts";
import { SlapError } from "../errors.ts";

/** A JSON document that Python's json.loads refuses; the message is Python's. */
export class JsonDecodeError extends SlapError {
  constructor(message: string) {
    super("bad-request", message);
  }
}

function position(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split("\n").length;
  const column = at - (before.lastIndexOf("\n") + 1) + 1;
  return `line ${line} column ${column} (char ${at})`;
}

const WHITESPACE = /[ \t\n\r]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  at = 0;
  constructor(readonly text: string) {}

  fail(message: string, at = this.at): never {
    throw new JsonDecodeError(`${message}: ${position(this.text, at)}`);
  }

  skip(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  value(): PyValue {
    const text = this.text;
    const c = text[this.at];
    if (c === '"') return this.string();
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (text.startsWith("null", this.at)) return (this.at += 4), null;
    if (text.startsWith("true", this.at)) return (this.at += 4), true;
    if (text.startsWith("false", this.at)) return (this.at += 5), false;
    if (text.startsWith("NaN", this.at)) return (this.at += 3), new PyFloat(NaN);
    if (text.startsWith("Infinity", this.at)) return (this.at += 8), new PyFloat(Infinity);
    if (text.startsWith("-Infinity", this.at)) return (this.at += 9), new PyFloat(-Infinity);
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(text);
    if (!match) this.fail("Expecting value");
    this.at = NUMBER.lastIndex;
    if (match[1] !== undefined || match[2] !== undefined) return new PyFloat(Number(match[0]));
    const big = BigInt(match[0]);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  string(): string {
    const text = this.text;
    const start = this.at;
    this.at++;
    let out = "";
    for (;;) {
      const c = text[this.at];
      if (c === undefined) this.fail("Unterminated string starting at", start);
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c === "\\") {
        const e = text[this.at + 1];
        if (e === "u") {
          const hex = text.slice(this.at + 2, this.at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("Invalid \\uXXXX escape", this.at + 1);
          out += String.fromCharCode(parseInt(hex, 16));
          this.at += 6;
          continue;
        }
        if (e === undefined || !(e in ESCAPES)) this.fail("Invalid \\escape", this.at);
        out += ESCAPES[e];
        this.at += 2;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) this.fail("Invalid control character at", this.at);
      out += c;
      this.at++;
    }
  }

  object(): Map<string, PyValue> {
    const out = new Map<string, PyValue>();
    this.at++;
    this.skip();
    if (this.text[this.at] === "}") {
      this.at++;
      return out;
    }
    for (;;) {
      if (this.text[this.at] !== '"') this.fail("Expecting property name enclosed in double quotes");
      const key = this.string();
      this.skip();
      if (this.text[this.at] !== ":") this.fail("Expecting ':' delimiter");
      this.at++;
      this.skip();
      out.set(key, this.value());
      this.skip();
      const c = this.text[this.at];
      if (c === "}") {
        this.at++;
        return out;
      }
      if (c !== ",") this.fail("Expecting ',' delimiter");
      this.at++;
      this.skip();
    }
  }

  array(): PyValue[] {
    const out: PyValue[] = [];
    this.at++;
    this.skip();
    if (this.text[this.at] === "]") {
      this.at++;
      return out;
    }
    for (;;) {
      this.skip();
      out.push(this.value());
      this.skip();
      const c = this.text[this.at];
      if (c === "]") {
        this.at++;
        return out;
      }
      if (c !== ",") this.fail("Expecting ',' delimiter");
      this.at++;
    }
  }
}

/** `json.loads`: objects become Maps, floats PyFloat, big integers bigint. */
export function loadsJson(text: string): PyValue {
  const parser = new Parser(text);
  parser.skip();
  const value = parser.value();
  parser.skip();
  if (parser.at !== text.length) parser.fail("Extra data");
  return value;
}

export interface DumpOptions {
  /** Spaces per level; undefined writes everything on one line (`", "` and `": "`). */
  indent?: number;
  sortKeys?: boolean;
  /** Item and key separators on one line; Python's default is [", ", ": "] (Flask's compact JSON uses [",", ":"]). */
  separators?: [string, string];
}

function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if (c === '"') out += '\\"';
    else if (c === "\\") out += "\\\\";
    else if (c === "\n") out += "\\n";
    else if (c === "\r") out += "\\r";
    else if (c === "\t") out += "\\t";
    else if (c === "\b") out += "\\b";
    else if (c === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += c;
  }
  return out + '"';
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return floatRepr(x);
}

function entriesOf(value: Map<PyValue, PyValue> | Record<string, PyValue>): Array<[string, PyValue]> {
  // a key whose value is undefined is absent (as it would be from a Python dict)
  const raw = (value instanceof Map ? [...value] : Object.entries(value)).filter(([, v]) => v !== undefined) as Array<[PyValue, PyValue]>;
  return raw.map(([k, v]) => [typeof k === "string" ? k : k === null ? "null" : typeof k === "boolean" ? String(k) : String(k), v]);
}

/** `json.dumps(value, indent=indent, sort_keys=sortKeys)`, ensure_ascii on. */
export function dumpsJson(value: PyValue | undefined, options: DumpOptions = {}): string {
  const { indent, sortKeys = false } = options;
  const [comma, colon] = options.separators ?? [", ", ": "];
  const write = (v: PyValue | undefined, level: number): string => {
    if (v === null || v === undefined) return "null";
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "string") return quote(v);
    if (typeof v === "bigint") return String(v);
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : floatText(v);
    if (v instanceof PyFloat) return floatText(v.value);
    const open = (items: string[], l: string, r: string): string => {
      if (!items.length) return l + r;
      if (indent === undefined) return l + items.join(comma) + r;
      const inner = "\n" + " ".repeat(indent * (level + 1));
      return l + inner + items.join("," + inner) + "\n" + " ".repeat(indent * level) + r;
    };
    if (Array.isArray(v) || v instanceof PyTuple) return open(v.map((item) => write(item, level + 1)), "[", "]");
    if (v instanceof Set) return open([...v].map((item) => write(item, level + 1)), "[", "]");
    if (v instanceof Map || isPlainDict(v)) {
      const entries = entriesOf(v as Map<PyValue, PyValue> | Record<string, PyValue>);
      if (sortKeys) entries.sort(([a], [b]) => compareCodePoints(a, b));
      return open(entries.map(([k, item]) => `${quote(k)}${colon}${write(item, level + 1)}`), "{", "}");
    }
    throw new SlapError("failure", `Object of type ${Object.prototype.toString.call(v)} is not JSON serializable`);
  };
  return write(value, 0);
}
