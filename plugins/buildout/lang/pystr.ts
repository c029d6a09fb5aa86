/**
 * Python's string rules where buildout depends on them: what counts as
 * whitespace (str.isspace and re's \s, which differ from JavaScript's: no BOM,
 * but \x1c-\x1f and \x85), strip/split, textwrap.dedent, and sorting by code
 * point (JavaScript compares UTF-16 units, which misorders astral characters).
 */
import { compareCodePoints } from "../../../core/slap/marshal/encode.ts";

/** Python's whitespace characters, as a regex character-class body. */
export const WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const IS_SPACE = new RegExp(`^[${WS}]$`);
const RUNS = new RegExp(`[${WS}]+`);

/** str.isspace() of one character (false for ""). */
export function isSpace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 28 || (c > 32 && c < 0x85)) return false;
  return IS_SPACE.test(ch);
}

/** str.strip() */
export function strip(s: string): string {
  return rstrip(lstrip(s));
}

/** str.lstrip() */
export function lstrip(s: string): string {
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  return i ? s.slice(i) : s;
}

/** str.rstrip() */
export function rstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isSpace(s[end - 1])) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** str.rstrip(chars) */
export function rstripChars(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1])) end--;
  return s.slice(0, end);
}

/** str.split() without arguments: words separated by runs of whitespace. */
export function splitWords(s: string): string[] {
  const t = strip(s);
  return t ? t.split(RUNS) : [];
}

/** Code-point order (Python's string order), for sort(): core's. */
export const cmp = compareCodePoints;

const SURROGATE = /[\ud800-\udfff]/;

/** Sorted copy, Python order (the engine's own sort unless astral characters make UTF-16 order differ). */
export function sorted(items: Iterable<string>): string[] {
  const out = [...items];
  for (const item of out) if (SURROGATE.test(item)) return out.sort(cmp);
  return out.sort();
}

/**
 * textwrap.dedent: remove the longest common leading run of spaces/tabs.
 * Lines are split on "\n" only, as Python's re MULTILINE does.
 */
export function dedent(text: string): string {
  const lines = text.split("\n");
  let margin: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let j = 0;
    while (j < line.length && (line[j] === " " || line[j] === "\t")) j++;
    if (j === line.length) {
      lines[i] = ""; // whitespace-only lines are emptied
      continue;
    }
    const indent = line.slice(0, j);
    if (margin === undefined) margin = indent;
    else if (indent.startsWith(margin)) {
      // keep
    } else if (margin.startsWith(indent)) margin = indent;
    else {
      let k = 0;
      while (k < margin.length && k < indent.length && margin[k] === indent[k]) k++;
      margin = margin.slice(0, k);
    }
  }
  if (margin) {
    for (let i = 0; i < lines.length; i++) if (lines[i].startsWith(margin)) lines[i] = lines[i].slice(margin.length);
  }
  return lines.join("\n");
}

const LEADING_BLANK_LINES = new RegExp(`^([${WS}]*\\n)+`);

/** buildout's leading_blank_lines.sub('', text). */
export function dropLeadingBlankLines(text: string): string {
  return text.replace(LEADING_BLANK_LINES, "");
}

/** Characters Python's str.isprintable() refuses (other than the space): categories C and Z. */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

function escapeChar(ch: string, quote: string): string {
  switch (ch) {
    case "\\":
      return "\\\\";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
  }
  if (ch === quote) return "\\" + ch;
  if (ch !== " " && NON_PRINTABLE.test(ch)) {
    const code = ch.codePointAt(0)!;
    if (code < 0x100) return "\\x" + code.toString(16).padStart(2, "0");
    if (code < 0x10000) return "\\u" + code.toString(16).padStart(4, "0");
    return "\\U" + code.toString(16).padStart(8, "0");
  }
  return ch;
}

/**
 * Python's repr() of a str, byte for byte: single quotes unless the text has
 * ' and no ", and Python's escapes (non-printable characters as \xNN,
 * \uNNNN or \UNNNNNNNN). Messages that quote a line and templates use it.
 */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) out += escapeChar(ch, quote);
  return out + quote;
}
