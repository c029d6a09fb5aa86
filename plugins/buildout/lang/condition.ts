/**
 * Section conditions `[name:expr]`: a small Python expression evaluator over
 * the names zc.buildout puts in scope (sys, os, platform, re, python3,
 * linux, bits64, ...), answering as CPython 3.11 on Linux would. The fork
 * also accepts PEP 508 markers (`python_version >= "3.8"`). Anything outside
 * the subset is a ConditionalExpressionError, as an exception inside
 * zc.buildout's eval() would be. The expression is parsed first and then
 * evaluated lazily, so `python2 and python311` is false, not a NameError.
 */
import { BuildoutError } from "./errors.ts";
import { tokenize, type Token } from "./condition-lexer.ts";
import { PyError, binary, compare, contains, equal, getAttr, index, slice, truthy, type PyValue } from "./condition-values.ts";
import { globalsFor } from "./condition-globals.ts";

type Node =
  | { k: "const"; v: PyValue }
  | { k: "name"; id: string }
  | { k: "and" | "or"; items: Node[] }
  | { k: "not"; x: Node }
  | { k: "cmp"; first: Node; ops: string[]; rest: Node[] }
  | { k: "bin"; op: string; l: Node; r: Node }
  | { k: "neg" | "pos"; x: Node }
  | { k: "attr"; x: Node; name: string }
  | { k: "call"; f: Node; args: Node[] }
  | { k: "index"; x: Node; i: Node }
  | { k: "slice"; x: Node; a?: Node; b?: Node; c?: Node }
  | { k: "tuple" | "list"; items: Node[] }
  | { k: "if"; body: Node; cond: Node; other: Node };

/** Evaluate `expression` in zc.buildout's condition namespace; true when the section is kept. */
export function evaluateCondition(expression: string, where: string, fork = false): boolean {
  try {
    const items = new Parser(tokenize(expression, fork)).top();
    const scope = globalsFor(fork);
    // buildout evaluates "[expr]" and takes element 0: every element is evaluated.
    const values = items.map((node) => evaluate(node, scope));
    if (!values.length) throw new PyError("IndexError", "list index out of range");
    return truthy(values[0]);
  } catch (error) {
    const message = error instanceof PyError ? `${error.type}: ${error.message}` : String(error);
    throw new BuildoutError("ConditionalExpressionError", `${where}: cannot evaluate ${JSON.stringify(expression.trim())}: ${message}`);
  }
}

function evaluate(node: Node, scope: Record<string, PyValue>): PyValue {
  switch (node.k) {
    case "const":
      return node.v;
    case "name":
      if (Object.hasOwn(scope, node.id)) return scope[node.id];
      throw new PyError("NameError", `name '${node.id}' is not defined`);
    case "and":
    case "or": {
      let value: PyValue = null;
      for (const item of node.items) {
        value = evaluate(item, scope);
        if (truthy(value) === (node.k === "or")) return value;
      }
      return value;
    }
    case "not":
      return !truthy(evaluate(node.x, scope));
    case "cmp": {
      let left = evaluate(node.first, scope);
      for (let i = 0; i < node.ops.length; i++) {
        const right = evaluate(node.rest[i], scope);
        if (!compareOp(node.ops[i], left, right)) return false;
        left = right;
      }
      return true;
    }
    case "bin":
      return binary(node.op, evaluate(node.l, scope), evaluate(node.r, scope));
    case "neg":
    case "pos": {
      const value = evaluate(node.x, scope);
      if (typeof value !== "number" && typeof value !== "boolean") throw new PyError("TypeError", "bad operand type for unary operator");
      return node.k === "neg" ? -Number(value) : Number(value);
    }
    case "attr":
      return getAttr(evaluate(node.x, scope), node.name);
    case "call": {
      const fn = evaluate(node.f, scope);
      const args = node.args.map((a) => evaluate(a, scope));
      if (typeof fn !== "object" || fn === null || fn.t !== "fn") throw new PyError("TypeError", "object is not callable");
      return fn.call(args);
    }
    case "index":
      return index(evaluate(node.x, scope), evaluate(node.i, scope));
    case "slice": {
      const opt = (n?: Node) => (n ? evaluate(n, scope) : undefined);
      return slice(evaluate(node.x, scope), opt(node.a), opt(node.b), opt(node.c));
    }
    case "tuple":
    case "list":
      return { t: node.k, items: node.items.map((n) => evaluate(n, scope)) };
    case "if":
      return truthy(evaluate(node.cond, scope)) ? evaluate(node.body, scope) : evaluate(node.other, scope);
  }
}

function compareOp(op: string, left: PyValue, right: PyValue): boolean {
  switch (op) {
    case "in":
      return contains(right, left);
    case "not in":
      return !contains(right, left);
    case "is":
      return left === right;
    case "is not":
      return left !== right;
    case "==":
      return equal(left, right);
    case "!=":
      return !equal(left, right);
    default:
      return compare(op, left, right);
  }
}

const COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">=", "~=", "==="]);

