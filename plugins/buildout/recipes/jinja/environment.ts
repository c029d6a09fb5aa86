/**
 * The rendering environment: filters, tests and globals by name, Jinja's
 * attribute/item lookup rules, and the loader of named templates (only the
 * templates a recipe declares in `import-list` can be imported or included).
 */
import { builtinAttr } from "../../py/methods.ts";
import { getItem } from "../../py/ops.ts";
import { PyException, PyObject, Undefined, type Kwargs, type PyValue } from "../../py/types.ts";
import type { Stmt } from "./ast.ts";
import { callValue, objectTypeRepr } from "../../py/call.ts";

export { callValue, objectTypeRepr };

export type FilterFn = (env: Environment, value: PyValue, args: PyValue[], kwargs: Kwargs) => PyValue;
export type TestFn = (env: Environment, value: PyValue, args: PyValue[], kwargs: Kwargs) => boolean;

/** Finds a named template's source; undefined when it does not exist. */
export type TemplateLoader = (name: string) => { source: string; name: string } | undefined;

function isLookupError(error: unknown): boolean {
  return error instanceof PyException && ["KeyError", "IndexError", "TypeError", "AttributeError"].includes(error.pyType);
}

export class Environment {
  readonly filters = new Map<string, FilterFn>();
  readonly tests = new Map<string, TestFn>();
  readonly globals = new Map<string, PyValue>();
  /** Parsed templates by name. */
  readonly cache = new Map<string, Stmt[]>();
  /** Modules of templates imported without context, by name. */
  readonly modules = new Map<string, PyObject>();

  constructor(readonly loader: TemplateLoader) {}

  /** `obj.name`: the attribute, else the item, else undefined. */
  getattr(obj: PyValue, name: string): PyValue {
    if (obj instanceof Undefined) obj.fail();
    const attr = builtinAttr(obj, name);
    if (attr !== undefined) return attr;
    try {
      return getItem(obj, name);
    } catch (error) {
      if (!isLookupError(error)) throw error;
    }
    return new Undefined(`'${objectTypeRepr(obj)}' has no attribute '${name}'`);
  }

  /** `obj[key]`: the item, else (for text keys) the attribute, else undefined. */
  getitem(obj: PyValue, key: PyValue): PyValue {
    if (obj instanceof Undefined) obj.fail();
    try {
      return getItem(obj, key);
    } catch (error) {
      if (!isLookupError(error)) throw error;
    }
    if (typeof key === "string") {
      const attr = builtinAttr(obj, key);
      if (attr !== undefined) return attr;
    }
    const shown = typeof key === "string" ? `'${key}'` : String(key);
    return new Undefined(`'${objectTypeRepr(obj)}' has no attribute ${shown}`);
  }

  callFilter(name: string, value: PyValue, args: PyValue[], kwargs: Kwargs): PyValue {
    const filter = this.filters.get(name);
    if (!filter) throw new PyException("TemplateAssertionError", `No filter named '${name}'.`);
    return filter(this, value, args, kwargs);
  }

  callTest(name: string, value: PyValue, args: PyValue[], kwargs: Kwargs): boolean {
    const test = this.tests.get(name);
    if (!test) throw new PyException("TemplateAssertionError", `No test named '${name}'.`);
    return test(this, value, args, kwargs);
  }
}

