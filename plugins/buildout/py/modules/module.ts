/** Helpers to build Python-like modules for the `import` context type. */
import { PyFunction, PyObject, type PyValue } from "../types.ts";

/** A module object from named members (functions use their own names). */
export function makeModule(name: string, members: Array<PyFunction | [string, PyValue]>): PyObject {
  const attrs = new Map<string, PyValue>();
  for (const member of members) {
    if (member instanceof PyFunction) attrs.set(member.name, member);
    else attrs.set(member[0], member[1]);
  }
  attrs.set("__name__", name);
  attrs.set("__str__", `<module '${name}'>`);
  return new PyObject("module", attrs);
}
