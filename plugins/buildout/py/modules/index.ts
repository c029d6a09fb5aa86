/**
 * Modules a jinja2 `context` line may `import` (`import json_module json`).
 * Only pure helpers: nothing here reads a file's content or the process
 * environment, so a template sees only what its options name.
 */
import { createHash } from "node:crypto";
import { existsSync, lstatSync, statSync } from "node:fs";
import { posix } from "node:path";
import { callValue } from "../call.ts";
import { REQUIRED, builtin } from "../args.ts";
import { binary } from "../arith.ts";
import { jsonDumps, jsonLoads } from "../json.ts";
import { compare, eq, getItem, iterate, truthy } from "../ops.ts";
import { pyStr } from "../repr.ts";
import { getattrOrFail, pairs } from "../methods.ts";
import { PyBytes, PyDict, PyException, PyFunction, PyObject, PyTuple, typeError, type PyValue } from "../types.ts";
import { makeModule } from "./module.ts";
import { reModule } from "./re.ts";
import { osMembers, platformModule, sysModule } from "./system.ts";
import { urllibParseModule } from "./urllib.ts";
import { shellQuote } from "../shlex.ts";
import { abspath, dirname as pathDirname, isAbs, join as pathJoin, normpath } from "../../lang/pypath.ts";

function bytesOf(value: PyValue, what: string): Uint8Array {
  if (value instanceof PyBytes) return value.data;
  if (typeof value === "string") throw typeError(`${what}: Strings must be encoded before hashing`);
  throw typeError(`${what}: a bytes-like object is required, not '${typeof value}'`);
}

function hashObject(algorithm: string, initial: PyValue): PyObject {
  const hash = createHash(algorithm);
  if (initial !== null) hash.update(bytesOf(initial, algorithm));
  const digest = () => hash.copy().digest();
  return new PyObject(`_hashlib.HASH`, new Map<string, PyValue>([
    ["name", algorithm],
    ["update", new PyFunction("update", ([data]) => {
      hash.update(bytesOf(data ?? null, algorithm));
      return null;
    })],
    ["hexdigest", new PyFunction("hexdigest", () => digest().toString("hex"))],
    ["digest", new PyFunction("digest", () => new PyBytes(digest()))],
  ]));
}

function hashlibModule(): PyObject {
  const algorithms = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
  return makeModule("hashlib", [
    ...algorithms.map((name) => builtin(name, [["data", null]], (data) => hashObject(name, data))),
    builtin("new", [["name", REQUIRED], ["data", null]], (name, data) => hashObject(pyStr(name), data)),
  ]);
}

function b64(value: PyValue): Buffer {
  if (value instanceof PyBytes) return Buffer.from(value.data);
  if (typeof value === "string") return Buffer.from(value, "latin1");
  throw typeError("argument should be a bytes-like object or ASCII string");
}

function base64Module(): PyObject {
  const enc = (name: string, urlsafe: boolean) =>
    builtin(name, [["s", REQUIRED]], (s) => {
      if (!(s instanceof PyBytes)) throw typeError("a bytes-like object is required, not 'str'");
      let text = Buffer.from(s.data).toString("base64");
      if (urlsafe) text = text.replaceAll("+", "-").replaceAll("/", "_");
      return new PyBytes(Buffer.from(text, "latin1"));
    });
  const dec = (name: string, urlsafe: boolean) =>
    builtin(name, [["s", REQUIRED]], (s) => {
      let text = b64(s).toString("latin1");
      if (urlsafe) text = text.replaceAll("-", "+").replaceAll("_", "/");
      return new PyBytes(Buffer.from(text, "base64"));
    });
  return makeModule("base64", [
    enc("b64encode", false),
    enc("standard_b64encode", false),
    enc("urlsafe_b64encode", true),
    dec("b64decode", false),
    dec("standard_b64decode", false),
    dec("urlsafe_b64decode", true),
  ]);
}

