/** Python's str() and repr() of template values, byte for byte. */
import { floatRepr } from "../../../core/slap/marshal/float-repr.ts";
import { pyRepr as pyStrRepr } from "../lang/pystr.ts";
import { PyBytes, PyDict, PyFloat, PyFunction, PyObject, PySet, PyTuple, Undefined, type PyValue } from "./types.ts";

/** repr(float): core's (shortest round-trip digits, laid out Python's way). */
export { floatRepr };

/** repr(str): the engine's (lang/pystr.ts), so messages and templates quote alike. */
export const stringRepr = pyStrRepr;

function bytesRepr(data: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of data) {
    if (b === 0x27) hasSingle = true;
    if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = "b" + quote;
  for (const b of data) {
    const ch = String.fromCharCode(b);
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (ch === quote) out += "\\" + ch;
    else if (b < 0x20 || b >= 0x7f) out += "\\x" + b.toString(16).padStart(2, "0");
    else out += ch;
  }
  return out + quote;
}

export function pyRepr(value: PyValue): string {
  if (typeof value === "string") return stringRepr(value);
  if (Array.isArray(value)) return "[" + value.map(pyRepr).join(", ") + "]";
  if (value instanceof PyTuple) {
    const named = value.named;
    if (named) return `${named.type}(${named.fields.map((f, i) => `${f}=${pyRepr(value.items[i]!)}`).join(", ")})`;
    if (value.items.length === 1) return "(" + pyRepr(value.items[0]!) + ",)";
    return "(" + value.items.map(pyRepr).join(", ") + ")";
  }
  if (value instanceof PyDict) return "{" + value.entries().map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(", ") + "}";
  if (value instanceof PySet) {
    const inner = value.items().map(pyRepr).join(", ");
    if (value.frozen) return value.size ? `frozenset({${inner}})` : "frozenset()";
    return value.size ? "{" + inner + "}" : "set()";
  }
  if (value instanceof PyBytes) return bytesRepr(value.data);
  return pyStr(value);
}

export function pyStr(value: PyValue): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Object.is(value, -0) ? "0" : Number.isSafeInteger(value) || !Number.isFinite(value) ? String(value) : BigInt(Math.trunc(value)).toString();
  if (typeof value === "boolean") return value ? "True" : "False";
  if (value === null) return "None";
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (value instanceof Undefined) value.fail();
  if (value instanceof PyFunction) return value.typeOf ? `<class '${value.typeOf}'>` : `<function ${value.name}>`;
  if (value instanceof PyObject) {
    const custom = value.getattr("__str__");
    if (typeof custom === "string") return custom;
    return `<${value.typeName} object>`;
  }
  return pyRepr(value);
}
