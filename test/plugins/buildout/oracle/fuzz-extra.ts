/**
 * Generators of the differential fuzzer for areas the first one did not
 * reach: section conditions with arbitrary Python expressions, file syntax
 * (CRLF, tabs, form feeds, comments and whitespace anywhere, odd option
 * names), boolean options' spellings, `+=`/`-=` across extends chains with
 * macros, `<=` chains, and extends over HTTP. Each writes a case folder
 * (buildout.cfg and the files it extends); `@@HTTP@@` is replaced by the
 * URL of the folder served on loopback.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Random {
  rand(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** A seeded Random (mulberry32: its low bits are as random as its high ones). */
export function seeded(seed: number): Random {
  let state = seed | 0;
  const rand = (n: number): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  return { rand, pick: (items) => items[rand(items.length)], chance: (p) => rand(1000) < p * 1000 };
}

type Kind = "bool" | "int" | "str" | "tuple" | "list";

/** A well-typed expression of `kind` (so most conditions evaluate and their values get compared). */
export function typed(r: Random, kind: Kind, depth = 0): string {
  const deeper = depth < 3 && r.chance(0.55);
  const t = (k: Kind) => typed(r, k, depth + 1);
  switch (kind) {
    case "bool":
      if (!deeper) return r.pick(["python3", "python2", "python27", "python36", "linux", "windows", "macosx", "bits64", "bits32", "cpython", "pypy", "posix", "little_endian", "True", "False"]);
      switch (r.rand(9)) {
        case 0:
          return `${t("bool")} ${r.pick(["and", "or"])} ${t("bool")}`;
        case 1:
          return `not ${t("bool")}`;
        case 2:
          return `${t("int")} ${r.pick(["==", "!=", "<", "<=", ">", ">="])} ${t("int")}${r.chance(0.2) ? ` < ${t("int")}` : ""}`;
        case 3:
          return `${t("str")} ${r.pick(["==", "!=", "<", ">=", "in", "not in"])} ${t("str")}`;
        case 4:
          return `${r.pick(["sys.version_info", "sys.version_info[:2]", t("tuple")])} ${r.pick(["<", ">=", "==", ">"])} ${t("tuple")}`;
        case 5:
          return `${t("str")}.${r.pick(["startswith", "endswith"])}(${r.chance(0.3) ? `(${t("str")}, ${t("str")})` : t("str")})`;
        case 6:
          return `${r.pick(["any", "all", "bool"])}(${r.pick([t("list"), `[${t("bool")}, ${t("bool")}]`, `(x ${r.pick([">", "=="])} 1 for x in ${t("list")})`])})`;
        case 7:
          return `(${t("bool")} if ${t("bool")} else ${t("bool")})`;
        default:
          return `${t("int")} ${r.pick(["in", "not in"])} ${r.pick([t("list"), t("tuple"), "range(5)"])}`;
      }
    case "int":
      if (!deeper) return r.pick(["0", "1", "2", "3", "-1", "10", "0x10", "1_000", "True", "sys.version_info[0]", "sys.version_info.minor", "len(sys.platform)", "sys.maxsize"]);
      switch (r.rand(5)) {
        case 0:
          return `${t("int")} ${r.pick(["+", "-", "*", "//", "%", "**", "&", "|", "^", "<<"])} ${r.pick(["1", "2", "3"])}`;
        case 1:
          return `len(${r.pick([t("str"), t("list"), t("tuple")])})`;
        case 2:
          return `${r.pick(["-", "~", "+"])}${t("int")}`;
        case 3:
          return `${r.pick(["min", "max", "sum"])}(${t("list")})`;
        default:
          return `int(${r.pick(["'7'", "'0x1f', 16", "2.9", "True"])})`;
      }
    case "str":
      if (!deeper) return r.pick(["sys.platform", "os.name", "os.sep", "platform.system()", "platform.python_version()", "sys.byteorder", "sys.implementation.name", "'linux'", "'Linux'", "'3.8'", "''", '"posix"', "'a#b'", "'\\x41'", "'é'"]);
      switch (r.rand(5)) {
        case 0:
          return `${t("str")}.${r.pick(["lower()", "upper()", "strip()", "title()", "replace('i', 'o')"])}`;
        case 1:
          return `${t("str")} + ${t("str")}`;
        case 2:
          return `f'{${t(r.pick(["str", "int", "bool"] as const))}}-{${t("int")}:>3}'`;
        case 3:
          return `str(${t(r.pick(["int", "bool", "tuple"] as const))})`;
        default:
          return `${t("str")}[${r.pick(["0", "-1", "1:", ":3", "::-1"])}]`;
      }
    case "tuple":
      if (!deeper) return r.pick(["(3, 8)", "(3,)", "(3, 11, 2)", "(2, 7)", "()", "(3, 11)", "tuple(sys.version_info)[:3]", "platform.python_version_tuple()"]);
      return r.pick([`(${t("int")}, ${t("int")})`, `${t("tuple")} + (${t("int")},)`, `tuple(${t("list")})`, `${t("tuple")}[:2]`]);
    case "list":
      if (!deeper) return r.pick(["[]", "[1, 2]", "[0]", "[3, 1, 2]", "list(range(3))"]);
      return r.pick([`[${t("int")}, ${t("int")}]`, `sorted(${t("list")})`, `[x * 2 for x in ${t("list")}${r.chance(0.4) ? " if x" : ""}]`, `${t("list")} + [${t("int")}]`, `list(${t("tuple")})`]);
  }
}

