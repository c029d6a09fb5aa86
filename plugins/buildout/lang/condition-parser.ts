/**
 * Python's expression grammar, parsed to a tree before anything is
 * evaluated (as eval() compiles first): lambda, conditional expressions,
 * boolean operators, comparison chains, bitwise and arithmetic operators,
 * attributes, calls with keyword arguments, subscripts and slices, tuple,
 * list, set and dict displays, comprehensions and generator expressions,
 * and (f-)string literals.
 */
import { PyBytes, PyFloat, type PyValue } from "../py/types.ts";
import { syntaxError, tokenize, unescape, type Token } from "./condition-lexer.ts";

export type Target = string | Target[];
export interface Clause {
  target: Target;
  iter: Node;
  conds: Node[];
}
export type FPart = string | { expr: Node; conv?: string; spec?: Node };

export type Node =
  | { k: "const"; v: PyValue }
  | { k: "name"; id: string }
  | { k: "and" | "or"; items: Node[] }
  | { k: "not"; x: Node }
  | { k: "cmp"; first: Node; ops: string[]; rest: Node[] }
  | { k: "bin"; op: string; l: Node; r: Node }
  | { k: "unary"; op: string; x: Node }
  | { k: "attr"; x: Node; name: string }
  | { k: "call"; f: Node; args: Node[]; kwargs: Array<[string, Node]> }
  | { k: "index"; x: Node; i: Node }
  | { k: "slice"; x: Node; a?: Node; b?: Node; c?: Node }
  | { k: "tuple" | "list" | "set"; items: Node[] }
  | { k: "dict"; entries: Array<[Node, Node]> }
  | { k: "if"; body: Node; cond: Node; other: Node }
  | { k: "lambda"; params: string[]; body: Node }
  | { k: "comp"; kind: "list" | "set" | "dict" | "gen"; elt: Node; value?: Node; clauses: Clause[] }
  | { k: "fstring"; parts: FPart[] }
  | { k: "star"; x: Node };

const COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">="]);
const KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else", "except",
  "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
  "while", "with", "yield",
]);

