/**
 * The Jinja2 lexer with the default environment settings slapos.recipe.template
 * uses: `{{ }}`, `{% %}`, `{# #}`, `-` whitespace control (and `+`, which
 * is a no-op without lstrip_blocks), `{% raw %}`, newlines normalised to
 * `\n`, one trailing newline dropped (keep_trailing_newline off).
 */

export type TokenType =
  | "data"
  | "var_begin"
  | "var_end"
  | "block_begin"
  | "block_end"
  | "name"
  | "string"
  | "int"
  | "float"
  | "op"
  | "eof";

export interface Token {
  type: TokenType;
  value: string;
  line: number;
}

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly template: string,
  ) {
    super(`${message} (${template}, line ${line})`);
    this.name = "TemplateSyntaxError";
  }
}

const OPERATORS = ["//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"];
const NAME = /^[\p{L}_][\p{L}\p{N}_]*/u;
const FLOAT = /^(?:\d(?:_?\d)*\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*)/;
const INT = /^(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\da-fA-F])+|\d(?:_?\d)*)/;
const STRING = /^(?:'([^'\\]*(?:\\.[^'\\]*)*)'|"([^"\\]*(?:\\.[^"\\]*)*)")/s;
const RAW = /^\{%([-+]?)\s*raw\s*([-+]?)%\}/;
const ENDRAW = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/;

/** Decode a string literal's escapes as Python's unicode-escape does. */
export function unescapeString(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|N\{[^}]+\}|[\s\S])/g, (_m, e: string) => {
    switch (e[0]) {
      case "x":
      case "u":
      case "U":
        return e.length > 1 ? String.fromCodePoint(Number.parseInt(e.slice(1), 16)) : "\\" + e;
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      case "a":
        return "\x07";
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "v":
        return "\v";
      case "\\":
        return "\\";
      case "'":
        return "'";
      case '"':
        return '"';
      case "\n":
        return "";
    }
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8));
    return "\\" + e;
  });
}

export function tokenize(sourceText: string, template: string): Token[] {
  let source = sourceText.replace(/\r\n|\r/g, "\n");
  if (source.endsWith("\n")) source = source.slice(0, -1);
  const tokens: Token[] = [];
  let pos = 0;
  let line = 1;
  let lstripNext = false;

  const pushData = (text: string, rstrip: boolean) => {
    let data = text;
    if (lstripNext) data = data.replace(/^\s+/, "");
    if (rstrip) data = data.replace(/\s+$/, "");
    lstripNext = false;
    if (data) tokens.push({ type: "data", value: data, line });
  };
  const advance = (text: string) => {
    for (const ch of text) if (ch === "\n") line++;
  };

  while (pos < source.length) {
    const next = source.slice(pos).search(/\{[{%#]/);
    if (next < 0) {
      pushData(source.slice(pos), false);
      advance(source.slice(pos));
      break;
    }
    const start = pos + next;
    const opener = source.slice(start, start + 2);
    const flag = source[start + 2];
    const rstrip = flag === "-";
    const dataText = source.slice(pos, start);

    if (opener === "{%") {
      const raw = RAW.exec(source.slice(start));
      if (raw) {
        pushData(dataText, raw[1] === "-");
        advance(dataText);
        const bodyStart = start + raw[0].length;
        const end = ENDRAW.exec(source.slice(bodyStart));
        if (!end) throw new TemplateSyntaxError("Missing end of raw directive", line, template);
        lstripNext = raw[2] === "-";
        let body = source.slice(bodyStart, bodyStart + end.index);
        if (lstripNext) body = body.replace(/^\s+/, "");
        if (end[1] === "-") body = body.replace(/\s+$/, "");
        lstripNext = false;
        if (body) tokens.push({ type: "data", value: body, line });
        advance(source.slice(start, bodyStart + end.index + end[0].length));
        pos = bodyStart + end.index + end[0].length;
        lstripNext = end[2] === "-";
        continue;
      }
    }
    pushData(dataText, rstrip);
    advance(dataText);
    pos = start + 2 + (flag === "-" || flag === "+" ? 1 : 0);

    if (opener === "{#") {
      const end = /([-+]?)#\}/.exec(source.slice(pos));
      if (!end) throw new TemplateSyntaxError("Missing end of comment tag", line, template);
      advance(source.slice(pos, pos + end.index + end[0].length));
      pos += end.index + end[0].length;
      lstripNext = end[1] === "-";
      continue;
    }

    const isVar = opener === "{{";
    tokens.push({ type: isVar ? "var_begin" : "block_begin", value: opener, line });
    const closer = isVar ? "}}" : "%}";
    let closed = false;
    let depth = 0;
    while (pos < source.length) {
      const ws = /^\s+/.exec(source.slice(pos));
      if (ws) {
        advance(ws[0]);
        pos += ws[0].length;
        continue;
      }
      const rest = source.slice(pos);
      if (depth === 0) {
        const end = new RegExp(`^([-+]?)${closer.replace(/[{}%]/g, "\\$&")}`).exec(rest);
        if (end) {
          tokens.push({ type: isVar ? "var_end" : "block_end", value: closer, line });
          pos += end[0].length;
          lstripNext = end[1] === "-";
          closed = true;
          break;
        }
      }
      let m: RegExpExecArray | null;
      if ((m = STRING.exec(rest))) {
        tokens.push({ type: "string", value: unescapeString(m[1] ?? m[2] ?? ""), line });
        advance(m[0]);
        pos += m[0].length;
      } else if ((m = FLOAT.exec(rest))) {
        tokens.push({ type: "float", value: m[0].replaceAll("_", ""), line });
        pos += m[0].length;
      } else if ((m = INT.exec(rest))) {
        tokens.push({ type: "int", value: m[0].replaceAll("_", ""), line });
        pos += m[0].length;
      } else if ((m = NAME.exec(rest))) {
        tokens.push({ type: "name", value: m[0], line });
        pos += m[0].length;
      } else {
        const op = OPERATORS.find((o) => rest.startsWith(o));
        if (!op) throw new TemplateSyntaxError(`unexpected char ${JSON.stringify(rest[0])}`, line, template);
        if (op === "(" || op === "[" || op === "{") depth++;
        if (op === ")" || op === "]" || op === "}") depth--;
        tokens.push({ type: "op", value: op, line });
        pos += op.length;
      }
    }
    if (!closed) throw new TemplateSyntaxError(`unexpected end of template, expected '${closer}'`, line, template);
  }
  tokens.push({ type: "eof", value: "", line });
  return tokens;
}