/** A random Python expression over the condition namespace: mostly well typed, sometimes anything. */
export function expression(r: Random, depth = 0): string {
  if (depth === 0 && r.chance(0.75)) return typed(r, r.chance(0.8) ? "bool" : r.pick(["int", "str", "tuple", "list"] as const));
  return wild(r, depth);
}

function wild(r: Random, depth: number): string {
  const leaf = () =>
    r.pick([
      "python3", "python2", "python27", "python36", "linux", "windows", "bits64", "cpython", "posix", "True", "False", "None",
      "0", "1", "-1", "2.5", "0.0", "''", "'x'", '"linux"', "()", "[]", "{}", "(1,)", "[0]", "{'a': 1}", "{1}",
      "sys.platform", "sys.version_info", "sys.version_info[:2]", "sys.version_info[0]", "sys.version_info.major",
      "sys.maxsize", "sys.byteorder", "sys.implementation.name", "os.name", "os.sep", "os.pathsep", "platform.system()",
      "platform.python_version()", "platform.python_version_tuple()", "platform.python_implementation()",
      "(3, 8)", "(3,)", "(3, 11, 2)", "(2, 7)", "'3.8'", "range(3)", "range(0)", "len('abc')", "undefined", "x",
      "re.match('lin', sys.platform)", "re.search('x', 'abc')", "b'x'", "f'{1}'", "f'{sys.platform!r:>10}'", "'a' 'b'",
      "[i for i in range(3)]", "{k: 1 for k in 'ab'}", "(i for i in ())", "lambda: 0", "0x10", "1e3", "1_0",
    ]);
  if (depth > 3 || r.chance(0.35)) return leaf();
  const a = () => wild(r, depth + 1);
  switch (r.rand(16)) {
    case 0:
      return `${a()} and ${a()}`;
    case 1:
      return `${a()} or ${a()}`;
    case 2:
      return `not ${a()}`;
    case 3:
      return `${a()} ${r.pick(["==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"])} ${a()}`;
    case 4:
      return `${a()} ${r.pick(["+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>"])} ${a()}`;
    case 5:
      return `(${a()})`;
    case 6:
      return `${a()} if ${a()} else ${a()}`;
    case 7:
      return `${r.pick(["len", "bool", "str", "int", "any", "all", "sorted", "list", "tuple", "set", "abs", "min", "max", "repr", "type", "isinstance"])}(${a()}${r.chance(0.2) ? ", " + a() : ""})`;
    case 8:
      return `${a()}[${r.pick(["0", "-1", "1:", ":2", "::-1", "'a'", a()])}]`;
    case 9:
      return `${a()}.${r.pick(["startswith('l')", "lower()", "upper()", "split()", "strip()", "get('a')", "count(1)", "keys()", "major", "nope"])}`;
    case 10:
      return `[${a()}, ${a()}]`;
    case 11:
      return `${a()}, ${a()}`;
    case 12:
      return `-${a()}`;
    case 13:
      return `~${a()}`;
    case 14:
      return `[x ${r.pick(["*", "+"])} 1 for x in ${a()}${r.chance(0.3) ? " if x" : ""}]`;
    default:
      return `f'{${a()}}'`;
  }
}

