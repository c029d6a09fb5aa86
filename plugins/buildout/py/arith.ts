/** Python arithmetic: int stays int, anything with a float is float, `/` is true division. */
import { percentFormat } from "./format.ts";
import { numeric } from "./ops.ts";
import { PyBytes, PyDict, PyException, PyFloat, PySet, PyTuple, Undefined, typeError, typeName, type PyValue } from "./types.ts";

function num(n: number, isFloat: boolean): PyValue {
  return isFloat ? new PyFloat(n) : n;
}

function unsupported(op: string, a: PyValue, b: PyValue): never {
  throw typeError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function check(a: PyValue, b: PyValue): void {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
}

function repeat(seq: PyValue, times: number): PyValue {
  const n = Math.max(0, times);
  if (typeof seq === "string") return seq.repeat(n);
  if (Array.isArray(seq)) return Array.from({ length: n }, () => seq).flat(1) as PyValue[];
  if (seq instanceof PyTuple) return new PyTuple(Array.from({ length: n }, () => seq.items).flat(1) as PyValue[]);
  throw typeError(`can't multiply sequence by non-int`);
}

export function binary(op: string, a: PyValue, b: PyValue): PyValue {
  check(a, b);
  const na = numeric(a);
  const nb = numeric(b);
  if (na && nb) {
    const isFloat = na.float || nb.float;
    switch (op) {
      case "+":
        return num(na.n + nb.n, isFloat);
      case "-":
        return num(na.n - nb.n, isFloat);
      case "*":
        return num(na.n * nb.n, isFloat);
      case "/":
        if (nb.n === 0) throw new PyException("ZeroDivisionError", "division by zero");
        return new PyFloat(na.n / nb.n);
      case "//":
        if (nb.n === 0) throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
        return num(Math.floor(na.n / nb.n), isFloat);
      case "%": {
        if (nb.n === 0) throw new PyException("ZeroDivisionError", "integer division or modulo by zero");
        const r = na.n % nb.n;
        return num(r !== 0 && r < 0 !== nb.n < 0 ? r + nb.n : r, isFloat);
      }
      case "**": {
        const r = na.n ** nb.n;
        return num(r, isFloat || nb.n < 0);
      }
      case "&":
      case "|":
      case "^":
      case "<<":
      case ">>":
        if (!isFloat) return bitwise(op, a, b, na.n, nb.n);
    }
  }
  if (a instanceof PySet && b instanceof PySet && ["|", "&", "^", "-"].includes(op)) return setOperation(op, a, b);
  if (op === "|" && a instanceof PyDict && b instanceof PyDict) return PyDict.from([...a.entries(), ...b.entries()]);
  switch (op) {
    case "+":
      if (typeof a === "string" && typeof b === "string") return a + b;
      if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
      if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
      if (a instanceof PyBytes && b instanceof PyBytes) return new PyBytes(Buffer.concat([a.data, b.data]));
      if (typeof a === "string" || typeof b === "string") {
        throw typeError(`can only concatenate str (not "${typeName(typeof a === "string" ? b : a)}") to str`);
      }
      return unsupported("+", a, b);
    case "*":
      if (nb && !nb.float) return repeat(a, nb.n);
      if (na && !na.float) return repeat(b, na.n);
      return unsupported("*", a, b);
    case "%":
      if (typeof a === "string") return percentFormat(a, b);
      return unsupported("%", a, b);
  }
  return unsupported(op, a, b);
}

export function unary(op: string, a: PyValue): PyValue {
  if (a instanceof Undefined) a.fail();
  const n = numeric(a);
  if (!n || (op === "~" && n.float)) throw typeError(`bad operand type for unary ${op}: '${typeName(a)}'`);
  if (op === "~") return Number(~BigInt(n.n));
  return num(op === "-" ? -n.n : n.n, n.float);
}

/** Integer bitwise operators (exact through BigInt); between two bools, & | ^ give a bool. */
function bitwise(op: string, a: PyValue, b: PyValue, x: number, y: number): PyValue {
  const p = BigInt(x);
  const q = BigInt(y);
  if ((op === "<<" || op === ">>") && q < 0n) throw new PyException("ValueError", "negative shift count");
  const r = op === "&" ? p & q : op === "|" ? p | q : op === "^" ? p ^ q : op === "<<" ? p << q : p >> q;
  if (typeof a === "boolean" && typeof b === "boolean" && op !== "<<" && op !== ">>") return r !== 0n;
  return Number(r);
}

function setOperation(op: string, a: PySet, b: PySet): PySet {
  const frozen = a.frozen;
  if (op === "|") return new PySet([...a.items(), ...b.items()], frozen);
  if (op === "&") return new PySet(a.items().filter((x) => b.has(x)), frozen);
  if (op === "-") return new PySet(a.items().filter((x) => !b.has(x)), frozen);
  return new PySet([...a.items().filter((x) => !b.has(x)), ...b.items().filter((x) => !a.has(x))], frozen);
}
