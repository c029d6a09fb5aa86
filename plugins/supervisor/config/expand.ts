/**
 * supervisord's expansion of option values: Python's `value % expansions`,
 * where expansions are `here`, `program_name`, `group_name`,
 * `host_node_name`, `process_num`, `numprocs` and `ENV_<name>`.
 *
 * Supported: `%(name)s`, `%(name)d`/`i`, with flags, width and precision
 * (`%(process_num)02d`), `%(name)r` (quoted like Python's repr of a str),
 * `%(name)x`/`o`/`f`, and `%%`. Any other `%` is an error, as in Python
 * ("incomplete format"); supervisord reports both cases as a ValueError.
 */

export type Expansions = Record<string, string | number>;

export class ExpansionError extends Error {}

const SPEC = /^%\(([^)]*)\)([#0\- +]*)(\d*)(?:\.(\d+))?([sdirxXofeEgG])/;

export function expand(value: string, expansions: Expansions, name: string): string {
  if (!value.includes("%")) return value;
  let out = "";
  let i = 0;
  while (i < value.length) {
    const at = value.indexOf("%", i);
    if (at < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, at);
    if (value[at + 1] === "%") {
      out += "%";
      i = at + 2;
      continue;
    }
    const spec = SPEC.exec(value.slice(at));
    if (!spec) {
      throw new ExpansionError(
        `Format string ${pyRepr(value)} for ${pyRepr(name)} is badly formatted: use %% for a literal %`,
      );
    }
    const key = spec[1];
    if (!(key in expansions)) {
      const available = Object.keys(expansions).sort().join(", ");
      throw new ExpansionError(
        `Format string ${pyRepr(value)} for ${pyRepr(name)} contains names ('${key}') which cannot be expanded. Available names: ${available}`,
      );
    }
    out += format(expansions[key], spec[2], spec[3], spec[4], spec[5], value, name);
    i = at + spec[0].length;
  }
  return out;
}

function format(
  raw: string | number,
  flags: string,
  width: string,
  precision: string | undefined,
  conversion: string,
  value: string,
  name: string,
): string {
  let text: string;
  if (conversion === "s") text = precision === undefined ? String(raw) : String(raw).slice(0, Number(precision));
  else if (conversion === "r") text = typeof raw === "number" ? String(raw) : pyRepr(raw);
  else {
    const n = typeof raw === "number" ? raw : Number(raw);
    if (typeof raw !== "number" && (raw.trim() === "" || Number.isNaN(n))) {
      throw new ExpansionError(
        `Format string ${pyRepr(value)} for ${pyRepr(name)} is badly formatted: %${conversion} format: a number is required, not str`,
      );
    }
    if (conversion === "d" || conversion === "i") text = String(Math.trunc(n));
    else if (conversion === "x") text = Math.trunc(n).toString(16);
    else if (conversion === "X") text = Math.trunc(n).toString(16).toUpperCase();
    else if (conversion === "o") text = Math.trunc(n).toString(8);
    else if (conversion === "e" || conversion === "E") {
      text = n.toExponential(precision === undefined ? 6 : Number(precision));
      text = text.replace(/e([+-])(\d)$/, "e$10$2");
      if (conversion === "E") text = text.toUpperCase();
    } else if (conversion === "g" || conversion === "G") text = String(n);
    else text = n.toFixed(precision === undefined ? 6 : Number(precision));
    if (flags.includes("+") && n >= 0) text = "+" + text;
    else if (flags.includes(" ") && n >= 0) text = " " + text;
  }
  const w = width ? Number(width) : 0;
  if (text.length >= w) return text;
  if (flags.includes("-")) return text.padEnd(w);
  if (flags.includes("0") && conversion !== "s" && conversion !== "r") {
    const sign = /^[+\- ]/.test(text) ? text[0] : "";
    return sign + text.slice(sign.length).padStart(w - sign.length, "0");
  }
  return text.padStart(w);
}

/** Python's repr() of a str, enough for error messages. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  const body = text
    .replace(/\\/g, "\\\\")
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t")
    .replace(/\r/g, "\\r")
    .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`);
  return `${quote}${body}${quote}`;
}
