/**
 * Tokens of a Python expression (section conditions): names, numbers (int
 * or float), string and bytes literals with Python's escapes and prefixes
 * (r, b, u, f and their mixes), and operators. A `#` outside a string is a
 * SyntaxError: buildout wraps the expression as `[expr]`, so a comment would
 * swallow the closing bracket.
 */
import { PyException } from "../py/types.ts";

export interface Token {
  kind: "name" | "number" | "string" | "op" | "end";
  value: string;
  /** Numbers: the value, and whether the literal is a float. */
  number?: number;
  float?: boolean;
  /** Strings: a bytes literal, or an f-string (value is then its raw body). */
  bytes?: boolean;
  fstring?: boolean;
  /** An f-string's body is raw (`rf"..."`): its literal parts keep their backslashes. */
  raw?: boolean;
}

const OPERATORS = [
  "**", "//", "==", "!=", "<=", ">=", "<<", ">>", "->",
  "(", ")", "[", "]", "{", "}", ",", ".", ":", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "~", "=", "@",
];
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", v: "\v", "\n": "" };

export function syntaxError(message: string): PyException {
  return new PyException("SyntaxError", message);
}

/** The body of a string literal starting at `start` (its quote) and where it ends. */
function readString(src: string, start: number): { body: string; end: number } {
  const quote = src[start];
  const triple = src.startsWith(quote.repeat(3), start);
  const delimiter = triple ? quote.repeat(3) : quote;
  let i = start + delimiter.length;
  for (;;) {
    if (i >= src.length) throw syntaxError("unterminated string literal");
    if (src.startsWith(delimiter, i)) return { body: src.slice(start + delimiter.length, i), end: i + delimiter.length };
    if (src[i] === "\n" && !triple) throw syntaxError("unterminated string literal");
    i += src[i] === "\\" ? 2 : 1;
  }
}

/** Python's escape sequences of a (non-raw) literal body. */
export function unescape(body: string, bytes: boolean): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\" || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    const hex = (n: number) => {
      const digits = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) throw syntaxError(`truncated \\${next}${"X".repeat(n)} escape`);
      i += 1 + n;
      return Number.parseInt(digits, 16);
    };
    if (next === "x") out += String.fromCharCode(hex(2));
    else if (next === "u" && !bytes) out += String.fromCharCode(hex(4));
    else if (next === "U" && !bytes) out += String.fromCodePoint(hex(8));
    else if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCharCode(Number.parseInt(octal, 8));
      i += octal.length;
    } else if (Object.hasOwn(ESCAPES, next)) {
      out += ESCAPES[next];
      i++;
    } else out += ch; // unknown escapes keep their backslash
  }
  return out;
}

function readNumber(text: string): { value: number; float: boolean } {
  const clean = text.replaceAll("_", "");
  if (/^0[xX][0-9a-fA-F]+$/.test(clean)) return { value: Number.parseInt(clean.slice(2), 16), float: false };
  if (/^0[oO][0-7]+$/.test(clean)) return { value: Number.parseInt(clean.slice(2), 8), float: false };
  if (/^0[bB][01]+$/.test(clean)) return { value: Number.parseInt(clean.slice(2), 2), float: false };
  if (/^(0+|[1-9][0-9]*)$/.test(clean)) return { value: Number(clean), float: false };
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(clean)) return { value: Number(clean), float: true };
  throw syntaxError(`invalid decimal literal '${text}'`);
}

const NUMBER = /^(0[xXoObB][0-9a-fA-F_]+|[0-9][0-9_]*\.?[0-9_]*([eE][-+]?[0-9]+)?|\.[0-9][0-9_]*([eE][-+]?[0-9]+)?)/;

/** Split a Python expression into tokens. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === " " || ch === "\t" || ch === "\f") {
      i++;
      continue;
    }
    if (ch === "\\" && src[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (ch === "#") throw syntaxError("'[' was never closed");
    const word = /^[A-Za-z_\u00c0-\uffff][A-Za-z0-9_\u00c0-\uffff]*/.exec(src.slice(i));
    if (word) {
      const prefix = word[0].toLowerCase();
      const quote = src[i + word[0].length];
      if ((quote === "'" || quote === '"') && ["r", "u", "b", "br", "rb", "f", "fr", "rf"].includes(prefix)) {
        const s = readString(src, i + word[0].length);
        const raw = prefix.includes("r");
        const bytes = prefix.includes("b");
        const fstring = prefix.includes("f");
        if (bytes && /[^\x00-\x7f]/.test(s.body)) throw syntaxError("bytes can only contain ASCII literal characters");
        if (fstring) tokens.push({ kind: "string", value: s.body, fstring, raw });
        else tokens.push({ kind: "string", value: raw ? s.body : unescape(s.body, bytes), bytes });
        i = s.end;
        continue;
      }
      tokens.push({ kind: "name", value: word[0] });
      i += word[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      const s = readString(src, i);
      tokens.push({ kind: "string", value: unescape(s.body, false) });
      i = s.end;
      continue;
    }
    const num = NUMBER.exec(src.slice(i));
    if (num && (/[0-9]/.test(ch) || (ch === "." && /[0-9]/.test(src[i + 1] ?? "")))) {
      const { value, float } = readNumber(num[0]);
      tokens.push({ kind: "number", value: num[0], number: value, float });
      i += num[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      tokens.push({ kind: "op", value: op });
      i += op.length;
      continue;
    }
    throw syntaxError(`invalid syntax at '${src.slice(i, i + 10)}'`);
  }
  tokens.push({ kind: "end", value: "" });
  return tokens;
}
