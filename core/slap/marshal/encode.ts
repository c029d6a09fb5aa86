/**
 * marshal XML writer, byte-compatible with xml_marshaller as slapos.core uses
 * it (slap-protocol.md §2.1): no declaration, ASCII output with decimal
 * character references, strings escaped twice, dict items sorted by key,
 * `id="iN"` numbering from i2 in depth-first pre-order, tuples without ids,
 * and `<reference id="iN"/>` when the same container appears again.
 */
import { SlapError } from "../../errors.ts";
import { floatRepr } from "./float-repr.ts";
import { PyComplex, PyFloat, PyObject, PyTuple, isPlainDict, type PyValue } from "./values.ts";

const LIMIT_INT = 10n ** 24n;

function badChar(code: number): never {
  const hex = code.toString(16).toUpperCase().padStart(4, "0");
  throw new SlapError("marshal", `cannot marshal a string holding U+${hex}: XML cannot carry it`);
}

/** Escape text twice, as the marshaller then the XML serialiser do. */
const NEEDS_ESCAPE = /[&<>\x00-\x08\x0b-\x1f\u0080-\uffff]/;

export function escapeText(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let replacement: string | undefined;
    if (code === 38) replacement = "&amp;amp;";
    else if (code === 60) replacement = "&amp;lt;";
    else if (code === 62) replacement = "&amp;gt;";
    else if (code === 13) replacement = "&#13;";
    else if (code < 32) {
      if (code !== 9 && code !== 10) badChar(code);
    } else if (code > 126) {
      let point = code;
      if (code >= 0xd800 && code <= 0xdbff) {
        const low = text.charCodeAt(i + 1);
        if (!(low >= 0xdc00 && low <= 0xdfff)) badChar(code);
        point = text.codePointAt(i)!;
        replacement = `&#${point};`;
        out += text.slice(start, i) + replacement;
        i++;
        start = i + 1;
        continue;
      }
      if ((code >= 0xdc00 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) badChar(code);
      if (code > 127) replacement = `&#${point};`;
    }
    if (replacement !== undefined) {
      out += text.slice(start, i) + replacement;
      start = i + 1;
    }
  }
  return start === 0 ? text : out + text.slice(start);
}

/** Python code-point order of two strings (JS compares UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate starts a code point above U+FFFF
    return x - y;
  }
  return a.length - b.length;
}

function isNumeric(v: PyValue): boolean {
  return typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || v instanceof PyFloat;
}

/** A Python-like repr of a dict key, only to order keys of mixed types as the reference does. */
function keyRepr(v: PyValue): string {
  if (typeof v === "string") return `'${v}'`;
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof PyTuple) return `(${v.map(keyRepr).join(", ")})`;
  return String(v);
}

function sortKeys(keys: PyValue[]): PyValue[] {
  if (keys.every((k) => typeof k === "string")) return (keys as string[]).sort(compareCodePoints);
  if (keys.every(isNumeric)) return keys.sort((a, b) => Number(a) - Number(b));
  return keys.sort((a, b) => compareCodePoints(keyRepr(a), keyRepr(b)));
}

class Writer {
  private counter = 1;
  private readonly ids = new Map<object, number>();
  readonly parts: string[] = [];

  private open(value: object, tag: string, empty: boolean, attributes = ""): boolean {
    const seen = this.ids.get(value);
    if (seen !== undefined) {
      this.parts.push(`<reference id="i${seen}"/>`);
      return false;
    }
    const id = ++this.counter;
    this.ids.set(value, id);
    this.parts.push(empty ? `<${tag} id="i${id}"${attributes}/>` : `<${tag} id="i${id}"${attributes}>`);
    return !empty;
  }

  write(value: PyValue | undefined): void {
    const parts = this.parts;
    if (value === null || value === undefined) parts.push("<none/>");
    else if (typeof value === "string") parts.push(`<string>${escapeText(value)}</string>`);
    else if (typeof value === "boolean") parts.push(value ? "<bool>1</bool>" : "<bool>0</bool>");
    else if (typeof value === "number") {
      if (Number.isInteger(value)) this.writeInt(BigInt(value));
      else parts.push(`<float>${floatRepr(value)}</float>`);
    } else if (typeof value === "bigint") this.writeInt(value);
    else if (value instanceof PyFloat) parts.push(`<float>${floatRepr(value.value)}</float>`);
    else if (value instanceof PyComplex) parts.push(`<complex>${floatRepr(value.real)} ${floatRepr(value.imag)}</complex>`);
    else if (value instanceof PyTuple) {
      if (!value.length) parts.push("<tuple/>");
      else {
        parts.push("<tuple>");
        for (const item of value) this.write(item);
        parts.push("</tuple>");
      }
    } else if (Array.isArray(value)) {
      if (this.open(value, "list", value.length === 0)) {
        for (const item of value) this.write(item);
        parts.push("</list>");
      }
    } else if (value instanceof Set) {
      if (this.open(value, "set", value.size === 0)) {
        for (const item of value) this.write(item);
        parts.push("</set>");
      }
    } else if (value instanceof Map) {
      if (this.open(value, "dictionary", value.size === 0)) {
        for (const key of sortKeys([...value.keys()])) {
          this.write(key);
          this.write(value.get(key)!);
        }
        parts.push("</dictionary>");
      }
    } else if (value instanceof PyObject) {
      const attributes = ` module="${value.module}" class="${value.className}"`;
      if (this.open(value, "object", false, attributes)) {
        this.write(value.args);
        this.write(value.state);
        parts.push("</object>");
      }
    } else if (isPlainDict(value)) {
      const keys = Object.keys(value);
      if (this.open(value, "dictionary", keys.length === 0)) {
        for (const key of keys.sort(compareCodePoints)) {
          parts.push(`<string>${escapeText(key)}</string>`);
          this.write(value[key]);
        }
        parts.push("</dictionary>");
      }
    } else {
      throw new SlapError("marshal", `cannot marshal a value of type ${Object.prototype.toString.call(value)}`);
    }
  }

  private writeInt(value: bigint): void {
    const tag = value > -LIMIT_INT && value < LIMIT_INT ? "int" : "long";
    this.parts.push(`<${tag}>${value}</${tag}>`);
  }
}

/** `slapos.util.dumps`: one value as a `<marshal>` document. */
export function dumps(value: PyValue | undefined): string {
  const writer = new Writer();
  writer.parts.push("<marshal>");
  writer.write(value);
  writer.parts.push("</marshal>");
  return writer.parts.join("");
}
