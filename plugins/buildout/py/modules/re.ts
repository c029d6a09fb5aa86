/**
 * Python's `re` module over JS regular expressions: `(?P<name>...)`,
 * `(?P=name)`, `\A`, `\Z`, leading inline flags, Python replacement
 * templates (`\1`, `\g<name>`), match objects.
 */
import { REQUIRED, builtin } from "../args.ts";
import { pyStr } from "../repr.ts";
import { PyDict, PyException, PyFunction, PyObject, PyTuple, typeError, type PyValue } from "../types.ts";
import { makeModule } from "./module.ts";

const FLAGS = { I: 2, IGNORECASE: 2, M: 8, MULTILINE: 8, S: 16, DOTALL: 16, X: 64, VERBOSE: 64, A: 256, ASCII: 256, U: 32, UNICODE: 32 } as const;

function stripVerbose(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else if (c === "#") {
      while (i < pattern.length && pattern[i] !== "\n") i++;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

/** Compile a Python pattern to a JS RegExp (global, for scanning). */
export function compilePattern(pattern: string, flags: number): RegExp {
  let source = pattern;
  let f = flags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    for (const ch of inline[1]!) f |= { a: 256, i: 2, L: 0, m: 8, s: 16, u: 32, x: 64 }[ch as "a"]!;
    source = source.slice(inline[0].length);
  }
  if (f & FLAGS.X) source = stripVerbose(source);
  source = source
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, "(?<$1>")
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, "\\k<$1>")
    .replace(/\\A/g, "(?<![\\s\\S])")
    .replace(/\\Z/g, "(?![\\s\\S])");
  let jsFlags = "g";
  if (f & FLAGS.I) jsFlags += "i";
  if (f & FLAGS.M) jsFlags += "m";
  if (f & FLAGS.S) jsFlags += "s";
  try {
    return new RegExp(source, jsFlags);
  } catch (error) {
    throw new PyException("re.error", (error as Error).message);
  }
}

function matchObject(m: RegExpExecArray, input: string): PyObject {
  const group = (key: PyValue): PyValue => {
    if (typeof key === "number") {
      if (key < 0 || key >= m.length) throw new PyException("IndexError", "no such group");
      return m[key] ?? null;
    }
    const name = pyStr(key);
    if (!m.groups || !(name in m.groups)) throw new PyException("IndexError", "no such group");
    return m.groups[name] ?? null;
  };
  const start = m.index;
  return new PyObject("re.Match", new Map<string, PyValue>([
    ["string", input],
    ["group", new PyFunction("group", (args) => (args.length <= 1 ? group(args[0] ?? 0) : new PyTuple(args.map(group))))],
    ["groups", new PyFunction("groups", (args) => new PyTuple(m.slice(1).map((g) => g ?? args[0] ?? null)))],
    ["groupdict", new PyFunction("groupdict", () => PyDict.from(Object.entries(m.groups ?? {}).map(([k, v]) => [k, v ?? null])))],
    ["start", new PyFunction("start", () => start)],
    ["end", new PyFunction("end", () => start + m[0].length)],
    ["span", new PyFunction("span", () => new PyTuple([start, start + m[0].length]))],
    ["__getitem__", new PyFunction("__getitem__", ([k]) => group(k!))],
    ["__str__", `<re.Match object; span=(${start}, ${start + m[0].length}), match='${m[0]}'>`],
  ]));
}

function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(g<([^>]+)>|\d{1,2}|[\\nrtfv])/g, (_all, esc: string, name?: string) => {
    if (name !== undefined) return (/^\d+$/.test(name) ? m[Number(name)] : m.groups?.[name]) ?? "";
    if (/^\d/.test(esc)) return m[Number(esc)] ?? "";
    return { "\\": "\\", n: "\n", r: "\r", t: "\t", f: "\f", v: "\v" }[esc] ?? esc;
  });
}

type Mode = "match" | "search" | "fullmatch";

function find(regex: RegExp, text: string, mode: Mode): PyValue {
  const re = new RegExp(regex.source, regex.flags.replace("g", "") + (mode === "search" ? "" : "y"));
  re.lastIndex = 0;
  const m = re.exec(text);
  if (!m || (mode === "fullmatch" && m[0].length !== text.length)) return null;
  return matchObject(m, text);
}