/** Recursive descent over Python's expression grammar (the subset conditions use). */
class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }
  private is(value: string): boolean {
    const t = this.peek();
    return (t.kind === "op" || t.kind === "name") && t.value === value;
  }
  private expect(value: string): void {
    if (!this.is(value)) throw new PyError("SyntaxError", `expected '${value}'`);
    this.pos++;
  }

  /** The elements of the list buildout builds around the expression. */
  top(): Node[] {
    const items: Node[] = [];
    while (this.peek().kind !== "end") {
      items.push(this.test());
      if (!this.is(",")) break;
      this.pos++;
    }
    if (this.peek().kind !== "end") throw new PyError("SyntaxError", `unexpected '${this.peek().value}'`);
    return items;
  }

  private test(): Node {
    const body = this.orTest();
    if (!this.is("if")) return body;
    this.pos++;
    const cond = this.orTest();
    this.expect("else");
    return { k: "if", body, cond, other: this.test() };
  }

  private orTest(): Node {
    const items = [this.andTest()];
    while (this.is("or")) {
      this.pos++;
      items.push(this.andTest());
    }
    return items.length === 1 ? items[0] : { k: "or", items };
  }

  private andTest(): Node {
    const items = [this.notTest()];
    while (this.is("and")) {
      this.pos++;
      items.push(this.notTest());
    }
    return items.length === 1 ? items[0] : { k: "and", items };
  }

  private notTest(): Node {
    if (this.is("not")) {
      this.pos++;
      return { k: "not", x: this.notTest() };
    }
    return this.comparison();
  }

  private compOp(): string | undefined {
    const t = this.peek();
    if (t.kind === "op" && COMPARISONS.has(t.value)) {
      this.pos++;
      return t.value;
    }
    if (t.kind !== "name") return undefined;
    if (t.value === "in") {
      this.pos++;
      return "in";
    }
    if (t.value === "not" && this.peek(1).kind === "name" && this.peek(1).value === "in") {
      this.pos += 2;
      return "not in";
    }
    if (t.value === "is") {
      this.pos++;
      if (!this.is("not")) return "is";
      this.pos++;
      return "is not";
    }
    return undefined;
  }

  private comparison(): Node {
    const first = this.arith();
    const ops: string[] = [];
    const rest: Node[] = [];
    for (let op = this.compOp(); op; op = this.compOp()) {
      ops.push(op);
      rest.push(this.arith());
    }
    return ops.length ? { k: "cmp", first, ops, rest } : first;
  }

  private arith(): Node {
    let node = this.term();
    while (this.is("+") || this.is("-")) {
      const op = this.tokens[this.pos++].value;
      node = { k: "bin", op, l: node, r: this.term() };
    }
    return node;
  }

  private term(): Node {
    let node = this.factor();
    while (this.is("*") || this.is("/") || this.is("//") || this.is("%")) {
      const op = this.tokens[this.pos++].value;
      node = { k: "bin", op, l: node, r: this.factor() };
    }
    return node;
  }

  private factor(): Node {
    if (this.is("-") || this.is("+")) {
      const op = this.tokens[this.pos++].value;
      return { k: op === "-" ? "neg" : "pos", x: this.factor() };
    }
    return this.power();
  }

  /** atom trailers ['**' factor] (right-associative, binds tighter than unary minus on its left). */
  private power(): Node {
    const base = this.trailers();
    if (!this.is("**")) return base;
    this.pos++;
    return { k: "bin", op: "**", l: base, r: this.factor() };
  }

  private trailers(): Node {
    let node = this.atom();
    for (;;) {
      if (this.is(".")) {
        this.pos++;
        const name = this.tokens[this.pos++];
        if (!name || name.kind !== "name") throw new PyError("SyntaxError", "expected a name after '.'");
        node = { k: "attr", x: node, name: name.value };
      } else if (this.is("(")) {
        this.pos++;
        const args: Node[] = [];
        while (!this.is(")")) {
          args.push(this.test());
          if (!this.is(",")) break;
          this.pos++;
        }
        this.expect(")");
        node = { k: "call", f: node, args };
      } else if (this.is("[")) {
        this.pos++;
        node = this.subscript(node);
        this.expect("]");
      } else return node;
    }
  }

  private subscript(x: Node): Node {
    const bound = (): Node | undefined => (this.is(":") || this.is("]") ? undefined : this.test());
    const a = bound();
    if (!this.is(":")) {
      if (!a) throw new PyError("SyntaxError", "empty subscript");
      return { k: "index", x, i: a };
    }
    this.pos++;
    const b = bound();
    let c: Node | undefined;
    if (this.is(":")) {
      this.pos++;
      c = bound();
    }
    return { k: "slice", x, a, b, c };
  }

  private atom(): Node {
    const t = this.tokens[this.pos++] ?? { kind: "end", value: "" };
    if (t.kind === "number") return { k: "const", v: t.number! };
    if (t.kind === "string") {
      let text = t.value;
      while (this.peek().kind === "string") text += this.tokens[this.pos++].value;
      return { k: "const", v: text };
    }
    if (t.kind === "name") {
      if (t.value === "True") return { k: "const", v: true };
      if (t.value === "False") return { k: "const", v: false };
      if (t.value === "None") return { k: "const", v: null };
      if (KEYWORDS.has(t.value)) throw new PyError("SyntaxError", `unexpected '${t.value}'`);
      return { k: "name", id: t.value };
    }
    if (t.kind === "op" && (t.value === "(" || t.value === "[")) {
      const close = t.value === "(" ? ")" : "]";
      const items: Node[] = [];
      let comma = false;
      while (!this.is(close)) {
        items.push(this.test());
        if (!this.is(",")) break;
        comma = true;
        this.pos++;
      }
      this.expect(close);
      if (close === ")" && items.length === 1 && !comma) return items[0];
      return { k: close === ")" ? "tuple" : "list", items };
    }
    throw new PyError("SyntaxError", t.kind === "end" ? "unexpected end of expression" : `unexpected '${t.value}'`);
  }
}

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "if", "else", "lambda", "for", "import", "def", "class", "return", "yield", "await"]);