/** The elements of the list buildout evaluates (`[expr]`, so `a, b` is two elements). */
export function parseCondition(expression: string): Node[] {
  return new Parser(tokenize(expression)).top();
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private is(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return (t.kind === "op" || t.kind === "name") && t.value === value;
  }
  private take(value: string): boolean {
    if (!this.is(value)) return false;
    this.pos++;
    return true;
  }
  private expect(value: string): void {
    if (!this.take(value)) throw syntaxError(`expected '${value}', got '${this.peek().value || "end of expression"}'`);
  }

  top(): Node[] {
    const items: Node[] = [];
    while (this.peek().kind !== "end") {
      items.push(this.item());
      if (!this.take(",")) break;
    }
    if (this.peek().kind !== "end") throw syntaxError(`invalid syntax at '${this.peek().value}'`);
    if (items.length === 1 && this.is("for")) throw syntaxError("invalid syntax");
    return items;
  }

  /** An element of a display: an expression, or `*iterable` spread into it. */
  private item(): Node {
    return this.take("*") ? { k: "star", x: this.bitOr() } : this.test();
  }

  private test(): Node {
    if (this.take("lambda")) return this.lambda();
    const body = this.orTest();
    if (!this.take("if")) return body;
    const cond = this.orTest();
    this.expect("else");
    return { k: "if", body, cond, other: this.test() };
  }

  private lambda(): Node {
    const params: string[] = [];
    while (!this.is(":")) {
      const t = this.peek();
      if (t.kind !== "name" || KEYWORDS.has(t.value)) throw syntaxError("invalid lambda parameter");
      this.pos++;
      params.push(t.value);
      if (!this.take(",")) break;
    }
    this.expect(":");
    return { k: "lambda", params, body: this.test() };
  }

  private orTest(): Node {
    const items = [this.andTest()];
    while (this.take("or")) items.push(this.andTest());
    return items.length === 1 ? items[0] : { k: "or", items };
  }

  private andTest(): Node {
    const items = [this.notTest()];
    while (this.take("and")) items.push(this.notTest());
    return items.length === 1 ? items[0] : { k: "and", items };
  }

  private notTest(): Node {
    return this.take("not") ? { k: "not", x: this.notTest() } : this.comparison();
  }

  private compOp(): string | undefined {
    const t = this.peek();
    if (t.kind === "op" && COMPARISONS.has(t.value)) {
      this.pos++;
      return t.value;
    }
    if (this.take("in")) return "in";
    if (this.is("not") && this.is("in", 1)) {
      this.pos += 2;
      return "not in";
    }
    if (this.take("is")) return this.take("not") ? "is not" : "is";
    return undefined;
  }

  private comparison(): Node {
    const first = this.bitOr();
    const ops: string[] = [];
    const rest: Node[] = [];
    for (let op = this.compOp(); op; op = this.compOp()) {
      ops.push(op);
      rest.push(this.bitOr());
    }
    return ops.length ? { k: "cmp", first, ops, rest } : first;
  }

  /** Left-associative binary levels, loosest first. */
  private level(ops: readonly string[], next: () => Node): Node {
    let node = next();
    while (this.peek().kind === "op" && ops.includes(this.peek().value)) {
      const op = this.tokens[this.pos++].value;
      node = { k: "bin", op, l: node, r: next() };
    }
    return node;
  }
  private bitOr = (): Node => this.level(["|"], this.bitXor);
  private bitXor = (): Node => this.level(["^"], this.bitAnd);
  private bitAnd = (): Node => this.level(["&"], this.shift);
  private shift = (): Node => this.level(["<<", ">>"], this.arith);
  private arith = (): Node => this.level(["+", "-"], this.term);
  private term = (): Node => this.level(["*", "/", "//", "%", "@"], this.factor);

  private factor = (): Node => {
    const t = this.peek();
    if (t.kind === "op" && (t.value === "-" || t.value === "+" || t.value === "~")) {
      this.pos++;
      return { k: "unary", op: t.value, x: this.factor() };
    }
    return this.power();
  };

  /** trailers ['**' factor]: right-associative, tighter than a unary minus on its left. */
  private power(): Node {
    const base = this.trailers();
    return this.take("**") ? { k: "bin", op: "**", l: base, r: this.factor() } : base;
  }

  private trailers(): Node {
    let node = this.atom();
    for (;;) {
      if (this.take(".")) {
        const name = this.tokens[this.pos++];
        if (!name || name.kind !== "name" || KEYWORDS.has(name.value)) throw syntaxError("invalid syntax after '.'");
        node = { k: "attr", x: node, name: name.value };
      } else if (this.take("(")) node = this.call(node);
      else if (this.take("[")) {
        node = this.subscript(node);
        this.expect("]");
      } else return node;
    }
  }

  private call(f: Node): Node {
    const args: Node[] = [];
    const kwargs: Array<[string, Node]> = [];
    while (!this.is(")")) {
      if (this.peek().kind === "name" && this.is("=", 1) && !KEYWORDS.has(this.peek().value)) {
        const name = this.tokens[this.pos].value;
        this.pos += 2;
        kwargs.push([name, this.test()]);
      } else {
        if (kwargs.length) throw syntaxError("positional argument follows keyword argument");
        const arg = this.test();
        args.push(this.is("for") ? this.comprehension("gen", arg) : arg);
      }
      if (!this.take(",")) break;
    }
    this.expect(")");
    return { k: "call", f, args, kwargs };
  }

  private subscript(x: Node): Node {
    const bound = (): Node | undefined => (this.is(":") || this.is("]") || this.is(",") ? undefined : this.test());
    const a = bound();
    if (!this.take(":")) {
      if (!a) throw syntaxError("invalid syntax");
      if (!this.is(",")) return { k: "index", x, i: a };
      const items = [a];
      while (this.take(",") && !this.is("]")) items.push(this.test());
      return { k: "index", x, i: { k: "tuple", items } };
    }
    const b = bound();
    const c = this.take(":") ? bound() : undefined;
    return { k: "slice", x, a, b, c };
  }

  private comprehension(kind: "list" | "set" | "dict" | "gen", elt: Node, value?: Node): Node {
    const clauses: Clause[] = [];
    while (this.take("for")) {
      const target = this.targetList();
      this.expect("in");
      const iter = this.orTest();
      const conds: Node[] = [];
      while (this.take("if")) conds.push(this.orTest());
      clauses.push({ target, iter, conds });
    }
    return { k: "comp", kind, elt, value, clauses };
  }

  private targetList(): Target {
    const one = (): Target => {
      if (this.take("(") || this.take("[")) {
        const close = this.tokens[this.pos - 1].value === "(" ? ")" : "]";
        const inner: Target[] = [];
        while (!this.is(close)) {
          inner.push(one());
          if (!this.take(",")) break;
        }
        this.expect(close);
        return inner;
      }
      const t = this.tokens[this.pos++];
      if (t.kind !== "name" || KEYWORDS.has(t.value)) throw syntaxError("cannot assign to expression");
      return t.value;
    };
    const first = one();
    if (!this.is(",")) return first;
    const items = [first];
    while (this.take(",") && !this.is("in")) items.push(one());
    return items;
  }

  /** `(`...`)`, `[`...`]` or `{`...`}` after its opening bracket. */
  private display(open: string): Node {
    const close = open === "(" ? ")" : open === "[" ? "]" : "}";
    if (this.take(close)) return open === "(" ? { k: "tuple", items: [] } : open === "[" ? { k: "list", items: [] } : { k: "dict", entries: [] };
    const first = this.item();
    if (open === "{" && first.k !== "star" && this.take(":")) {
      const value = this.test();
      if (this.is("for")) {
        const node = this.comprehension("dict", first, value);
        this.expect(close);
        return node;
      }
      const entries: Array<[Node, Node]> = [[first, value]];
      while (this.take(",") && !this.is(close)) {
        const key = this.test();
        this.expect(":");
        entries.push([key, this.test()]);
      }
      this.expect(close);
      return { k: "dict", entries };
    }
    if (this.is("for") && first.k !== "star") {
      const node = this.comprehension(open === "(" ? "gen" : open === "[" ? "list" : "set", first);
      this.expect(close);
      return node;
    }
    const items = [first];
    let comma = false;
    while (this.take(",")) {
      comma = true;
      if (this.is(close)) break;
      items.push(this.item());
    }
    this.expect(close);
    if (open === "(" && first.k === "star" && items.length === 1 && !comma) throw syntaxError("cannot use starred expression here");
    if (open === "(") return items.length === 1 && !comma ? first : { k: "tuple", items };
    return { k: open === "[" ? "list" : "set", items };
  }

  private atom(): Node {
    const t = this.tokens[this.pos++] ?? { kind: "end", value: "" };
    if (t.kind === "number") return { k: "const", v: t.float ? new PyFloat(t.number!) : t.number! };
    if (t.kind === "string") return this.strings(t);
    if (t.kind === "name") {
      if (t.value === "True") return { k: "const", v: true };
      if (t.value === "False") return { k: "const", v: false };
      if (t.value === "None") return { k: "const", v: null };
      if (KEYWORDS.has(t.value)) throw syntaxError(`invalid syntax at '${t.value}'`);
      return { k: "name", id: t.value };
    }
    if (t.kind === "op" && (t.value === "(" || t.value === "[" || t.value === "{")) return this.display(t.value);
    throw syntaxError(t.kind === "end" ? "unexpected end of expression" : `invalid syntax at '${t.value}'`);
  }

  /** Adjacent string literals concatenate; bytes cannot mix with str. */
  private strings(first: Token): Node {
    const tokens = [first];
    while (this.peek().kind === "string") tokens.push(this.tokens[this.pos++]);
    const bytes = tokens.map((t) => Boolean(t.bytes));
    if (bytes.some((b) => b !== bytes[0])) throw syntaxError("cannot mix bytes and nonbytes literals");
    if (bytes[0]) return { k: "const", v: new PyBytes(Uint8Array.from(tokens.map((t) => t.value).join(""), (c) => c.charCodeAt(0))) };
    if (!tokens.some((t) => t.fstring)) return { k: "const", v: tokens.map((t) => t.value).join("") };
    const parts: FPart[] = [];
    for (const t of tokens) parts.push(...(t.fstring ? fstringParts(t.value, Boolean(t.raw)) : [t.value]));
    return { k: "fstring", parts };
  }
}

