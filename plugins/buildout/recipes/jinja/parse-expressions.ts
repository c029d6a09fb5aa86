/**
 * Jinja2's expression grammar (jinja2/parser.py), by precedence: conditional
 * expressions, or/and/not, comparisons, + -, ~, * / // %, **, unary,
 * primaries with attributes, subscripts, calls, filters and tests. The
 * token helpers are shared with the statement parser (parser.ts).
 */
import type { CallArgs, Expr } from "./ast.ts";
import { TemplateSyntaxError, tokenize, type Token } from "./lexer.ts";
import { PyFloat } from "../../py/types.ts";

const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);

export class ExpressionParser {
  protected pos = 0;
  protected readonly tokens: Token[];

  constructor(
    source: string,
    protected readonly template: string,
  ) {
    this.tokens = tokenize(source, template);
  }

  // ---- token helpers
  protected get current(): Token {
    return this.tokens[this.pos]!;
  }
  protected look(offset = 1): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  protected next(): Token {
    const token = this.current;
    if (token.type !== "eof") this.pos++;
    return token;
  }
  protected fail(message: string, line = this.current.line): never {
    throw new TemplateSyntaxError(message, line, this.template);
  }
  protected isOp(value: string): boolean {
    return this.current.type === "op" && this.current.value === value;
  }
  protected isName(value?: string): boolean {
    return this.current.type === "name" && (value === undefined || this.current.value === value);
  }
  protected skipOp(value: string): boolean {
    if (this.isOp(value)) {
      this.next();
      return true;
    }
    return false;
  }
  protected skipName(value: string): boolean {
    if (this.isName(value)) {
      this.next();
      return true;
    }
    return false;
  }
  protected expectOp(value: string): Token {
    if (!this.isOp(value)) this.fail(`expected '${value}', got ${this.describe()}`);
    return this.next();
  }
  protected expectName(value?: string): Token {
    if (!this.isName(value)) this.fail(`expected ${value ? `'${value}'` : "a name"}, got ${this.describe()}`);
    return this.next();
  }
  protected expect(type: Token["type"]): Token {
    if (this.current.type !== type) this.fail(`expected ${type.replace("_", " ")}, got ${this.describe()}`);
    return this.next();
  }
  protected describe(): string {
    const t = this.current;
    if (t.type === "eof") return "end of template";
    if (t.type === "block_end") return "end of statement block";
    if (t.type === "var_end") return "end of print statement";
    return `'${t.value}'`;
  }

  // ---- expressions
  /** Comma-separated expressions make a tuple (bare, without parentheses). */
  parseTuple(withCondexpr = true, extraEnds: string[] = [], explicitParens = false): Expr {
    const items: Expr[] = [];
    let isTuple = false;
    const ended = () =>
      this.current.type === "var_end" ||
      this.current.type === "block_end" ||
      this.isOp(")") ||
      (this.current.type === "name" && extraEnds.includes(this.current.value));
    for (;;) {
      if (items.length) {
        if (!this.skipOp(",")) break;
        isTuple = true;
      }
      if (ended()) break;
      items.push(withCondexpr ? this.parseExpression() : this.parseOr());
      if (!this.isOp(",")) break;
    }
    if (!isTuple) {
      if (items.length) return items[0]!;
      if (!explicitParens) this.fail(`Expected an expression, got ${this.describe()}`);
    }
    return { kind: "tuple", items };
  }

  parseExpression(withCondexpr = true): Expr {
    return withCondexpr ? this.parseCondexpr() : this.parseOr();
  }

  protected parseCondexpr(): Expr {
    let node = this.parseOr();
    while (this.skipName("if")) {
      const test = this.parseOr();
      const otherwise = this.skipName("else") ? this.parseCondexpr() : null;
      node = { kind: "cond", test, then: node, otherwise };
    }
    return node;
  }

