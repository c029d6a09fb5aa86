/**
 * Section conditions `[name:expr]`: zc.buildout evaluates `[expr]` (plus
 * the header's trailing comment) with Python's eval() in the namespace of
 * `_default_globals()` and keeps the section when element 0 is true. We
 * parse the expression first (condition-parser.ts), then evaluate it over
 * the shared Python value model (plugins/buildout/py) with Python's
 * builtins and the names buildout defines (condition-globals.ts), answering
 * as CPython 3.11 on Linux would. The fork first tries the expression as a
 * PEP 508 marker (condition-marker.ts). Any exception is a
 * ConditionalExpressionError, as one inside zc.buildout's eval() would be.
 */
import { binary, unary } from "../py/arith.ts";
import { callValue } from "../py/call.ts";
import { formatSpec } from "../py/format.ts";
import { getattrOrFail } from "../py/methods.ts";
import { compare, contains, eq, getItem, iterate, slice, truthy } from "../py/ops.ts";
import { pyRepr, pyStr } from "../py/repr.ts";
import { PyDict, PyException, PyFunction, PyObject, PySet, PyTuple, typeError, type PyValue } from "../py/types.ts";
import { BuildoutError } from "./errors.ts";
import { globalsFor } from "./condition-globals.ts";
import { evaluateMarker } from "./condition-marker.ts";
import { parseCondition, type Clause, type FPart, type Node, type Target } from "./condition-parser.ts";

/** Evaluate `expression` in zc.buildout's condition namespace; true when the section is kept. */
export function evaluateCondition(expression: string, where: string, fork = false): boolean {
  try {
    if (fork) {
      const marker = evaluateMarker(expression);
      if (marker !== undefined) return marker;
    }
    const scope: Scope = { vars: globalsFor(fork, evaluateText) };
    // buildout evaluates "[expr]" and takes element 0: every element is evaluated.
    const values = elements(parseCondition(expression), scope);
    if (!values.length) throw new PyException("IndexError", "list index out of range");
    return truthy(values[0]);
  } catch (error) {
    const message = error instanceof PyException ? `${error.pyType}: ${error.message}` : String(error);
    throw new BuildoutError("ConditionalExpressionError", `${where}: cannot evaluate ${JSON.stringify(expression.trim())}: ${message}`);
  }
}

/** Python's eval() of a text in the condition namespace (the `eval` builtin). */
function evaluateText(text: string, fork: boolean): PyValue {
  const items = parseCondition(text);
  if (items.length !== 1) return new PyTuple(elements(items, { vars: globalsFor(fork, evaluateText) }));
  return evaluate(items[0], { vars: globalsFor(fork, evaluateText) });
}

/** The values of display elements, `*iterable` spread. */
function elements(nodes: Node[], scope: Scope): PyValue[] {
  const out: PyValue[] = [];
  for (const node of nodes) {
    if (node.k === "star") out.push(...iterate(evaluate(node.x, scope)));
    else out.push(evaluate(node, scope));
  }
  return out;
}

/** `()`: Python's empty tuple is a single object (`() is ()`). */
const EMPTY_TUPLE = new PyTuple([]);

interface Scope {
  vars: Map<string, PyValue>;
  parent?: Scope;
}

function lookup(scope: Scope, id: string): PyValue {
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const value = s.vars.get(id);
    if (value !== undefined) return value;
  }
  throw new PyException("NameError", `name '${id}' is not defined`);
}