function jsonModule(): PyObject {
  return makeModule("json", [
    new PyFunction("dumps", (args, kwargs) => {
      if (args.length !== 1) throw typeError("dumps() takes 1 positional argument");
      const separators = kwargs.separators ? (iterate(kwargs.separators).map(pyStr) as [string, string]) : undefined;
      const indent = kwargs.indent ?? null;
      return jsonDumps(args[0]!, {
        indent: indent === null ? null : typeof indent === "number" ? indent : pyStr(indent),
        sortKeys: truthy(kwargs.sort_keys ?? false),
        separators,
        ensureAscii: truthy(kwargs.ensure_ascii ?? true),
      });
    }),
    builtin("loads", [["s", REQUIRED]], (s) => jsonLoads(s instanceof PyBytes ? new TextDecoder().decode(s.data) : pyStr(s))),
  ]);
}

function osPathModule(): PyObject {
  const str = (v: PyValue) => pyStr(v);
  return makeModule("posixpath", [
    new PyFunction("join", (args) => {
      const parts = args.map(str);
      return parts.length ? pathJoin(parts[0]!, ...parts.slice(1)) : "";
    }),
    builtin("basename", [["p", REQUIRED]], (p) => str(p).slice(str(p).lastIndexOf("/") + 1)),
    builtin("dirname", [["p", REQUIRED]], (p) => pathDirname(str(p))),
    builtin("split", [["p", REQUIRED]], (p) => {
      const s = str(p);
      return new PyTuple([pathDirname(s), s.slice(s.lastIndexOf("/") + 1)]);
    }),
    builtin("splitext", [["p", REQUIRED]], (p) => {
      const s = str(p);
      const base = s.slice(s.lastIndexOf("/") + 1);
      const dot = base.lastIndexOf(".");
      if (dot <= 0 || /^\.+$/.test(base.slice(0, dot + 1))) return new PyTuple([s, ""]);
      const cut = s.length - base.length + dot;
      return new PyTuple([s.slice(0, cut), s.slice(cut)]);
    }),
    builtin("normpath", [["p", REQUIRED]], (p) => normpath(str(p))),
    builtin("abspath", [["p", REQUIRED]], (p) => abspath(str(p))),
    builtin("isabs", [["p", REQUIRED]], (p) => isAbs(str(p))),
    builtin("exists", [["p", REQUIRED]], (p) => existsSync(str(p))),
    builtin("lexists", [["p", REQUIRED]], (p) => {
      try {
        lstatSync(str(p));
        return true;
      } catch {
        return false;
      }
    }),
    builtin("isdir", [["p", REQUIRED]], (p) => existsSync(str(p)) && statSync(str(p)).isDirectory()),
    builtin("isfile", [["p", REQUIRED]], (p) => existsSync(str(p)) && statSync(str(p)).isFile()),
    builtin("islink", [["p", REQUIRED]], (p) => {
      try {
        return lstatSync(str(p)).isSymbolicLink();
      } catch {
        return false;
      }
    }),
    builtin("relpath", [["path", REQUIRED], ["start", "."]], (p, s) => posix.relative(posix.resolve(str(s)), posix.resolve(str(p))) || "."),
    ["sep", "/"],
  ]);
}

function functoolsModule(): PyObject {
  return makeModule("functools", [
    new PyFunction("partial", (args, kwargs) => {
      const [fn, ...bound] = args;
      if (!fn) throw typeError("partial() takes at least one argument");
      return new PyFunction("partial", (more, moreKw) => callValue(fn, [...bound, ...more], { ...kwargs, ...moreKw }));
    }),
    new PyFunction("reduce", (args) => {
      const [fn, it, ...init] = args;
      const items = iterate(it!);
      let acc: PyValue;
      if (init.length) acc = init[0]!;
      else if (items.length) acc = items.shift()!;
      else throw typeError("reduce() of empty iterable with no initial value");
      for (const x of items) acc = callValue(fn!, [acc, x], {});
      return acc;
    }),
  ]);
}

function operatorModule(): PyObject {
  const op2 = (name: string, symbol: string) => builtin(name, [["a", REQUIRED], ["b", REQUIRED]], (a, b) => binary(symbol, a, b));
  return makeModule("operator", [
    new PyFunction("itemgetter", (keys) => new PyFunction("itemgetter", ([obj]) => (keys.length === 1 ? getItem(obj!, keys[0]!) : new PyTuple(keys.map((k) => getItem(obj!, k)))))),
    new PyFunction("attrgetter", (names) => {
      const get = (obj: PyValue, name: PyValue) => pyStr(name).split(".").reduce((o, n) => getattrOrFail(o, n), obj);
      return new PyFunction("attrgetter", ([obj]) => (names.length === 1 ? get(obj!, names[0]!) : new PyTuple(names.map((n) => get(obj!, n)))));
    }),
    op2("add", "+"),
    op2("sub", "-"),
    op2("mul", "*"),
    op2("truediv", "/"),
    op2("floordiv", "//"),
    op2("mod", "%"),
    builtin("eq", [["a", REQUIRED], ["b", REQUIRED]], (a, b) => eq(a, b)),
    builtin("lt", [["a", REQUIRED], ["b", REQUIRED]], (a, b) => compare(a, b) < 0),
    builtin("not_", [["a", REQUIRED]], (a) => !truthy(a)),
  ]);
}

