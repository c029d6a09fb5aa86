/** Jinja2's grammar, following jinja2/parser.py: statements, then expressions by precedence. */
import type { CallArgs, Expr, Param, Stmt, Target } from "./ast.ts";
import { TemplateSyntaxError, tokenize, type Token } from "./lexer.ts";
import { PyFloat } from "./py/types.ts";

const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);

export class Parser {
  private pos = 0;
  private readonly tokens: Token[];

  constructor(
    source: string,
    private readonly template: string,
  ) {
    this.tokens = tokenize(source, template);
  }

  // ---- token helpers
  private get current(): Token {
    return this.tokens[this.pos]!;
  }
  private look(offset = 1): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const token = this.current;
    if (token.type !== "eof") this.pos++;
    return token;
  }
  private fail(message: string, line = this.current.line): never {
    throw new TemplateSyntaxError(message, line, this.template);
  }
  private isOp(value: string): boolean {
    return this.current.type === "op" && this.current.value === value;
  }
  private isName(value?: string): boolean {
    return this.current.type === "name" && (value === undefined || this.current.value === value);
  }
  private skipOp(value: string): boolean {
    if (this.isOp(value)) {
      this.next();
      return true;
    }
    return false;
  }
  private skipName(value: string): boolean {
    if (this.isName(value)) {
      this.next();
      return true;
    }
    return false;
  }
  private expectOp(value: string): Token {
    if (!this.isOp(value)) this.fail(`expected '${value}', got ${this.describe()}`);
    return this.next();
  }
  private expectName(value?: string): Token {
    if (!this.isName(value)) this.fail(`expected ${value ? `'${value}'` : "a name"}, got ${this.describe()}`);
    return this.next();
  }
  private expect(type: Token["type"]): Token {
    if (this.current.type !== type) this.fail(`expected ${type.replace("_", " ")}, got ${this.describe()}`);
    return this.next();
  }
  private describe(): string {
    const t = this.current;
    if (t.type === "eof") return "end of template";
    if (t.type === "block_end") return "end of statement block";
    if (t.type === "var_end") return "end of print statement";
    return `'${t.value}'`;
  }

  // ---- statements
  parse(): Stmt[] {
    const body = this.subparse([]);
    if (this.current.type !== "eof") this.fail(`unexpected ${this.describe()}`);
    return body;
  }

  /** Parse until a block tag whose name is in `ends` (left as the current token). */
  private subparse(ends: string[]): Stmt[] {
    const body: Stmt[] = [];
    for (;;) {
      const token = this.current;
      if (token.type === "eof") {
        if (ends.length) this.fail(`Unexpected end of template. Jinja was looking for: ${ends.map((e) => `'${e}'`).join(", ")}`);
        return body;
      }
      if (token.type === "data") {
        body.push({ kind: "data", text: this.next().value });
      } else if (token.type === "var_begin") {
        this.next();
        const expr = this.parseTuple();
        body.push({ kind: "output", expr, line: token.line });
        this.expect("var_end");
      } else if (token.type === "block_begin") {
        const name = this.look();
        if (name.type === "name" && ends.includes(name.value)) {
          this.next();
          return body;
        }
        this.next();
        body.push(this.parseStatement());
      } else {
        this.fail(`unexpected ${this.describe()}`);
      }
    }
  }

  /** After subparse stopped at `{% end... `: consume the name and the block end. */
  private endTag(name: string): void {
    this.expectName(name);
    this.expect("block_end");
  }

  private parseStatement(): Stmt {
    const token = this.current;
    if (token.type !== "name") this.fail("tag name expected");
    const line = token.line;
    switch (token.value) {
      case "if":
        return this.parseIf();
      case "for":
        return this.parseFor();
      case "set":
        return this.parseSet();
      case "macro":
        return this.parseMacro();
      case "call":
        return this.parseCallBlock();
      case "filter":
        return this.parseFilterBlock();
      case "include":
        return this.parseInclude();
      case "import":
        return this.parseImport();
      case "from":
        return this.parseFrom();
      case "do": {
        this.next();
        const expr = this.parseTuple();
        this.expect("block_end");
        return { kind: "do", expr, line };
      }
      case "break":
      case "continue":
        this.next();
        this.expect("block_end");
        return { kind: token.value };
      case "with":
        return this.parseWith();
      case "block": {
        this.next();
        const name = this.expectName().value;
        this.skipName("scoped");
        this.skipName("required");
        this.expect("block_end");
        const body = this.subparse(["endblock"]);
        this.expectName("endblock");
        if (this.isName()) this.next();
        this.expect("block_end");
        return { kind: "block", name, body };
      }
      case "autoescape": {
        this.next();
        this.parseExpression();
        this.expect("block_end");
        const body = this.subparse(["endautoescape"]);
        this.endTag("endautoescape");
        return { kind: "with", assignments: [], body };
      }
      case "extends":
        this.fail("template inheritance ({% extends %}) is not supported by the native engine");
    }
    this.fail(`Encountered unknown tag '${token.value}'.`);
  }

  private parseIf(): Stmt {
    this.expectName("if");
    const test = this.parseTuple(false);
    this.expect("block_end");
    const body = this.subparse(["elif", "else", "endif"]);
    const tag = this.next().value;
    if (tag === "elif") return { kind: "if", test, body, otherwise: [this.parseIfRest()] };
    if (tag === "else") {
      this.expect("block_end");
      const otherwise = this.subparse(["endif"]);
      this.endTag("endif");
      return { kind: "if", test, body, otherwise };
    }
    this.expect("block_end");
    return { kind: "if", test, body, otherwise: [] };
  }

  /** An elif branch: the current token is just after `elif`. */
  private parseIfRest(): Stmt {
    const test = this.parseTuple(false);
    this.expect("block_end");
    const body = this.subparse(["elif", "else", "endif"]);
    const tag = this.next().value;
    if (tag === "elif") return { kind: "if", test, body, otherwise: [this.parseIfRest()] };
    if (tag === "else") {
      this.expect("block_end");
      const otherwise = this.subparse(["endif"]);
      this.endTag("endif");
      return { kind: "if", test, body, otherwise };
    }
    this.expect("block_end");
    return { kind: "if", test, body, otherwise: [] };
  }

  private parseFor(): Stmt {
    const line = this.expectName("for").line;
    const target = this.parseAssignTarget(["in"]);
    this.expectName("in");
    const iter = this.parseTuple(false, ["recursive"], false);
    let filter: Expr | null = null;
    if (this.skipName("if")) filter = this.parseExpression();
    const recursive = this.skipName("recursive");
    this.expect("block_end");
    const body = this.subparse(["endfor", "else"]);
    let otherwise: Stmt[] = [];
    if (this.next().value === "else") {
      this.expect("block_end");
      otherwise = this.subparse(["endfor"]);
      this.next();
    }
    this.expect("block_end");
    return { kind: "for", target, iter, body, otherwise, filter, recursive, line };
  }

  private parseSet(): Stmt {
    const line = this.expectName("set").line;
    const target = this.parseAssignTarget([], true);
    if (this.skipOp("=")) {
      const value = this.parseTuple();
      this.expect("block_end");
      return { kind: "set", target, value, line };
    }
    const filter = this.isOp("|") ? this.parseFilterChain(null) : null;
    this.expect("block_end");
    const body = this.subparse(["endset"]);
    this.endTag("endset");
    return { kind: "setblock", target, body, filter, line };
  }

  private parseParams(): Param[] {
    const params: Param[] = [];
    this.expectOp("(");
    while (!this.isOp(")")) {
      if (params.length) this.expectOp(",");
      if (this.isOp(")")) break;
      const name = this.expectName().value;
      const fallback = this.skipOp("=") ? this.parseExpression() : null;
      if (!fallback && params.some((p) => p.fallback)) this.fail("non-default argument follows default argument");
      params.push({ name, fallback });
    }
    this.expectOp(")");
    return params;
  }

  private parseMacro(): Stmt {
    const line = this.expectName("macro").line;
    const name = this.expectName().value;
    const params = this.parseParams();
    this.expect("block_end");
    const body = this.subparse(["endmacro"]);
    this.expectName("endmacro");
    if (this.isName()) this.next();
    this.expect("block_end");
    return { kind: "macro", name, params, body, line };
  }

  private parseCallBlock(): Stmt {
    const line = this.expectName("call").line;
    const params = this.isOp("(") ? this.parseParams() : [];
    const call = this.parseExpression();
    if (call.kind !== "call") this.fail("expected call", line);
    this.expect("block_end");
    const body = this.subparse(["endcall"]);
    this.endTag("endcall");
    return { kind: "callblock", call, params, body, line };
  }

  private parseFilterBlock(): Stmt {
    const line = this.expectName("filter").line;
    const filter = this.parseFilterChain(null, true);
    this.expect("block_end");
    const body = this.subparse(["endfilter"]);
    this.endTag("endfilter");
    return { kind: "filterblock", filter, body, line };
  }

  private parseContextFlag(fallback: boolean): boolean {
    if ((this.isName("with") || this.isName("without")) && this.look().type === "name" && this.look().value === "context") {
      const withContext = this.next().value === "with";
      this.next();
      return withContext;
    }
    return fallback;
  }

  private parseInclude(): Stmt {
    const line = this.expectName("include").line;
    const template = this.parseExpression();
    let ignoreMissing = false;
    if (this.isName("ignore") && this.look().value === "missing") {
      this.next();
      this.next();
      ignoreMissing = true;
    }
    const withContext = this.parseContextFlag(true);
    this.expect("block_end");
    return { kind: "include", template, ignoreMissing, withContext, line };
  }

  private parseImport(): Stmt {
    const line = this.expectName("import").line;
    const template = this.parseExpression();
    this.expectName("as");
    const target = this.expectName().value;
    const withContext = this.parseContextFlag(false);
    this.expect("block_end");
    return { kind: "import", template, target, withContext, line };
  }

  private parseFrom(): Stmt {
    const line = this.expectName("from").line;
    const template = this.parseExpression();
    this.expectName("import");
    const names: Array<[string, string]> = [];
    let withContext = false;
    for (;;) {
      if (names.length) {
        if (!this.skipOp(",")) break;
      }
      if ((this.isName("with") || this.isName("without")) && this.look().value === "context") {
        withContext = this.parseContextFlag(false);
        break;
      }
      if (!this.isName()) break;
      const name = this.next().value;
      const alias = this.skipName("as") ? this.expectName().value : name;
      names.push([name, alias]);
    }
    if (this.isName("with") || this.isName("without")) withContext = this.parseContextFlag(false);
    this.expect("block_end");
    return { kind: "fromimport", template, names, withContext, line };
  }

  private parseWith(): Stmt {
    this.expectName("with");
    const assignments: Array<[Target, Expr]> = [];
    while (this.current.type !== "block_end") {
      if (assignments.length) this.expectOp(",");
      const target = this.parseAssignTarget([]);
      this.expectOp("=");
      assignments.push([target, this.parseExpression()]);
    }
    this.expect("block_end");
    const body = this.subparse(["endwith"]);
    this.endTag("endwith");
    return { kind: "with", assignments, body };
  }

  /** A name, `ns.attr` (set only), or a tuple of names. */
  private parseAssignTarget(extraEnds: string[], allowNsRef = false): Target {
    const one = (): Target => {
      if (this.skipOp("(")) {
        const inner = this.parseAssignTarget([...extraEnds, ")"]);
        this.expectOp(")");
        return inner;
      }
      const name = this.expectName().value;
      if (allowNsRef && this.isOp(".") && this.look().type === "name") {
        this.next();
        return { kind: "nsref", name, attr: this.next().value };
      }
      return { kind: "name", name };
    };
    const first = one();
    if (!this.isOp(",")) return first;
    const items = [first];
    while (this.skipOp(",")) {
      if (this.isName("in") || this.isOp("=") || this.isOp(")") || this.current.type === "block_end") break;
      items.push(one());
    }
    return { kind: "tuple", items };
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

  private parseCondexpr(): Expr {
    let node = this.parseOr();
    while (this.skipName("if")) {
      const test = this.parseOr();
      const otherwise = this.skipName("else") ? this.parseCondexpr() : null;
      node = { kind: "cond", test, then: node, otherwise };
    }
    return node;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.skipName("or")) left = { kind: "or", left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.skipName("and")) left = { kind: "and", left, right: this.parseNot() };
    return left;
  }

  private parseNot(): Expr {
    if (this.skipName("not")) return { kind: "not", node: this.parseNot() };
    return this.parseCompare();
  }

  private parseCompare(): Expr {
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

  private parseMath1(): Expr {
    let left = this.parseConcat();
    while (this.isOp("+") || this.isOp("-")) {
      const { value: op, line } = this.next();
      left = { kind: "binop", op, left, right: this.parseConcat(), line };
    }
    return left;
  }

  private parseConcat(): Expr {
    const nodes = [this.parseMath2()];
    while (this.skipOp("~")) nodes.push(this.parseMath2());
    return nodes.length === 1 ? nodes[0]! : { kind: "concat", nodes };
  }

  private parseMath2(): Expr {
    let left = this.parsePow();
    while (this.isOp("*") || this.isOp("/") || this.isOp("//") || this.isOp("%")) {
      const { value: op, line } = this.next();
      left = { kind: "binop", op, left, right: this.parsePow(), line };
    }
    return left;
  }

  private parsePow(): Expr {
    let left = this.parseUnary();
    while (this.isOp("**")) {
      const line = this.next().line;
      left = { kind: "binop", op: "**", left, right: this.parseUnary(), line };
    }
    return left;
  }

  private parseUnary(withFilter = true): Expr {
    let node: Expr;
    if (this.isOp("-") || this.isOp("+")) {
      const { value: op, line } = this.next();
      node = { kind: "unary", op, node: this.parseUnary(false), line };
    } else {
      node = this.parsePostfix(this.parsePrimary());
    }
    return withFilter ? this.parseFilterExpr(node) : node;
  }

  private parsePrimary(): Expr {
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

  private parseList(): Expr {
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

  private parseDict(): Expr {
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

  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isOp(".") || this.isOp("[")) node = this.parseSubscript(node);
      else if (this.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  private parseFilterExpr(node: Expr): Expr {
    for (;;) {
      if (this.isOp("|")) node = this.parseFilterChain(node);
      else if (this.isName("is")) node = this.parseTest(node);
      else if (this.isOp("(")) node = this.parseCall(node);
      else return node;
    }
  }

  private parseSubscript(node: Expr): Expr {
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

  private parseSubscribed(): Expr {
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

  private parseCallArgs(): CallArgs {
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

  private parseCall(node: Expr): Expr {
    const line = this.current.line;
    return { kind: "call", fn: node, line, ...this.parseCallArgs() };
  }

  private dottedName(): string {
    let name = this.expectName().value;
    while (this.isOp(".") && this.look().type === "name") {
      this.next();
      name += "." + this.next().value;
    }
    return name;
  }

  /** `| f(args) | g` applied to node (null in filter blocks and set blocks). */
  private parseFilterChain(node: Expr | null, startInline = false): Expr {
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

  private parseTest(node: Expr): Expr {
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

export function parseTemplate(source: string, name: string): Stmt[] {
  return new Parser(source, name).parse();
}