/** `[name:expr]` headers, with the header's own quirks (comments, spaces, escapes). */
function conditionHeader(r: Random, name: string): string {
  let expr = expression(r);
  if (r.chance(0.05)) expr = expr.replaceAll("'x'", "'\\x23'").replaceAll("'a'", "'\\x3b'");
  const space = () => r.pick(["", " ", "  ", "\t"]);
  const tail = r.pick(["", "", "", " # comment", " ; comment", "#", ";x"]);
  return `[${space()}${name}${space()}:${space()}${expr}${space()}]${tail}`;
}

export function conditionsCase(r: Random, dir: string): void {
  const lines = ["[buildout]", "parts = " + (r.chance(0.5) ? "p" : ""), ""];
  lines.push("[p]", "recipe = r", "x = base", "");
  for (let i = 0, n = 1 + r.rand(4); i < n; i++) {
    const name = r.pick(["p", "s", "t", "p"]);
    lines.push(conditionHeader(r, name), `x = v${i}`, r.chance(0.3) ? `y = \${p:x}` : "", "");
  }
  writeFileSync(join(dir, "buildout.cfg"), lines.join("\n"));
}

/** Syntax: line endings, whitespace and comments in every place, odd option names. */
export function syntaxCase(r: Random, dir: string): void {
  const eol = r.pick(["\n", "\r\n", "\n", "\r\n", "\r"]);
  const ws = () => r.pick(["", " ", "  ", "\t", " \t", "\f", "\v", "\u00a0"]);
  const name = () =>
    r.pick([
      "x", "a.b", "a-b", "a_b", "a/b", "a@b", "%x", "a%b", "a+", "b-", "A", "ä", "é1", "a$b", "a!b", "a,b", "a;b", "a#b",
      "x'y", 'x"y', "<", "<=", "=>", "a(b)", "a b", "[x]", "{x}", "a:b", "1", "-x", "+x", "--",
    ]);
  const value = () => r.pick(["1", "", " spaced ", "${s:x}", "${:x}", "a # not a comment", "a ; b", "\t tab", "$$", "é"]);
  const lines: string[] = [];
  lines.push(`[buildout]${ws()}`, `parts${ws()}=${ws()}${r.chance(0.3) ? "p" : ""}`);
  if (r.chance(0.3)) lines.push(r.pick(["# comment", "; comment", "#", "  # indented comment", ""]));
  lines.push("", `[p]`, "recipe = r");
  for (const section of ["s", "p", "t"]) {
    if (section !== "p") lines.push("", `${r.pick(["[", "[ "])}${section}${r.pick(["]", " ]", "]  ", "] #c"])}`);
    for (let i = 0, n = 1 + r.rand(4); i < n; i++) {
      const key = r.chance(0.6) ? r.pick(["x", "y", "z"]) : name();
      lines.push(`${r.chance(0.05) ? ws() : ""}${key}${ws()}${r.pick(["=", "=", "+=", "-="])}${ws()}${value()}${ws()}`);
      for (let j = r.rand(3); j > 0; j--) {
        lines.push(r.pick([`${r.pick(["  ", "\t", " "])}${value()}${ws()}`, "", ws(), "# col0 comment", "  # indented", "\t; x"]));
      }
    }
  }
  if (r.chance(0.1)) lines.push(r.pick(["garbage line", "key: value", "  orphan continuation", "[unclosed"]));
  const bom = r.chance(0.03) ? "\ufeff" : "";
  writeFileSync(join(dir, "buildout.cfg"), bom + lines.join(eol) + (r.chance(0.7) ? eol : ""));
}

