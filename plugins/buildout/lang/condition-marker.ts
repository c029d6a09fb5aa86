/**
 * PEP 508 environment markers, which the fork tries before Python
 * (`python_version >= "3.8" and sys_platform == "linux"`): variables and
 * quoted strings compared with a version operator (as a version specifier
 * when the right side is a valid version, else as strings), `in` / `not in`,
 * combined with `and` / `or` and parentheses. An expression outside this
 * grammar is not a marker (undefined): it is then evaluated as Python.
 */
import { arch, release } from "node:os";
import { cmp } from "./pystr.ts";

const PYTHON = "3.11.2";
const MACHINE = arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : arch();

/** The marker variables as CPython 3.11 on this Linux machine gives them. */
export const MARKER_VARIABLES: Readonly<Record<string, string>> = {
  python_version: PYTHON.split(".").slice(0, 2).join("."),
  python_full_version: PYTHON,
  implementation_version: PYTHON,
  implementation_name: "cpython",
  platform_python_implementation: "CPython",
  os_name: "posix",
  sys_platform: "linux",
  platform_system: "Linux",
  platform_machine: MACHINE,
  platform_release: release(),
  platform_version: "",
  extra: "",
};

type Token = { kind: "var" | "str" | "op" | "word" | "("| ")"; value: string };

function tokenize(src: string): Token[] | undefined {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|('[^']*'|"[^"]*")|(===|==|!=|<=|>=|~=|<|>)|([A-Za-z_][A-Za-z0-9_.]*))/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) return undefined;
    i = re.lastIndex;
    if (m[1]) tokens.push({ kind: "(", value: "(" });
    else if (m[2]) tokens.push({ kind: ")", value: ")" });
    else if (m[3]) tokens.push({ kind: "str", value: m[3].slice(1, -1) });
    else if (m[4]) tokens.push({ kind: "op", value: m[4] });
    else if (Object.hasOwn(MARKER_VARIABLES, m[5])) tokens.push({ kind: "var", value: m[5] });
    else if (["and", "or", "in", "not"].includes(m[5])) tokens.push({ kind: "word", value: m[5] });
    else return undefined;
  }
  return tokens;
}

/** A PEP 440 version: release numbers, pre/post/dev parts; undefined when invalid. */
function parseVersion(text: string): { release: number[]; pre: number; post: number; local: string } | undefined {
  const m = /^\s*v?(?:\d+!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i.exec(text);
  if (!m) return undefined;
  const pre = m[2] ? -1 : m[7] !== undefined ? -2 : 0;
  const post = m[4] !== undefined || m[5] ? 1 : 0;
  return { release: m[1].split(".").map(Number), pre, post, local: m[8] ?? "" };
}

function versionOrder(a: NonNullable<ReturnType<typeof parseVersion>>, b: NonNullable<ReturnType<typeof parseVersion>>): number {
  const n = Math.max(a.release.length, b.release.length);
  for (let i = 0; i < n; i++) {
    const d = (a.release[i] ?? 0) - (b.release[i] ?? 0);
    if (d) return d;
  }
  return a.pre - b.pre || a.post - b.post;
}

/** `lhs op rhs` as packaging's _eval_op: a specifier when `op rhs` is one, else string operators. */
function compareValues(lhs: string, op: string, rhs: string): boolean {
  const right = parseVersion(rhs);
  const left = parseVersion(lhs);
  if (op === "===") return lhs === rhs;
  if (right && !/^\s*$/.test(rhs)) {
    if (!left) return false;
    const d = versionOrder(left, right);
    switch (op) {
      case "<":
        return d < 0;
      case "<=":
        return d <= 0;
      case ">":
        return d > 0;
      case ">=":
        return d >= 0;
      case "==":
        return d === 0;
      case "!=":
        return d !== 0;
      case "~=": {
        if (right.release.length < 2) return false;
        const prefix = right.release.slice(0, -1);
        return d >= 0 && prefix.every((x, i) => (left.release[i] ?? 0) === x);
      }
    }
  }
  const c = cmp(lhs, rhs);
  switch (op) {
    case "==":
      return c === 0;
    case "!=":
      return c !== 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
  }
  throw new Error(`invalid marker comparison '${op}'`);
}

/**
 * The marker's truth value, or undefined when the expression is not a PEP 508
 * marker. `variables` replaces this machine's (an egg built for another Python).
 */
export function evaluateMarker(expression: string, variables: Readonly<Record<string, string>> = MARKER_VARIABLES): boolean | undefined {
  const tokens = tokenize(expression);
  if (!tokens?.length) return undefined;
  let pos = 0;
  const value = (): string | undefined => {
    const t = tokens[pos];
    if (t?.kind === "var") return pos++, variables[t.value];
    if (t?.kind === "str") return pos++, t.value;
    return undefined;
  };
  const comparison = (): boolean | undefined => {
    if (tokens[pos]?.kind === "(") {
      pos++;
      const inner = or();
      if (inner === undefined || tokens[pos]?.kind !== ")") return undefined;
      pos++;
      return inner;
    }
    const lhs = value();
    if (lhs === undefined) return undefined;
    const t = tokens[pos];
    let op: string;
    if (t?.kind === "op") op = t.value;
    else if (t?.kind === "word" && t.value === "in") op = "in";
    else if (t?.kind === "word" && t.value === "not" && tokens[pos + 1]?.value === "in") {
      op = "not in";
      pos++;
    } else return undefined;
    pos++;
    const rhs = value();
    if (rhs === undefined) return undefined;
    if (op === "in") return rhs.includes(lhs);
    if (op === "not in") return !rhs.includes(lhs);
    return compareValues(lhs, op, rhs);
  };
  const and = (): boolean | undefined => {
    let result = comparison();
    while (result !== undefined && tokens[pos]?.value === "and") {
      pos++;
      const next = comparison();
      if (next === undefined) return undefined;
      result = result && next;
    }
    return result;
  };
  const or = (): boolean | undefined => {
    let result = and();
    while (result !== undefined && tokens[pos]?.value === "or") {
      pos++;
      const next = and();
      if (next === undefined) return undefined;
      result = result || next;
    }
    return result;
  };
  const result = or();
  return pos === tokens.length ? result : undefined;
}
