/**
 * The namespace of section conditions: Python's builtins (eval() adds
 * them), the modules zc.buildout's `_default_globals()` imports (sys, os,
 * platform, re) and its names (python3, pythonXY, cpython, linux, bits64,
 * little_endian...), as CPython 3.11 on this Linux machine gives them.
 * 2.13 knows pythonXY for 24-27 and 30-36 (so `python311` is a NameError
 * there); the fork (3.0.1) knows 37-315 too.
 */
import { pythonBuiltins } from "../py/builtins.ts";
import { REQUIRED, builtin } from "../py/args.ts";
import { importModule } from "../py/modules/index.ts";
import { PYTHON_VERSION } from "../py/modules/system.ts";
import { pyStr } from "../py/repr.ts";
import { makeModule } from "../py/modules/module.ts";
import { PyDict, PyFunction, type PyValue } from "../py/types.ts";

/** Evaluates a Python expression text in this namespace (the `eval` builtin). */
export type Evaluator = (text: string, fork: boolean) => PyValue;

function build(fork: boolean, evaluator: Evaluator): Map<string, PyValue> {
  const scope = pythonBuiltins();
  scope.set("__import__", builtin("__import__", [["name", REQUIRED]], (name) => importModule(pyStr(name))));
  scope.set("eval", builtin("eval", [["source", REQUIRED]], (source) => evaluator(pyStr(source), fork)));
  scope.set("print", new PyFunction("print", () => null));
  scope.set("globals", new PyFunction("globals", () => PyDict.from([...scope].filter(([k]) => !BUILTIN_NAMES.has(k)))));
  scope.set("__name__", "builtins");
  for (const name of scope.keys()) BUILTIN_NAMES.add(name);
  scope.set("__builtins__", makeModule("builtins", [...scope]));
  for (const name of ["sys", "os", "platform", "re"]) scope.set(name, importModule(name));
  const [major, minor] = PYTHON_VERSION;
  scope.set("python2", major === 2);
  scope.set("python3", major === 3);
  const minors = ["24", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36"];
  if (fork) for (let m = 7; m <= 15; m++) minors.push(`3${m}`);
  for (const v of minors) scope.set(`python${v}`, v === `${major}${minor}`);
  const flags: Record<string, boolean> = {
    cpython: true,
    pypy: false,
    jython: false,
    ironpython: false,
    linux: true,
    windows: false,
    cygwin: false,
    solaris: false,
    macosx: false,
    posix: true,
    bits32: false,
    bits64: true,
    little_endian: true,
    big_endian: false,
  };
  for (const [name, value] of Object.entries(flags)) scope.set(name, value);
  return scope;
}

/** Names that come from Python's builtins, not from buildout's globals. */
const BUILTIN_NAMES = new Set<string>();

const cache = new Map<boolean, Map<string, PyValue>>();

/** The condition namespace (built once per mode). */
export function globalsFor(fork: boolean, evaluator: Evaluator): Map<string, PyValue> {
  let scope = cache.get(fork);
  if (!scope) cache.set(fork, (scope = build(fork, evaluator)));
  return scope;
}
