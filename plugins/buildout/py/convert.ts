/** Python's int(), float() and bool() conversions. */
import { pyRepr } from "./repr.ts";
import { PyException, PyFloat, Undefined, typeError, typeName, type PyValue } from "./types.ts";

/** int(value[, base]). */
export function toInt(value: PyValue, base: PyValue = null): number {
  if (value instanceof Undefined) value.fail();
  if (typeof value === "string") {
    const b = base === null ? 10 : Number(base);
    let text = value.trim().replaceAll("_", "");
    let sign = 1;
    if (text.startsWith("-") || text.startsWith("+")) {
      if (text[0] === "-") sign = -1;
      text = text.slice(1);
    }
    let radix = b;
    const prefixed = /^0([xob])/i.exec(text);
    if (prefixed && (b === 0 || b === { x: 16, o: 8, b: 2 }[prefixed[1]!.toLowerCase() as "x" | "o" | "b"])) {
      radix = { x: 16, o: 8, b: 2 }[prefixed[1]!.toLowerCase() as "x" | "o" | "b"];
      text = text.slice(2);
    } else if (b === 0) radix = 10;
    const digits = "0123456789abcdefghijklmnopqrstuvwxyz".slice(0, radix);
    if (!text || ![...text.toLowerCase()].every((c) => digits.includes(c))) {
      throw new PyException("ValueError", `invalid literal for int() with base ${b}: ${pyRepr(value)}`);
    }
    return sign * Number.parseInt(text, radix);
  }
  if (base !== null) throw typeError("int() can't convert non-string with explicit base");
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof PyFloat) {
    if (!Number.isFinite(value.value)) throw new PyException(Number.isNaN(value.value) ? "ValueError" : "OverflowError", "cannot convert float to integer");
    return Math.trunc(value.value);
  }
  throw typeError(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(value)}'`);
}

/** float(value). */
export function toFloat(value: PyValue): PyFloat {
  if (value instanceof Undefined) value.fail();
  if (typeof value === "number") return new PyFloat(value);
  if (typeof value === "boolean") return new PyFloat(value ? 1 : 0);
  if (value instanceof PyFloat) return value;
  if (typeof value === "string") {
    const text = value.trim().replaceAll("_", "").toLowerCase();
    if (/^[+-]?(inf|infinity)$/.test(text)) return new PyFloat(text.startsWith("-") ? -Infinity : Infinity);
    if (/^[+-]?nan$/.test(text)) return new PyFloat(NaN);
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return new PyFloat(Number(text));
    throw new PyException("ValueError", `could not convert string to float: ${pyRepr(value)}`);
  }
  throw typeError(`float() argument must be a string or a real number, not '${typeName(value)}'`);
}
