/** Tokens of Python expressions, for section conditions. */
import { PyError } from "./condition-values.ts";

export interface Token {
  kind: "name" | "number" | "string" | "op" | "end";
  value: string;
  number?: number;
}

const OPERATORS = ["===", "**", "//", "==", "!=", "<=", ">=", "~=", "(", ")", "[", "]", ",", ".", ":", "<", ">", "+", "-", "*", "/", "%"];
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", a: "\x07", b: "\b", f: "\f", v: "\v" };

function readString(src: string, start: number, raw: boolean): { value: string; end: number } {
  const quote = src[start];
  const triple = src.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  let out = "";
  for (;;) {
    if (i >= src.length) throw new PyError("SyntaxError", "unterminated string literal");
    if (src.startsWith(delimiter, i)) return { value: out, end: i + delimiter.length };
    const ch = src[i];
    if (ch === "\n" && !triple) throw new PyError("SyntaxError", "unterminated string literal");
    if (ch === "\\" && i + 1 < src.length) {
      const next = src[i + 1];
      if (raw) {
        out += ch + next;
        i += 2;
      } else if (next === "x" && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
        out += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        out += String.fromCharCode(Number.parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
      } else {
        out += ESCAPES[next] ?? ch + next;
        i += 2;
      }
      continue;
    }
    out += ch;
    i++;
  }
}

function readNumber(text: string): number {
  const clean = text.replaceAll("_", "");
  if (/^0[xX][0-9a-fA-F]+$/.test(clean)) return Number.parseInt(clean.slice(2), 16);
  if (/^0[oO][0-7]+$/.test(clean)) return Number.parseInt(clean.slice(2), 8);
  if (/^0[bB][01]+$/.test(clean)) return Number.parseInt(clean.slice(2), 2);
  if (/^(0+|[1-9][0-9]*)$/.test(clean)) return Number(clean);
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(clean)) return Number(clean);
  throw new PyError("SyntaxError", `invalid number '${text}'`);
}

/** Split a Python expression into tokens; `fork` adds PEP 508's `~=` and `===`. */
export function tokenize(src: string, fork: boolean): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === " " || ch === "\t" || ch === "\f" || ch === "\n") {
      i++;
      continue;
    }
    if (ch === "#") break; // a comment ends the expression
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (word) {
      const prefix = word[0].toLowerCase();
      const quote = src[i + word[0].length];
      if ((quote === "'" || quote === '"') && ["r", "u", "b", "br", "rb"].includes(prefix)) {
        const s = readString(src, i + word[0].length, prefix.includes("r"));
        tokens.push({ kind: "string", value: s.value });
        i = s.end;
        continue;
      }
      tokens.push({ kind: "name", value: word[0] });
      i += word[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const s = readString(src, i, false);
      tokens.push({ kind: "string", value: s.value });
      i = s.end;
      continue;
    }
    const num = /^(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*\.?[0-9_]*([eE][-+]?[0-9]+)?|\.[0-9][0-9_]*([eE][-+]?[0-9]+)?)/.exec(src.slice(i));
    if (num) {
      tokens.push({ kind: "number", value: num[0], number: readNumber(num[0]) });
      i += num[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op && (fork || (op !== "~=" && op !== "==="))) {
      tokens.push({ kind: "op", value: op });
      i += op.length;
      continue;
    }
    throw new PyError("SyntaxError", `invalid syntax at '${src.slice(i, i + 10)}'`);
  }
  tokens.push({ kind: "end", value: "" });
  return tokens;
}