/** An iterator object (itertools.count): `next(it)`, `it.next()`, `it.__next__()`. */
export function iteratorObject(next: () => PyValue): PyObject {
  const fn = new PyFunction("__next__", () => next());
  return new PyObject("iterator", new Map<string, PyValue>([["__next__", fn], ["next", fn]]));
}

function itertoolsModule(): PyObject {
  return makeModule("itertools", [
    builtin("count", [["start", 0], ["step", 1]], (start, step) => {
      let current = start;
      return iteratorObject(() => {
        const value = current;
        current = binary("+", current, step);
        return value;
      });
    }),
    new PyFunction("chain", (args) => args.flatMap((a) => iterate(a))),
    new PyFunction("product", (args, kwargs) => {
      const repeat = Number(kwargs.repeat ?? 1);
      const pools = Array.from({ length: repeat }, () => args.map((a) => iterate(a))).flat();
      let result: PyValue[][] = [[]];
      for (const pool of pools) result = result.flatMap((prefix) => pool.map((x) => [...prefix, x]));
      return result.map((r) => new PyTuple(r));
    }),
    builtin("islice", [["iterable", REQUIRED], ["stop", REQUIRED]], (it, stop) => iterate(it).slice(0, stop === null ? undefined : Number(stop))),
  ]);
}

function sixModule(): PyObject {
  const parse = urllibParseModule("six.moves.urllib.parse");
  const urllib = makeModule("six.moves.urllib", [["parse", parse]]);
  const moves = makeModule("six.moves", [["urllib", urllib], ["shlex_quote", new PyFunction("quote", ([s]) => shellQuote(pyStr(s ?? "")))]]);
  return makeModule("six", [
    builtin("iteritems", [["d", REQUIRED]], (d) => pairs(d).map(([k, v]) => new PyTuple([k, v]))),
    builtin("iterkeys", [["d", REQUIRED]], (d) => iterate(d)),
    builtin("itervalues", [["d", REQUIRED]], (d) => (d instanceof PyDict ? d.values() : [])),
    ["moves", moves],
    ["PY2", false],
    ["PY3", true],
  ]);
}

function osModule(): PyObject {
  return makeModule("os", [["path", osPathModule()], ...osMembers()]);
}

const FACTORIES: Record<string, () => PyObject> = {
  json: jsonModule,
  os: osModule,
  sys: sysModule,
  platform: platformModule,
  "os.path": osPathModule,
  posixpath: osPathModule,
  re: reModule,
  hashlib: hashlibModule,
  base64: base64Module,
  functools: functoolsModule,
  operator: operatorModule,
  itertools: itertoolsModule,
  six: sixModule,
  "six.moves": () => sixModule().getattr("moves") as PyObject,
  "six.moves.urllib": () => makeModule("six.moves.urllib", [["parse", urllibParseModule("six.moves.urllib.parse")]]),
  "six.moves.urllib.parse": () => urllibParseModule("six.moves.urllib.parse"),
  urllib: () => makeModule("urllib", [["parse", urllibParseModule()], ...(Array.from(urllibParseModule().attrs) as Array<[string, PyValue]>)]),
  "urllib.parse": () => urllibParseModule(),
  urlparse: () => urllibParseModule("urlparse"),
};

/** The names `import` accepts. */
export const IMPORTABLE = Object.keys(FACTORIES);

/** A module by dotted name, or an error naming what is available. */
export function importModule(name: string): PyObject {
  const factory = FACTORIES[name];
  if (!factory) {
    throw new PyException("ImportError", `module ${name} is not available to templates (available: ${IMPORTABLE.join(", ")})`);
  }
  return factory();
}