function sub(regex: RegExp, repl: PyValue, text: string, count: number): [string, number] {
  let n = 0;
  let out = "";
  let last = 0;
  regex.lastIndex = 0;
  for (const m of text.matchAll(regex)) {
    if (count > 0 && n >= count) break;
    out += text.slice(last, m.index);
    out += repl instanceof PyFunction ? pyStr(repl.call([matchObject(m, text)], {})) : expandTemplate(pyStr(repl), m);
    last = m.index! + m[0].length;
    n++;
  }
  return [out + text.slice(last), n];
}

function findall(regex: RegExp, text: string): PyValue[] {
  return [...text.matchAll(regex)].map((m) => {
    if (m.length === 1) return m[0];
    if (m.length === 2) return m[1] ?? "";
    return new PyTuple(m.slice(1).map((g) => g ?? ""));
  });
}

function split(regex: RegExp, text: string, maxsplit: number): PyValue[] {
  const out: PyValue[] = [];
  let last = 0;
  let n = 0;
  for (const m of text.matchAll(regex)) {
    if (maxsplit > 0 && n >= maxsplit) break;
    out.push(text.slice(last, m.index), ...m.slice(1).map((g) => g ?? null));
    last = m.index! + m[0].length;
    n++;
  }
  out.push(text.slice(last));
  return out;
}

function patternObject(pattern: string, flags: number): PyObject {
  const regex = compilePattern(pattern, flags);
  return new PyObject("re.Pattern", new Map<string, PyValue>([
    ["pattern", pattern],
    ["flags", flags],
    builtin("match", [["string", REQUIRED]], (s) => find(regex, pyStr(s), "match")),
    builtin("search", [["string", REQUIRED]], (s) => find(regex, pyStr(s), "search")),
    builtin("fullmatch", [["string", REQUIRED]], (s) => find(regex, pyStr(s), "fullmatch")),
    builtin("sub", [["repl", REQUIRED], ["string", REQUIRED], ["count", 0]], (r, s, c) => sub(regex, r, pyStr(s), Number(c))[0]),
    builtin("subn", [["repl", REQUIRED], ["string", REQUIRED], ["count", 0]], (r, s, c) => new PyTuple(sub(regex, r, pyStr(s), Number(c)))),
    builtin("findall", [["string", REQUIRED]], (s) => findall(regex, pyStr(s))),
    builtin("split", [["string", REQUIRED], ["maxsplit", 0]], (s, n) => split(regex, pyStr(s), Number(n))),
  ].map((entry) => (entry instanceof PyFunction ? [entry.name, entry] : entry)) as Array<[string, PyValue]>));
}

function patternOf(value: PyValue, flags: PyValue): RegExp {
  if (value instanceof PyObject && value.typeName === "re.Pattern") return compilePattern(pyStr(value.getattr("pattern")!), Number(value.getattr("flags")));
  if (typeof value !== "string") throw typeError("first argument must be string or compiled pattern");
  return compilePattern(value, Number(flags));
}

function escape(text: string): string {
  return text.replace(/[^A-Za-z0-9_]/g, (c) => (c.charCodeAt(0) > 127 ? c : "\\" + c));
}

export function reModule(): PyObject {
  return makeModule("re", [
    ...Object.entries(FLAGS).map(([k, v]) => [k, v] as [string, PyValue]),
    builtin("compile", [["pattern", REQUIRED], ["flags", 0]], (p, f) => patternObject(pyStr(p), Number(f))),
    builtin("match", [["pattern", REQUIRED], ["string", REQUIRED], ["flags", 0]], (p, s, f) => find(patternOf(p, f), pyStr(s), "match")),
    builtin("search", [["pattern", REQUIRED], ["string", REQUIRED], ["flags", 0]], (p, s, f) => find(patternOf(p, f), pyStr(s), "search")),
    builtin("fullmatch", [["pattern", REQUIRED], ["string", REQUIRED], ["flags", 0]], (p, s, f) => find(patternOf(p, f), pyStr(s), "fullmatch")),
    builtin("sub", [["pattern", REQUIRED], ["repl", REQUIRED], ["string", REQUIRED], ["count", 0], ["flags", 0]], (p, r, s, c, f) => sub(patternOf(p, f), r, pyStr(s), Number(c))[0]),
    builtin("findall", [["pattern", REQUIRED], ["string", REQUIRED], ["flags", 0]], (p, s, f) => findall(patternOf(p, f), pyStr(s))),
    builtin("split", [["pattern", REQUIRED], ["string", REQUIRED], ["maxsplit", 0], ["flags", 0]], (p, s, n, f) => split(patternOf(p, f), pyStr(s), Number(n))),
    builtin("escape", [["pattern", REQUIRED]], (p) => escape(pyStr(p))),
  ]);
}

