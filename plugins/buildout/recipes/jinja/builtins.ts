/**
 * Globals of a render: Jinja's (range, dict, cycler, joiner, namespace) and
 * the Python builtins slapos.recipe.template puts in every context (len,
 * str, int, sorted, enumerate, isinstance...).
 */
import type { Environment } from "./environment.ts";
import { builtin } from "../../py/args.ts";
import { makeDict, pythonBuiltins } from "../../py/builtins.ts";
import { pyStr } from "../../py/repr.ts";
import { PyFunction, PyObject } from "../../py/types.ts";

/** Install the Python builtins and Jinja's globals into a render's environment. */
export function installGlobals(env: Environment): void {
  const g = env.globals;
  const set = (fn: PyFunction) => g.set(fn.name, fn);

  for (const [name, value] of pythonBuiltins()) g.set(name, value);
  g.set("unicode", g.get("str")!);
  g.set("basestring", g.get("str")!);
  g.set("xrange", g.get("range")!);

  // Jinja's own globals.
  set(new PyFunction("namespace", (args, kwargs) => {
    const ns = new PyObject("Namespace", new Map(), true);
    for (const [k, v] of makeDict(args, kwargs).entries()) ns.attrs.set(pyStr(k), v);
    return ns;
  }));
  set(new PyFunction("cycler", (items) => {
    let pos = 0;
    const obj: PyObject = new PyObject("Cycler", new Map(), false, (name) => {
      if (name === "current") return items[pos] ?? null;
      if (name === "next") return new PyFunction("next", () => {
        const value = items[pos]!;
        pos = (pos + 1) % items.length;
        return value;
      });
      if (name === "reset") return new PyFunction("reset", () => ((pos = 0), null));
      return undefined;
    });
    return obj;
  }));
  set(builtin("joiner", [["sep", ", "]], (sep) => {
    let used = false;
    return new PyFunction("joiner", () => {
      if (!used) {
        used = true;
        return "";
      }
      return sep;
    });
  }));
}
