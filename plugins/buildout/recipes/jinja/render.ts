/**
 * The tree-walking renderer: statements write text, expressions give Python
 * values. Scoping follows Jinja2: `for`, `with`, macros and call blocks get
 * their own frame; `if` does not; `set` in a loop stays in the loop.
 */
import type { CallArgs, Expr, Param, Stmt, Target } from "./ast.ts";
import { callValue, type Environment } from "./environment.ts";
import { TemplateSyntaxError } from "./lexer.ts";
import { parseTemplate } from "./parser.ts";
import { binary, unary } from "../../py/arith.ts";
import { compareOp, collectNames } from "./compare-names.ts";
import { loopContext } from "./loop.ts";
import { iterate, slice, truthy } from "../../py/ops.ts";
import { pyStr } from "../../py/repr.ts";
import { PyDict, PyException, PyFunction, PyObject, PyTuple, Undefined, typeError, type Kwargs, type PyValue } from "../../py/types.ts";
import { LoopSignal, Scope } from "./scope.ts";

/** A failure while rendering, naming the template and line. */
export class TemplateRuntimeError extends Error {
  constructor(
    message: string,
    readonly template: string,
    readonly line: number,
    readonly pyType: string,
  ) {
    super(`${pyType}: ${message} (${template}, line ${line})`);
    this.name = "TemplateRuntimeError";
  }
}

const UNDEFINED_ARG = Symbol("no value");

export class Renderer {
  private line = 0;

  constructor(
    readonly env: Environment,
    readonly name: string,
  ) {}

  /** Render a template body in a scope; returns the text. */
  renderBody(body: Stmt[], scope: Scope): string {
    const out: string[] = [];
    try {
      this.execBlock(body, scope, out);
    } catch (error) {
      throw this.wrap(error);
    }
    return out.join("");
  }

  private wrap(error: unknown): unknown {
    if (error instanceof TemplateRuntimeError || error instanceof TemplateSyntaxError) return error;
    if (error instanceof PyException) return new TemplateRuntimeError(error.message, this.name, this.line, error.pyType);
    if (error instanceof LoopSignal) return new TemplateRuntimeError(`'${error.kind}' outside of a loop`, this.name, this.line, "TemplateSyntaxError");
    return error;
  }

  // ---- statements
  private execBlock(body: Stmt[], scope: Scope, out: string[]): void {
    for (const stmt of body) this.exec(stmt, scope, out);
  }

  private exec(stmt: Stmt, scope: Scope, out: string[]): void {
    switch (stmt.kind) {
      case "data":
        out.push(stmt.text);
        return;
      case "output":
        this.line = stmt.line;
        out.push(pyStr(this.eval(stmt.expr, scope)));
        return;
      case "if":
        if (truthy(this.eval(stmt.test, scope))) this.execBlock(stmt.body, scope, out);
        else this.execBlock(stmt.otherwise, scope, out);
        return;
      case "for":
        this.line = stmt.line;
        this.execFor(stmt, scope, out);
        return;
      case "set":
        this.line = stmt.line;
        this.assign(stmt.target, this.eval(stmt.value, scope), scope);
        return;
      case "setblock": {
        this.line = stmt.line;
        const inner: string[] = [];
        this.execBlock(stmt.body, scope.child(), inner);
        let value: PyValue = inner.join("");
        if (stmt.filter) value = this.applyFilterChain(stmt.filter, value, scope);
        this.assign(stmt.target, value, scope);
        return;
      }
      case "macro":
        this.line = stmt.line;
        scope.set(stmt.name, this.makeMacro(stmt.name, stmt.params, stmt.body, scope));
        return;
      case "callblock": {
        this.line = stmt.line;
        const caller = this.makeMacro("caller", stmt.params, stmt.body, scope);
        const { args, kwargs } = this.evalArgs(stmt.call, scope);
        kwargs.caller = caller;
        out.push(pyStr(callValue(this.eval(stmt.call.fn, scope), args, kwargs)));
        return;
      }
      case "filterblock": {
        this.line = stmt.line;
        const inner: string[] = [];
        this.execBlock(stmt.body, scope.child(), inner);
        out.push(pyStr(this.applyFilterChain(stmt.filter, inner.join(""), scope)));
        return;
      }
      case "include":
        this.line = stmt.line;
        this.execInclude(stmt, scope, out);
        return;
      case "import": {
        this.line = stmt.line;
        scope.set(stmt.target, this.importModule(this.eval(stmt.template, scope), stmt.withContext, scope));
        return;
      }
      case "fromimport": {
        this.line = stmt.line;
        const module = this.importModule(this.eval(stmt.template, scope), stmt.withContext, scope);
        for (const [name, alias] of stmt.names) {
          const value = module.getattr(name);
          scope.set(alias, value ?? new Undefined(`the template ${JSON.stringify(module.typeName)} does not export the requested name '${name}'`));
        }
        return;
      }
      case "do":
        this.line = stmt.line;
        this.eval(stmt.expr, scope);
        return;
      case "break":
      case "continue":
        throw new LoopSignal(stmt.kind);
      case "with": {
        const inner = scope.child();
        for (const [target, expr] of stmt.assignments) this.assign(target, this.eval(expr, scope), inner);
        this.execBlock(stmt.body, inner, out);
        return;
      }
      case "block":
        this.execBlock(stmt.body, scope, out);
        return;
    }
  }

