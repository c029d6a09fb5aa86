/** The syntax tree of a Jinja2 template. */
import type { PyValue } from "../../py/types.ts";

export type Expr =
  | { kind: "const"; value: PyValue }
  | { kind: "name"; name: string; line: number }
  | { kind: "tuple"; items: Expr[] }
  | { kind: "list"; items: Expr[] }
  | { kind: "dict"; pairs: Array<[Expr, Expr]> }
  | { kind: "getattr"; obj: Expr; attr: string; line: number }
  | { kind: "getitem"; obj: Expr; key: Expr; line: number }
  | { kind: "slice"; start: Expr | null; stop: Expr | null; step: Expr | null }
  | ({ kind: "call"; fn: Expr; line: number } & CallArgs)
  | ({ kind: "filter"; node: Expr | null; name: string; line: number } & CallArgs)
  | ({ kind: "test"; node: Expr; name: string; negate: boolean; line: number } & CallArgs)
  | { kind: "binop"; op: string; left: Expr; right: Expr; line: number }
  | { kind: "unary"; op: string; node: Expr; line: number }
  | { kind: "not"; node: Expr }
  | { kind: "and"; left: Expr; right: Expr }
  | { kind: "or"; left: Expr; right: Expr }
  | { kind: "compare"; first: Expr; ops: Array<[string, Expr]>; line: number }
  | { kind: "concat"; nodes: Expr[] }
  | { kind: "cond"; test: Expr; then: Expr; otherwise: Expr | null };

export interface CallArgs {
  args: Expr[];
  kwargs: Array<[string, Expr]>;
  starArgs: Expr | null;
  starKwargs: Expr | null;
}

/** What `set`, `for` and `with` assign to. */
export type Target =
  | { kind: "name"; name: string }
  | { kind: "tuple"; items: Target[] }
  | { kind: "nsref"; name: string; attr: string };

export type Stmt =
  | { kind: "data"; text: string }
  | { kind: "output"; expr: Expr; line: number }
  | { kind: "if"; test: Expr; body: Stmt[]; otherwise: Stmt[] }
  | { kind: "for"; target: Target; iter: Expr; body: Stmt[]; otherwise: Stmt[]; filter: Expr | null; recursive: boolean; line: number }
  | { kind: "set"; target: Target; value: Expr; line: number }
  | { kind: "setblock"; target: Target; body: Stmt[]; filter: Expr | null; line: number }
  | { kind: "macro"; name: string; params: Param[]; body: Stmt[]; line: number }
  | { kind: "callblock"; call: Expr & { kind: "call" }; params: Param[]; body: Stmt[]; line: number }
  | { kind: "filterblock"; filter: Expr; body: Stmt[]; line: number }
  | { kind: "include"; template: Expr; ignoreMissing: boolean; withContext: boolean; line: number }
  | { kind: "import"; template: Expr; target: string; withContext: boolean; line: number }
  | { kind: "fromimport"; template: Expr; names: Array<[string, string]>; withContext: boolean; line: number }
  | { kind: "do"; expr: Expr; line: number }
  | { kind: "break" }
  | { kind: "continue" }
  | { kind: "with"; assignments: Array<[Target, Expr]>; body: Stmt[] }
  | { kind: "block"; name: string; body: Stmt[] };

export interface Param {
  name: string;
  fallback: Expr | null;
}
