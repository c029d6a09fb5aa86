/** Python string formatting: `'%s' % x` and `'{}'.format(x)`, with format specs. */
import { exponentialAbs, fixedAbs } from "./decimal.ts";
import { numeric } from "./ops.ts";
import { pyRepr, pyStr } from "./repr.ts";
import { PyDict, PyException, PyFloat, PyTuple, Undefined, typeError, typeName, type Kwargs, type PyValue } from "./types.ts";

function exponential(x: number, places: number): string {
  const { mantissa, exp } = exponentialAbs(x, places);
  return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function formatG(x: number, precision: number, alternate: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (!Number.isFinite(x)) return nonFinite(x, upper);
  if (x === 0) return alternate ? "0." + "0".repeat(p - 1) : "0";
  const exp = exponentialAbs(x, p - 1).exp;
  let text: string;
  if (exp >= -4 && exp < p) {
    text = fixedAbs(x, Math.max(0, p - 1 - exp));
    if (!alternate && text.includes(".")) text = text.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    const { mantissa: m, exp: e } = exponentialAbs(x, p - 1);
    let mantissa = m;
    if (!alternate && mantissa.includes(".")) mantissa = mantissa.replace(/0+$/, "").replace(/\.$/, "");
    text = `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return upper ? text.toUpperCase() : text;
}

function nonFinite(x: number, upper: boolean): string {
  const text = Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  return upper ? text.toUpperCase() : text;
}

/** One number in a numeric conversion (d, x, f, e, g...), without sign handling or padding. */
function formatNumber(value: PyValue, type: string, precision: number | undefined, alternate: boolean): string {
  const n = numeric(value);
  if (!n) throw typeError(`%${type} format: a real number is required, not ${typeName(value)}`);
  const x = n.n;
  switch (type) {
    case "d":
    case "i":
    case "u":
    case "n":
      return Math.trunc(Math.abs(x)).toString();
    case "x":
    case "X": {
      const t = (alternate ? "0x" : "") + Math.trunc(Math.abs(x)).toString(16);
      return type === "X" ? t.toUpperCase() : t;
    }
    case "o":
      return (alternate ? "0o" : "") + Math.trunc(Math.abs(x)).toString(8);
    case "b":
      return (alternate ? "0b" : "") + Math.trunc(Math.abs(x)).toString(2);
    case "f":
    case "F":
      if (!Number.isFinite(x)) return nonFinite(Math.abs(x), type === "F");
      return fixedAbs(x, precision ?? 6);
    case "e":
    case "E": {
      if (!Number.isFinite(x)) return nonFinite(Math.abs(x), type === "E");
      const t = exponential(x, precision ?? 6);
      return type === "E" ? t.toUpperCase() : t;
    }
    case "g":
    case "G":
      return formatG(Math.abs(x), precision ?? 6, alternate, type === "G");
    case "%":
      return fixedAbs(x * 100, precision ?? 6) + "%";
  }
  throw new PyException("ValueError", `unsupported format character '${type}'`);
}

/** Whether a number prints with a minus: integer conversions truncate first, float ones keep -0.0. */
function isNegative(value: PyValue, type: string): boolean {
  const n = numeric(value);
  if (!n) return false;
  if ("diuxXobc".includes(type)) return Math.trunc(n.n) < 0;
  return n.n < 0 || Object.is(n.n, -0);
}

function pad(text: string, width: number, align: string, fill: string): string {
  const size = [...text].length;
  if (size >= width) return text;
  const gap = width - size;
  if (align === "<") return text + fill.repeat(gap);
  if (align === ">") return fill.repeat(gap) + text;
  const left = Math.floor(gap / 2);
  return fill.repeat(left) + text + fill.repeat(gap - left);
}

/** `fmt % args`. */
export function percentFormat(fmt: string, args: PyValue): string {
  const list: PyValue[] = args instanceof PyTuple ? [...args.items] : [args];
  const mapping = args instanceof PyDict ? args : undefined;
  let index = 0;
  let usedMapping = false;
  const next = (): PyValue => {
    if (index >= list.length) throw typeError("not enough arguments for format string");
    return list[index++]!;
  };
  const spec = /%(?:\(([^)]*)\))?([#0\- +]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;
  let out = "";
  let last = 0;
  for (const m of fmt.matchAll(spec)) {
    out += fmt.slice(last, m.index);
    last = m.index! + m[0].length;
    const [, key, flags = "", widthText, precisionText, type] = m as unknown as [string, string | undefined, string, string | undefined, string | undefined, string];
    if (type === "%") {
      out += "%";
      continue;
    }
    const width = widthText === "*" ? Number(next()) : widthText ? Number(widthText) : 0;
    const precision = precisionText === "*" ? Number(next()) : precisionText !== undefined ? Number(precisionText) : undefined;
    let value: PyValue;
    if (key !== undefined) {
      if (!mapping) throw typeError("format requires a mapping");
      const found = mapping.get(key);
      if (found === undefined) throw new PyException("KeyError", pyRepr(key));
      value = found;
      usedMapping = true;
    } else value = next();
    if (value instanceof Undefined) value.fail();
    let body: string;
    let sign = "";
    let numericKind = false;
    if (type === "s" || type === "r" || type === "a") {
      body = type === "s" ? pyStr(value) : pyRepr(value);
      if (precision !== undefined) body = [...body].slice(0, precision).join("");
    } else if (type === "c") {
      body = typeof value === "number" ? String.fromCodePoint(value) : pyStr(value);
    } else {
      if (typeof value === "string") throw typeError(`%${type} format: a real number is required, not str`);
      numericKind = true;
      body = formatNumber(value, type, precision, flags.includes("#"));
      if (isNegative(value, type)) sign = "-";
      else if (flags.includes("+")) sign = "+";
      else if (flags.includes(" ")) sign = " ";
    }
    if (flags.includes("-")) out += pad(sign + body, width, "<", " ");
    else if (numericKind && flags.includes("0")) out += sign + pad(body, Math.max(0, width - sign.length), ">", "0");
    else out += pad(sign + body, width, ">", " ");
  }
  out += fmt.slice(last);
  if (!mapping && index < list.length) throw typeError("not all arguments converted during string formatting");
  if (mapping && !usedMapping && !(args instanceof PyDict)) throw typeError("not all arguments converted during string formatting");
  return out;
}

/** format(value, spec): the format-spec mini-language. */
export function formatSpec(value: PyValue, spec: string): string {
  if (value instanceof Undefined) value.fail();
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/su.exec(spec);
  if (!m) throw new PyException("ValueError", `Invalid format specifier '${spec}'`);
  const [, fillText, alignText, signFlag, , alt, zero, widthText, grouping, precisionText, typeText] = m;
  const width = widthText ? Number(widthText) : 0;
  const precision = precisionText !== undefined ? Number(precisionText) : undefined;
  const n = numeric(value);
  let type = typeText;
  if (!type) {
    if (typeof value === "string" || !n) {
      let text = pyStr(value);
      if (precision !== undefined) text = [...text].slice(0, precision).join("");
      return pad(text, width, alignText ?? "<", fillText ?? " ");
    }
    type = n.float ? (precision === undefined ? "r" : "g") : "d";
  }
  if (type === "s") {
    let text = pyStr(value);
    if (precision !== undefined) text = [...text].slice(0, precision).join("");
    return pad(text, width, alignText ?? "<", fillText ?? " ");
  }
  if (!n) throw new PyException("ValueError", `Unknown format code '${type}' for object of type '${typeName(value)}'`);
  let body: string;
  if (type === "r") body = pyStr(new PyFloat(Math.abs(n.n)));
  else if (type === "c") body = String.fromCodePoint(n.n);
  else body = formatNumber(value, type, precision, !!alt);
  if (grouping && /^\d/.test(body)) {
    const intPart = body.split(/(?=[.eE%])/, 1)[0]!;
    body = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, grouping) + body.slice(intPart.length);
  }
  const sign = isNegative(value, type) ? "-" : signFlag === "+" ? "+" : signFlag === " " ? " " : "";
  const fill = fillText ?? (zero ? "0" : " ");
  const align = alignText ?? (zero ? "=" : ">");
  if (align === "=") return sign + pad(body, Math.max(0, width - sign.length), ">", fill);
  return pad(sign + body, width, align, fill);
}

/** Resolve `0[key].attr` in a format field. */
function fieldValue(field: string, args: PyValue[], kwargs: Kwargs, auto: { next: number }, getattr: (v: PyValue, name: string) => PyValue, getitem: (v: PyValue, k: PyValue) => PyValue): PyValue {
  const m = /^([^.[]*)(.*)$/s.exec(field)!;
  const head = m[1]!;
  let value: PyValue;
  if (head === "") {
    if (auto.next >= args.length) throw new PyException("IndexError", "Replacement index out of range");
    value = args[auto.next++]!;
  } else if (/^\d+$/.test(head)) {
    const i = Number(head);
    if (i >= args.length) throw new PyException("IndexError", `Replacement index ${i} out of range`);
    value = args[i]!;
  } else {
    if (!(head in kwargs)) throw new PyException("KeyError", pyRepr(head));
    value = kwargs[head]!;
  }
  for (const part of m[2]!.matchAll(/\.([^.[]+)|\[([^\]]+)\]/g)) {
    if (part[1] !== undefined) value = getattr(value, part[1]);
    else value = getitem(value, /^\d+$/.test(part[2]!) ? Number(part[2]) : part[2]!);
  }
  return value;
}

/** str.format(*args, **kwargs). */
export function strFormat(
  fmt: string,
  args: PyValue[],
  kwargs: Kwargs,
  getattr: (v: PyValue, name: string) => PyValue,
  getitem: (v: PyValue, k: PyValue) => PyValue,
): string {
  let out = "";
  const auto = { next: 0 };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c === "{") {
      if (fmt[i + 1] === "{") {
        out += "{";
        i += 2;
        continue;
      }
      let depth = 1;
      let j = i + 1;
      while (j < fmt.length && depth > 0) {
        if (fmt[j] === "{") depth++;
        else if (fmt[j] === "}") depth--;
        j++;
      }
      if (depth) throw new PyException("ValueError", "expected '}' before end of string");
      const inner = fmt.slice(i + 1, j - 1);
      const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(inner);
      if (!m) throw new PyException("ValueError", `bad format field {${inner}}`);
      let value = fieldValue(m[1]!, args, kwargs, auto, getattr, getitem);
      if (m[2] === "r" || m[2] === "a") value = pyRepr(value);
      else if (m[2] === "s") value = pyStr(value);
      const spec = m[3] ? strFormat(m[3], args, kwargs, getattr, getitem) : "";
      out += formatSpec(value, spec);
      i = j;
    } else if (c === "}") {
      if (fmt[i + 1] !== "}") throw new PyException("ValueError", "Single '}' encountered in format string");
      out += "}";
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

