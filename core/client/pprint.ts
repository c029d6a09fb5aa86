/**
 * Python's `pprint.pformat` (width 80, indent 1, dict keys sorted), which the
 * reference's `slapos request` uses to log connection parameters: the repr
 * on one line when it fits, else dicts one item per line, lists one element
 * per line, and long strings cut at whitespace into implicitly concatenated
 * pieces. Widths count code points, as Python's `len` does.
 */
import { compareCodePoints } from "../slap/marshal/encode.ts";
import { PyTuple, isPlainDict, type PyValue } from "../slap/marshal/values.ts";
import { pyRepr, reprString } from "../slap/python-repr.ts";

const WIDTH = 80;

function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

type Entries = Array<[string, PyValue]>;

function dictEntries(value: PyValue): Entries | undefined {
  if (value instanceof Map) {
    const entries: Entries = [];
    for (const [k, v] of value) entries.push([typeof k === "string" ? k : pyRepr(k), v]);
    return entries.sort(([a], [b]) => compareCodePoints(a, b));
  }
  if (isPlainDict(value)) return Object.entries(value).sort(([a], [b]) => compareCodePoints(a, b));
  return undefined;
}

/** The one-line repr pprint starts from: like repr(), with dict keys sorted. */
export function safeRepr(value: PyValue | undefined): string {
  const entries = value === undefined ? undefined : dictEntries(value);
  if (entries) return `{${entries.map(([k, v]) => `${reprString(k)}: ${safeRepr(v)}`).join(", ")}}`;
  if (value instanceof PyTuple) {
    return value.length === 1 ? `(${safeRepr(value[0])},)` : `(${value.map(safeRepr).join(", ")})`;
  }
  if (Array.isArray(value)) return `[${value.map(safeRepr).join(", ")}]`;
  return pyRepr(value);
}

/** str.splitlines(keepends=True). */
function splitLines(text: string): string[] {
  const out: string[] = [];
  const re = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(text.slice(start, m.index + m[0].length));
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

class Printer {
  out = "";

  format(value: PyValue | undefined, indent: number, allowance: number, level: number): void {
    const rep = safeRepr(value);
    if (length(rep) <= WIDTH - indent - allowance || value === undefined) {
      this.out += rep;
      return;
    }
    const entries = dictEntries(value);
    if (entries) return this.dict(entries, indent, allowance, level + 1);
    if (value instanceof PyTuple) return this.sequence(value, "(", value.length === 1 ? ",)" : ")", indent, allowance, level + 1);
    if (Array.isArray(value)) return this.sequence(value, "[", "]", indent, allowance, level + 1);
    if (typeof value === "string") return this.string(value, indent, allowance, level + 1);
    this.out += rep;
  }

  dict(entries: Entries, indent: number, allowance: number, level: number): void {
    this.out += "{";
    indent += 1;
    allowance += 1;
    entries.forEach(([key, item], i) => {
      const last = i === entries.length - 1;
      const rep = reprString(key);
      this.out += `${rep}: `;
      this.format(item, indent + length(rep) + 2, last ? allowance : 1, level);
      if (!last) this.out += ",\n" + " ".repeat(indent);
    });
    this.out += "}";
  }

  sequence(items: PyValue[], open: string, close: string, indent: number, allowance: number, level: number): void {
    this.out += open;
    indent += 1;
    allowance += close.length;
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      if (i) this.out += ",\n" + " ".repeat(indent);
      this.format(item, indent, last ? allowance : 1, level);
    });
    this.out += close;
  }

  string(text: string, indent: number, allowance: number, level: number): void {
    const lines = splitLines(text);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    let maxWidth1 = WIDTH - indent;
    const maxWidth = maxWidth1;
    const chunks: string[] = [];
    let rep = "";
    lines.forEach((line, i) => {
      rep = reprString(line);
      const lastLine = i === lines.length - 1;
      if (lastLine) maxWidth1 -= allowance;
      if (length(rep) <= maxWidth1) {
        chunks.push(rep);
        return;
      }
      // Alternating runs of non-space then space, as re.findall(r'\S*\s*') gives them.
      const parts = line.match(/\S*\s*/gu)?.filter((p) => p !== "") ?? [];
      let maxWidth2 = maxWidth;
      let current = "";
      parts.forEach((part, j) => {
        const candidate = current + part;
        if (j === parts.length - 1 && lastLine) maxWidth2 -= allowance;
        if (length(reprString(candidate)) > maxWidth2) {
          if (current) chunks.push(reprString(current));
          current = part;
        } else current = candidate;
      });
      if (current) chunks.push(reprString(current));
    });
    if (chunks.length === 1) {
      this.out += rep;
      return;
    }
    if (level === 1) this.out += "(";
    this.out += chunks.join("\n" + " ".repeat(indent));
    if (level === 1) this.out += ")";
  }
}

/** `pprint.pformat(value)` with Python's defaults. */
export function pformat(value: PyValue | undefined): string {
  const printer = new Printer();
  printer.format(value, 0, 0, 0);
  return printer.out;
}
