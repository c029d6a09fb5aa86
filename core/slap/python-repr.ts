/**
 * Python's `repr()` and `str()` of the values the reference stringifies on the
 * wire and on disk: `str()` of parameters stored by the master
 * (`"['x', 1]"`, `"True"`, `"None"`), `repr()` quoting in messages such as
 * `Supplied '<url>' to be available`.
 */
import { floatRepr } from "./marshal/float-repr.ts";
import { PyFloat, PyObject, PyTuple, isPlainDict, type PyValue } from "./marshal/values.ts";

function isPrintable(code: number): boolean {
  if (code < 0x20 || code === 0x7f) return false;
  if (code >= 0x80 && code < 0xa0) return false;
  if (code === 0xad) return false;
  if (code >= 0xd800 && code <= 0xdfff) return false;
  if (code === 0x2028 || code === 0x2029) return false;
  return true;
}

/** repr() of a str: single quotes unless the text has ' and no ". */
export function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === "\\") out += "\\\\";
    else if (char === quote) out += `\\${quote}`;
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (isPrintable(code)) out += char;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

export function pyRepr(value: PyValue | undefined): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return reprString(value);
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatRepr(value);
  if (typeof value === "bigint") return String(value);
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (value instanceof PyTuple) {
    return value.length === 1 ? `(${pyRepr(value[0])},)` : `(${value.map(pyRepr).join(", ")})`;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (value instanceof Set) return value.size ? `{${[...value].map(pyRepr).join(", ")}}` : "set()";
  if (value instanceof Map) return `{${[...value].map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ")}}`;
  if (value instanceof PyObject) return `<${value.module}.${value.className} object>`;
  if (isPlainDict(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`).join(", ")}}`;
  }
  return String(value);
}

/** str(): like repr() except that a str is itself. */
export function pyStr(value: PyValue | undefined): string {
  return typeof value === "string" ? value : pyRepr(value);
}