/** The end of an f-string replacement field's expression: a top-level `!`, `:`, `=` or the closing `}`. */
function fieldEnd(body: string, start: number): number {
  let depth = 0;
  for (let i = start; i < body.length; i++) {
    const ch = body[i];
    if (ch === "'" || ch === '"') {
      const end = body.indexOf(ch, i + 1);
      if (end < 0) throw syntaxError("f-string: unterminated string");
      i = end;
    } else if ("([{".includes(ch)) depth++;
    else if (depth && ")]}".includes(ch)) depth--;
    else if (!depth && (ch === "}" || ch === ":" || (ch === "!" && body[i + 1] !== "="))) return i;
  }
  throw syntaxError("f-string: expecting '}'");
}

/** Split an f-string body into literal text and replacement fields. */
function fstringParts(body: string, raw: boolean): FPart[] {
  const parts: FPart[] = [];
  let text = "";
  let i = 0;
  while (i < body.length) {
    const ch = body[i];
    if ((ch === "{" || ch === "}") && body[i + 1] === ch) {
      text += ch;
      i += 2;
      continue;
    }
    if (ch === "}") throw syntaxError("f-string: single '}' is not allowed");
    if (ch !== "{") {
      text += ch;
      i++;
      continue;
    }
    if (text) parts.push(raw ? text : unescape(text, false));
    text = "";
    const end = fieldEnd(body, i + 1);
    const source = body.slice(i + 1, end);
    if (!source.trim()) throw syntaxError("f-string: empty expression not allowed");
    const items = new Parser(tokenize(source)).top();
    const expr: Node = items.length === 1 && !/,\s*$/.test(source) ? items[0] : { k: "tuple", items };
    let j = end;
    let conv: string | undefined;
    if (body[j] === "!") {
      conv = body[j + 1];
      if (!conv || !"rsa".includes(conv)) throw syntaxError("f-string: invalid conversion character");
      j += 2;
    }
    let spec: Node | undefined;
    if (body[j] === ":") {
      let depth = 0;
      let k = j + 1;
      for (; k < body.length; k++) {
        if (body[k] === "{") depth++;
        else if (body[k] === "}") {
          if (!depth) break;
          depth--;
        }
      }
      spec = { k: "fstring", parts: fstringParts(body.slice(j + 1, k), raw) };
      j = k;
    }
    if (body[j] !== "}") throw syntaxError("f-string: expecting '}'");
    parts.push({ expr, conv, spec });
    i = j + 1;
  }
  if (text) parts.push(raw ? text : unescape(text, false));
  return parts;
}
