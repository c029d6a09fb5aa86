/** pprint.pformat(value, indent, width): Python's pretty printer, dicts sorted. */
import { compare } from "./ops.ts";
import { pyRepr } from "./repr.ts";
import { PyDict, PyTuple, type PyValue } from "./types.ts";

function sortedEntries(dict: PyDict): Array<[PyValue, PyValue]> {
  const entries = dict.entries();
  try {
    return [...entries].sort((a, b) => compare(a[0], b[0]));
  } catch {
    return entries;
  }
}

/** repr with dict keys sorted, as pprint's safe_repr writes it. */
function sortedRepr(value: PyValue): string {
  if (value instanceof PyDict) return "{" + sortedEntries(value).map(([k, v]) => `${sortedRepr(k)}: ${sortedRepr(v)}`).join(", ") + "}";
  if (Array.isArray(value)) return "[" + value.map(sortedRepr).join(", ") + "]";
  if (value instanceof PyTuple) {
    if (value.items.length === 1) return "(" + sortedRepr(value.items[0]!) + ",)";
    return "(" + value.items.map(sortedRepr).join(", ") + ")";
  }
  return pyRepr(value);
}

export function pformat(value: PyValue, indentPerLevel = 1, width = 80): string {
  let out = "";
  const write = (s: string) => {
    out += s;
  };

  const formatItems = (items: readonly PyValue[], indent: number, allowance: number, level: number) => {
    indent += indentPerLevel;
    if (indentPerLevel > 1) write(" ".repeat(indentPerLevel - 1));
    const delimnl = ",\n" + " ".repeat(indent);
    items.forEach((item, i) => {
      const last = i === items.length - 1;
      if (i) write(delimnl);
      format(item, indent, last ? allowance : 1, level);
    });
  };

  const formatString = (text: string, indent: number, allowance: number, level: number) => {
    if (!text) return write(pyRepr(text));
    const chunks: string[] = [];
    const lines = text.match(/[^\n\r]*(?:\r\n|[\n\r])|[^\n\r]+$/g) ?? [text];
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const maxWidth = width - indent;
    let maxWidth1 = maxWidth;
    let rep = "";
    lines.forEach((line, i) => {
      rep = pyRepr(line);
      if (i === lines.length - 1) maxWidth1 -= allowance;
      if (rep.length <= maxWidth1) {
        chunks.push(rep);
        return;
      }
      const parts = line.match(/\S*\s*/g)!.filter((p, j, all) => p !== "" || j < all.length - 1);
      if (parts[parts.length - 1] === "") parts.pop();
      let maxWidth2 = maxWidth;
      let current = "";
      parts.forEach((part, j) => {
        const candidate = current + part;
        if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance;
        if (pyRepr(candidate).length > maxWidth2) {
          if (current) chunks.push(pyRepr(current));
          current = part;
        } else current = candidate;
      });
      if (current) chunks.push(pyRepr(current));
    });
    if (chunks.length === 1) return write(rep);
    if (level === 1) write("(");
    chunks.forEach((chunk, i) => {
      if (i) write("\n" + " ".repeat(indent));
      write(chunk);
    });
    if (level === 1) write(")");
  };

  const format = (item: PyValue, indent: number, allowance: number, level: number): void => {
    const rep = sortedRepr(item);
    if (rep.length <= width - indent - allowance) return write(rep);
    level += 1;
    if (item instanceof PyDict) {
      write("{");
      if (indentPerLevel > 1) write(" ".repeat(indentPerLevel - 1));
      const entries = sortedEntries(item);
      const inner = indent + indentPerLevel;
      const delimnl = ",\n" + " ".repeat(inner);
      entries.forEach(([k, v], i) => {
        const last = i === entries.length - 1;
        const keyRep = sortedRepr(k);
        write(keyRep + ": ");
        format(v, inner + keyRep.length + 2, last ? allowance + 1 : 1, level);
        if (!last) write(delimnl);
      });
      write("}");
    } else if (Array.isArray(item)) {
      write("[");
      formatItems(item, indent, allowance + 1, level);
      write("]");
    } else if (item instanceof PyTuple) {
      const end = item.items.length === 1 ? ",)" : ")";
      write("(");
      formatItems(item.items, indent, allowance + end.length, level);
      write(end);
    } else if (typeof item === "string") {
      formatString(item, indent, allowance, level);
    } else write(rep);
  };

  format(value, 0, 0, 0);
  return out;
}