  protected parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skipName("or")) left = { kind: "or", left, right: this.parseAnd() };
    return left;
  }

  protected parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skipName("and")) left = { kind: "and", left, right: this.parseNot() };
    return left;
  }

  protected parseNot(): Expr {
    if (this.skipName("not")) return { kind: "not", node: this.parseNot() };
    return this.parseCompare();
  }

  protected parseCompare(): Expr {
    const line = this.current.line;
    const first = this.parseMath1();
    const ops: Array<[string, Expr]> = [];
    for (;;) {
      if (this.current.type === "op" && COMPARE_OPS.has(this.current.value)) {
        const op = this.next().value;
        ops.push([op, this.parseMath1()]);
      } else if (this.skipName("in")) {
        ops.push(["in", this.parseMath1()]);
      } else if (this.isName("not") && this.look().type === "name" && this.look().value === "in") {
        this.next();
        this.next();
        ops.push(["notin", this.parseMath1()]);
      } else break;
    }
    return ops.length ? { kind: "compare", first, ops, line } : first;
  }

  protected parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.isOp("+") || this.isOp("-")) {
      const { value: op, line } = this.next();
      left = { kind: "binop", op, left, right: this.parseConcat(), line };
    }
    return left;
  }

  protected parseConcat(): Expr {
    const nodes = [this.parseMath2()];
    while (this.skipOp("~")) nodes.push(this.parseMath2());
    return nodes.length === 1 ? nodes[0]! : { kind: "concat", nodes };
  }

  protected parseMath2(): Expr {
    let left = this.parsePow();
    while (this.isOp("*") || this.isOp("/") || this.isOp("//") || this.isOp("%")) {
      const { value: op, line } = this.next();
      left = { kind: "binop", op, left, right: this.parsePow(), line };
    }
    return left;
  }

  protected parsePow(): Expr {
    let left = this.parseUnary();
    while (this.isOp("**")) {
      const line = this.next().line;
      left = { kind: "binop", op: "**", left, right: this.parseUnary(), line };
    }
    return left;
  }

  protected parseUnary(withFilter = true): Expr {
    let node: Expr;
    if (this.isOp("-") || this.isOp("+")) {
      const { value: op, line } = this.next();
      node = { kind: "unary", op, node: this.parseUnary(false), line };
    } else {
      node = this.parsePostfix(this.parsePrimary());
    }
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  protected parsePrimary(): Expr {
    const token = this.current;
    switch (token.type) {
      case "name": {
        this.next();
        if (["true", "True"].includes(token.value)) return { kind: "const", value: true };
        if (["false", "False"].includes(token.value)) return { kind: "const", value: false };
        if (["none", "None"].includes(token.value)) return { kind: "const", value: null };
        return { kind: "name", name: token.value, line: token.line };
      }
      case "string": {
        let text = this.next().value;
        while (this.current.type === "string") text += this.next().value;
        return { kind: "const", value: text };
      }
      case "int": {
        this.next();
        const v = token.value.toLowerCase();
        const n = v.startsWith("0b") ? Number.parseInt(v.slice(2), 2) : v.startsWith("0o") ? Number.parseInt(v.slice(2), 8) : v.startsWith("0x") ? Number.parseInt(v.slice(2), 16) : Number(v);
        return { kind: "const", value: n };
      }
      case "float":
        this.next();
        return { kind: "const", value: new PyFloat(Number(token.value)) };
    }
    if (this.skipOp("(")) {
      const node = this.parseTuple(true, [], true);
      this.expectOp(")");
      return node;
    }
    if (this.isOp("[")) return this.parseList();
    if (this.isOp("{")) return this.parseDict();
    this.fail(`unexpected ${this.describe()}`);
  }

  protected parseList(): Expr {
    this.expectOp("[");
    const items: Expr[] = [];
    while (!this.isOp("]")) {
      if (items.length) this.expectOp(",");
      if (this.isOp("]")) break;
      items.push(this.parseExpression());
    }
    this.expectOp("]");
    return { kind: "list", items };
  }

  protected parseDict(): Expr {
    this.expectOp("{");
    const pairs: Array<[Expr, Expr]> = [];
    while (!this.isOp("}")) {
      if (pairs.length) this.expectOp(",");
      if (this.isOp("}")) break;
      const key = this.parseExpression();
      this.expectOp(":");
      pairs.push([key, this.parseExpression()]);
    }
    this.expectOp("}");
    return { kind: "dict", pairs };
  }

  protected parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isOp(".") || this.isOp("[")) node = this.parseSubscript(node);
      else if (this.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  protected parseFilterExpr(node: Expr): Expr {
    for (;;) {
      if (this.isOp("|")) node = this.parseFilterChain(node);
      else if (this.isName("is")) node = this.parseTest(node);
      else if (this.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  protected parseSubscript(node: Expr): Expr {
    const token = this.next();
    if (token.value === ".") {
      const attr = this.current;
      if (attr.type === "name") {
        this.next();
        return { kind: "getattr", obj: node, attr: attr.value, line: token.line };
      }
      if (attr.type === "int") {
        this.next();
        return { kind: "getitem", obj: node, key: { kind: "const", value: Number(attr.value) }, line: token.line };
      }
      this.fail("expected name or number");
    }
    const items: Expr[] = [];
    while (!this.isOp("]")) {
      if (items.length) this.expectOp(",");
      items.push(this.parseSubscribed());
    }
    this.expectOp("]");
    const key: Expr = items.length === 1 ? items[0]! : { kind: "tuple", items };
    return { kind: "getitem", obj: node, key, line: token.line };
  }

  protected parseSubscribed(): Expr {
    const parts: Array<Expr | null> = [];
    if (this.isOp(":")) {
      this.next();
      parts.push(null);
    } else {
      const node = this.parseExpression();
      if (!this.isOp(":")) return node;
      this.next();
      parts.push(node);
    }
    parts.push(this.isOp(":") || this.isOp("]") || this.isOp(",") ? null : this.parseExpression());
    if (this.skipOp(":")) parts.push(this.isOp("]") || this.isOp(",") ? null : this.parseExpression());
    else parts.push(null);
    return { kind: "slice", start: parts[0]!, stop: parts[1]!, step: parts[2]! };
  }

  protected parseCallArgs(): CallArgs {
    this.expectOp("(");
    const out: CallArgs = { args: [], kwargs: [], starArgs: null, starKwargs: null };
    let first = true;
    while (!this.isOp(")")) {
      if (!first) {
        this.expectOp(",");
        if (this.isOp(")")) break;
      }
      first = false;
      if (this.skipOp("*")) out.starArgs = this.parseExpression();
      else if (this.skipOp("**")) out.starKwargs = this.parseExpression();
      else if (this.current.type === "name" && this.look().type === "op" && this.look().value === "=") {
        const key = this.next().value;
        this.next();
        out.kwargs.push([key, this.parseExpression()]);
      } else {
        if (out.kwargs.length || out.starKwargs) this.fail("positional argument follows keyword argument");
        out.args.push(this.parseExpression());
      }
    }
    this.expectOp(")");
    return out;
  }

  protected parseCall(node: Expr): Expr {
    const line = this.current.line;
    return { kind: "call", fn: node, line, ...this.parseCallArgs() };
  }

  protected dottedName(): string {
    let name = this.expectName().value;
    while (this.isOp(".") && this.look().type === "name") {
      this.next();
      name += "." + this.next().value;
    }
    return name;
  }

  /** `| f(args) | g` applied to node (null in filter blocks and set blocks). */
  protected parseFilterChain(node: Expr | null, startInline = false): Expr {
    let current: Expr | null = node;
    let firstInline = startInline;
    while (this.isOp("|") || firstInline) {
      if (!firstInline) this.next();
      firstInline = false;
      const line = this.current.line;
      const name = this.dottedName();
      const call: CallArgs = this.isOp("(") ? this.parseCallArgs() : { args: [], kwargs: [], starArgs: null, starKwargs: null };
      current = { kind: "filter", node: current, name, line, ...call };
    }
    return current!;
  }

  protected parseTest(node: Expr): Expr {
    const line = this.expectName("is").line;
    const negate = this.skipName("not");
    const name = this.dottedName();
    let call: CallArgs = { args: [], kwargs: [], starArgs: null, starKwargs: null };
    if (this.isOp("(")) call = this.parseCallArgs();
    else if (
      ["name", "string", "int", "float"].includes(this.current.type) ||
      this.isOp("(") ||
      this.isOp("[") ||
      this.isOp("{")
    ) {
      if (!(this.current.type === "name" && ["else", "or", "and", "if", "is", "in", "not"].includes(this.current.value))) {
        if (this.isName("is")) this.fail("You cannot chain multiple tests with is");
        const arg = this.parsePostfix(this.parsePrimary());
        call = { args: [arg], kwargs: [], starArgs: null, starKwargs: null };
      }
    }
    return { kind: "test", node, name, negate, line, ...call };
  }
}