function evaluate(node: Node, scope: Scope): PyValue {
  switch (node.k) {
    case "const":
      return node.v;
    case "name":
      return lookup(scope, node.id);
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
    case "unary":
      return unary(node.op, evaluate(node.x, scope));
    case "attr":
      return getattrOrFail(evaluate(node.x, scope), node.name);
    case "call": {
      const fn = evaluate(node.f, scope);
      const args = node.args.map((a) => evaluate(a, scope));
      const kwargs: Record<string, PyValue> = {};
      for (const [name, value] of node.kwargs) {
        if (Object.hasOwn(kwargs, name)) throw new PyException("SyntaxError", `keyword argument repeated: ${name}`);
        kwargs[name] = evaluate(value, scope);
      }
      return callValue(fn, args, kwargs);
    }
    case "index":
      return getItem(evaluate(node.x, scope), evaluate(node.i, scope));
    case "slice": {
      const bound = (n?: Node) => (n ? evaluate(n, scope) : null);
      return slice(evaluate(node.x, scope), bound(node.a), bound(node.b), bound(node.c));
    }
    case "tuple": {
      const items = elements(node.items, scope);
      return items.length ? new PyTuple(items) : EMPTY_TUPLE;
    }
    case "list":
      return elements(node.items, scope);
    case "set":
      return new PySet(elements(node.items, scope));
    case "star":
      throw new PyException("SyntaxError", "can't use starred expression here");
    case "dict":
      return PyDict.from(node.entries.map(([k, v]) => [evaluate(k, scope), evaluate(v, scope)]));
    case "if":
      return truthy(evaluate(node.cond, scope)) ? evaluate(node.body, scope) : evaluate(node.other, scope);
    case "lambda":
      return new PyFunction("<lambda>", (args, kwargs) => {
        if (Object.keys(kwargs).length) throw typeError("<lambda>() got an unexpected keyword argument");
        if (args.length !== node.params.length) {
          throw typeError(`<lambda>() takes ${node.params.length} positional arguments but ${args.length} were given`);
        }
        return evaluate(node.body, { vars: new Map(node.params.map((p, i) => [p, args[i]!])), parent: scope });
      });
    case "comp":
      return comprehension(node, scope);
    case "fstring":
      return fstring(node.parts, scope);
  }
}

function compareOp(op: string, left: PyValue, right: PyValue): boolean {
  switch (op) {
    case "in":
      return membership(right, left);
    case "not in":
      return !membership(right, left);
    case "is":
      return left === right;
    case "is not":
      return left !== right;
    case "==":
      return eq(left, right);
    case "!=":
      return !eq(left, right);
  }
  const d = compare(left, right, op);
  return op === "<" ? d < 0 : op === "<=" ? d <= 0 : op === ">" ? d > 0 : d >= 0;
}

/** `in`: containers, and iterables without __contains__ (generators, range objects). */
function membership(container: PyValue, item: PyValue): boolean {
  if (container instanceof PyObject && !container.getattr("__contains__")) return iterate(container).some((x) => eq(x, item));
  return contains(container, item);
}

function bind(target: Target, value: PyValue, vars: Map<string, PyValue>): void {
  if (typeof target === "string") {
    vars.set(target, value);
    return;
  }
  const items = iterate(value);
  if (items.length !== target.length) {
    throw new PyException("ValueError", items.length > target.length ? `too many values to unpack (expected ${target.length})` : `not enough values to unpack (expected ${target.length}, got ${items.length})`);
  }
  target.forEach((t, i) => bind(t, items[i]!, vars));
}

/**
 * Run the clauses. As in Python, the first iterable is evaluated (and
 * iterated) in the enclosing scope when the comprehension is; a generator
 * expression runs the rest only when something iterates it.
 */
function comprehension(node: Extract<Node, { k: "comp" }>, outer: Scope): PyValue {
  const first = iterate(evaluate(node.clauses[0].iter, outer));
  const results: PyValue[] = [];
  const entries: Array<[PyValue, PyValue]> = [];
  const scope: Scope = { vars: new Map(), parent: outer };
  const run = (clauses: Clause[], index: number): void => {
    if (index === clauses.length) {
      if (node.kind === "dict") entries.push([evaluate(node.elt, scope), evaluate(node.value!, scope)]);
      else results.push(evaluate(node.elt, scope));
      return;
    }
    const clause = clauses[index];
    for (const item of index === 0 ? first : iterate(evaluate(clause.iter, scope))) {
      bind(clause.target, item, scope.vars);
      if (clause.conds.every((c) => truthy(evaluate(c, scope)))) run(clauses, index + 1);
    }
  };
  if (node.kind === "gen") {
    // A generator object: always true, its items computed when iterated.
    let done = false;
    return new PyObject("generator", new Map([["__iter__", new PyFunction("__iter__", () => {
      if (done) return []; // exhausted after one pass
      done = true;
      run(node.clauses, 0);
      return results;
    })]]));
  }
  run(node.clauses, 0);
  if (node.kind === "list") return results;
  if (node.kind === "set") return new PySet(results);
  return PyDict.from(entries);
}

function fstring(parts: FPart[], scope: Scope): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    let value = evaluate(part.expr, scope);
    if (part.conv === "r" || part.conv === "a") value = pyRepr(value);
    else if (part.conv === "s") value = pyStr(value);
    const spec = part.spec ? (evaluate(part.spec, scope) as string) : "";
    out += spec ? formatSpec(value, spec) : pyStr(value);
  }
  return out;
}