/** The boolean options of [buildout] with every spelling, literal or substituted. */
export function booleansCase(r: Random, dir: string): void {
  const spelling = () =>
    r.chance(0.6) ? r.pick(["true", "false", "${s:t}", "${s:f}"]) : r.pick(["True", "FALSE", "yes", "no", "on", "off", "1", "0", "", " true", "true "]);
  const options = ["offline", "newest", "prefer-final", "use-dependency-links", "allow-picked-versions", "show-picked-versions", "install-from-cache", "abi-tag-eggs", "allow-unknown-extras", "update-versions-file"];
  const lines = ["[buildout]", "parts ="];
  for (const option of options) if (r.chance(0.3)) lines.push(`${option} = ${spelling()}`);
  lines.push("", "[s]", "t = true", "f = false");
  const base = ["[buildout]", `${r.pick(options)} = ${spelling()}`].join("\n");
  if (r.chance(0.3)) lines.splice(1, 0, "extends = base.cfg");
  writeFileSync(join(dir, "base.cfg"), base + "\n");
  writeFileSync(join(dir, "buildout.cfg"), lines.join("\n") + "\n");
}

/** `+=`/`-=` across an extends chain (and diamonds), with macros and `<=` chains over them. */
export function mergeCase(r: Random, dir: string, http: boolean): void {
  const files = 2 + r.rand(3);
  // "x +=" and "x+=" are operators; "x + =" is a parsing error (rare here).
  const op = () => (r.chance(0.02) ? "+ =" : r.pick([" ", "", "  "]) + r.pick(["=", "+=", "-=", "=", "+=", "-="]));
  const item = () => r.pick(["a", "b", "c", "a b", "", "${m:x}", "${:y}"]);
  const where = (name: string) => (http && r.chance(0.5) ? `@@HTTP@@/${name}` : name);
  for (let f = files - 1; f >= 0; f--) {
    const lines = ["[buildout]"];
    if (f < files - 1) {
      const targets = [where(`f${f + 1}.cfg`)];
      if (f + 2 < files && r.chance(0.4)) targets.push(where(`f${f + 2}.cfg`));
      if (r.chance(0.2)) targets.reverse();
      lines.push(`extends = ${targets.join(r.pick([" ", "\n  "]))}`);
    }
    lines.push(`parts${f === files - 1 ? " =" : op()} ${r.pick(["", "p", "q", "p q"])}`);
    for (const section of ["m", "n", "p", "q"]) {
      if (!r.chance(0.6)) continue;
      lines.push("", `[${section}]`);
      if (section === "p" || section === "q") {
        if (r.chance(0.7)) lines.push("recipe = r");
        if (r.chance(0.5)) lines.push(`<= ${r.pick(["m", "n", "m\n  n", "n\n  m", "q"])}`);
      }
      if (section === "n" && r.chance(0.4)) lines.push(`<= ${r.pick(["m", "p"])}`);
      for (let i = 0, n = 1 + r.rand(3); i < n; i++) {
        const value = r.chance(0.3) ? `\n  ${item()}\n  ${item()}` : ` ${item()}`;
        lines.push(`${r.pick(["x", "y", "z"])}${op()}${value}`);
      }
    }
    writeFileSync(join(dir, f === 0 ? "buildout.cfg" : `f${f}.cfg`), lines.join("\n") + "\n");
  }
}
