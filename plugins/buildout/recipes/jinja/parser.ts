/** Jinja2's statement grammar (jinja2/parser.py); expressions are in parse-expressions.ts. */
import type { Expr, Param, Stmt, Target } from "./ast.ts";
import { ExpressionParser } from "./parse-expressions.ts";

export class Parser extends ExpressionParser {
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
    return this.parseIfRest();
  }

  /** An if or elif branch: the current token is just after `if`/`elif`. */
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

}


export function parseTemplate(source: string, name: string): Stmt[] {
  return new Parser(source, name).parse();
}