  private assign(target: Target, value: PyValue, scope: Scope): void {
    if (target.kind === "name") {
      scope.set(target.name, value);
    } else if (target.kind === "nsref") {
      const ns = scope.lookup(target.name);
      if (!(ns instanceof PyObject) || !ns.mutable) throw new PyException("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
      ns.attrs.set(target.attr, value);
    } else {
      const items = iterate(value);
      if (items.length !== target.items.length) {
        throw new PyException("ValueError", items.length > target.items.length ? `too many values to unpack (expected ${target.items.length})` : `not enough values to unpack (expected ${target.items.length}, got ${items.length})`);
      }
      target.items.forEach((t, i) => this.assign(t, items[i]!, scope));
    }
  }

  private execFor(stmt: Stmt & { kind: "for" }, scope: Scope, out: string[], depth = 0): void {
    const iterable = this.eval(stmt.iter, scope);
    this.loop(stmt, iterable, scope, out, depth);
  }

  private loop(stmt: Stmt & { kind: "for" }, iterable: PyValue, scope: Scope, out: string[], depth: number): void {
    const inner = scope.child();
    let items = iterate(iterable);
    if (stmt.filter) {
      const filter = stmt.filter;
      items = items.filter((item) => {
        this.assign(stmt.target, item, inner);
        return truthy(this.eval(filter, inner));
      });
    }
    const cursor = { index: 0 };
    const recurse = stmt.recursive
      ? (children: PyValue) => {
          const nested: string[] = [];
          this.loop(stmt, children, scope, nested, depth + 1);
          return nested.join("");
        }
      : undefined;
    const loopObject = loopContext(items, cursor, depth, recurse);
    if (!items.length) {
      this.execBlock(stmt.otherwise, scope.child(), out);
      return;
    }
    for (cursor.index = 0; cursor.index < items.length; cursor.index++) {
      const index = cursor.index;
      // Each iteration starts from the enclosing scope again (Jinja2 3.x).
      const iteration = scope.child();
      this.assign(stmt.target, items[index]!, iteration);
      iteration.set("loop", loopObject);
      try {
        this.execBlock(stmt.body, iteration, out);
      } catch (signal) {
        if (signal instanceof LoopSignal) {
          if (signal.kind === "break") break;
          continue;
        }
        throw signal;
      }
    }
  }

  private makeMacro(name: string, params: Param[], body: Stmt[], defining: Scope): PyFunction {
    const names = new Set<string>();
    collectNames(body, names);
    const catchVarargs = names.has("varargs");
    const catchKwargs = names.has("kwargs");
    return new PyFunction(name, (args, kwargs) => {
      const scope = defining.child();
      const rest = { ...kwargs };
      params.forEach((param, i) => {
        let value: PyValue | typeof UNDEFINED_ARG = UNDEFINED_ARG;
        if (i < args.length) value = args[i]!;
        else if (param.name in rest) {
          value = rest[param.name]!;
          delete rest[param.name];
        }
        if (value === UNDEFINED_ARG) {
          value = param.fallback ? this.eval(param.fallback, scope) : new Undefined(`parameter '${param.name}' was not provided`);
        }
        scope.set(param.name, value);
      });
      const extra = args.slice(params.length);
      if (extra.length && !catchVarargs) throw typeError(`macro '${name}' takes not more than ${params.length} argument(s)`);
      scope.set("varargs", new PyTuple(extra));
      if ("caller" in rest) {
        scope.set("caller", rest.caller!);
        delete rest.caller;
      }
      const unknown = Object.keys(rest);
      if (unknown.length && !catchKwargs) throw typeError(`macro '${name}' takes no keyword argument '${unknown[0]}'`);
      scope.set("kwargs", PyDict.from(Object.entries(rest)));
      const out: string[] = [];
      const saved = this.line;
      this.execBlock(body, scope, out);
      this.line = saved;
      return out.join("");
    });
  }

  private loadTemplate(name: PyValue): { body: Stmt[]; name: string } | undefined {
    const names = typeof name === "string" ? [name] : iterate(name).map((x) => pyStr(x));
    for (const candidate of names) {
      const cached = this.env.cache.get(candidate);
      if (cached) return { body: cached, name: candidate };
      const found = this.env.loader(candidate);
      if (found) {
        const body = parseTemplate(found.source, found.name);
        this.env.cache.set(candidate, body);
        return { body, name: candidate };
      }
    }
    return undefined;
  }

  private execInclude(stmt: Stmt & { kind: "include" }, scope: Scope, out: string[]): void {
    const name = this.eval(stmt.template, scope);
    const loaded = this.loadTemplate(name);
    if (!loaded) {
      if (stmt.ignoreMissing) return;
      throw new PyException("TemplateNotFound", `template ${pyStr(name)} is not in import-list`);
    }
    const renderer = new Renderer(this.env, loaded.name);
    // Without context a template sees only the environment's globals.
    const base = stmt.withContext ? scope.child() : new Scope();
    out.push(renderer.renderBody(loaded.body, base));
  }

  private importModule(nameValue: PyValue, withContext: boolean, scope: Scope): PyObject {
    const name = pyStr(nameValue);
    if (!withContext) {
      const cached = this.env.modules.get(name);
      if (cached) return cached;
    }
    const loaded = this.loadTemplate(name);
    if (!loaded) throw new PyException("TemplateNotFound", `template ${name} is not in import-list`);
    const moduleScope = withContext ? scope.child() : new Scope();
    const renderer = new Renderer(this.env, loaded.name);
    const text = renderer.renderBody(loaded.body, moduleScope);
    const exported = new Map<string, PyValue>();
    for (const [key, value] of moduleScope.vars) if (!key.startsWith("_")) exported.set(key, value);
    exported.set("__str__", text);
    const module = new PyObject(name, exported);
    if (!withContext) this.env.modules.set(name, module);
    return module;
  }

  // ---- expressions
  private evalArgs(node: CallArgs, scope: Scope): { args: PyValue[]; kwargs: Kwargs } {
    const args = node.args.map((a) => this.eval(a, scope));
    if (node.starArgs) args.push(...iterate(this.eval(node.starArgs, scope)));
    const kwargs: Kwargs = {};
    for (const [key, value] of node.kwargs) kwargs[key] = this.eval(value, scope);
    if (node.starKwargs) {
      const extra = this.eval(node.starKwargs, scope);
      if (!(extra instanceof PyDict)) throw typeError("argument after ** must be a mapping");
      for (const [k, v] of extra.entries()) kwargs[pyStr(k)] = v;
    }
    return { args, kwargs };
  }

  private applyFilterChain(filter: Expr, value: PyValue, scope: Scope): PyValue {
    if (filter.kind !== "filter") return value;
    const input = filter.node ? this.applyFilterChain(filter.node, value, scope) : value;
    const { args, kwargs } = this.evalArgs(filter, scope);
    return this.env.callFilter(filter.name, input, args, kwargs);
  }

  eval(expr: Expr, scope: Scope): PyValue {
    switch (expr.kind) {
      case "const":
        return expr.value;
      case "name": {
        const found = scope.lookup(expr.name);
        if (found !== undefined) return found;
        const global = this.env.globals.get(expr.name);
        return global !== undefined ? global : new Undefined(`'${expr.name}' is undefined`);
      }
      case "tuple":
        return new PyTuple(expr.items.map((x) => this.eval(x, scope)));
      case "list":
        return expr.items.map((x) => this.eval(x, scope));
      case "dict":
        return PyDict.from(expr.pairs.map(([k, v]) => [this.eval(k, scope), this.eval(v, scope)]));
      case "getattr":
        this.line = expr.line;
        return this.env.getattr(this.eval(expr.obj, scope), expr.attr);
      case "getitem": {
        this.line = expr.line;
        const obj = this.eval(expr.obj, scope);
        if (expr.key.kind === "slice") {
          const k = expr.key;
          const part = (e: Expr | null) => (e ? this.eval(e, scope) : null);
          if (obj instanceof Undefined) obj.fail();
          return slice(obj, part(k.start), part(k.stop), part(k.step));
        }
        return this.env.getitem(obj, this.eval(expr.key, scope));
      }
      case "slice":
        throw typeError("slice outside a subscript");
      case "call": {
        this.line = expr.line;
        const fn = this.eval(expr.fn, scope);
        const { args, kwargs } = this.evalArgs(expr, scope);
        this.line = expr.line;
        return callValue(fn, args, kwargs);
      }
      case "filter": {
        this.line = expr.line;
        const value = expr.node ? this.eval(expr.node, scope) : null;
        const { args, kwargs } = this.evalArgs(expr, scope);
        this.line = expr.line;
        return this.env.callFilter(expr.name, value, args, kwargs);
      }
      case "test": {
        this.line = expr.line;
        const value = this.eval(expr.node, scope);
        const { args, kwargs } = this.evalArgs(expr, scope);
        this.line = expr.line;
        const result = this.env.callTest(expr.name, value, args, kwargs);
        return expr.negate ? !result : result;
      }
      case "binop":
        this.line = expr.line;
        return binary(expr.op, this.eval(expr.left, scope), this.eval(expr.right, scope));
      case "unary":
        this.line = expr.line;
        return unary(expr.op, this.eval(expr.node, scope));
      case "not":
        return !truthy(this.eval(expr.node, scope));
      case "and": {
        const left = this.eval(expr.left, scope);
        return truthy(left) ? this.eval(expr.right, scope) : left;
      }
      case "or": {
        const left = this.eval(expr.left, scope);
        return truthy(left) ? left : this.eval(expr.right, scope);
      }
      case "compare": {
        this.line = expr.line;
        let left = this.eval(expr.first, scope);
        for (const [op, rightExpr] of expr.ops) {
          const right = this.eval(rightExpr, scope);
          if (!compareOp(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case "concat":
        return expr.nodes.map((n) => pyStr(this.eval(n, scope))).join("");
      case "cond":
        if (truthy(this.eval(expr.test, scope))) return this.eval(expr.then, scope);
        return expr.otherwise ? this.eval(expr.otherwise, scope) : new Undefined("the inline if-expression evaluated to false and no else section was defined");
    }
  }
}

