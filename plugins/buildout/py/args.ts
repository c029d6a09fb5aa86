/** Argument binding for builtin callables: positional then keyword, with Python's TypeErrors. */
import { PyFunction, typeError, type Kwargs, type PyValue } from "./types.ts";

/** Marks a required parameter in `bind`'s spec. */
export const REQUIRED = Symbol("required");
export type ParamSpec = Array<[name: string, fallback: PyValue | typeof REQUIRED]>;

/**
 * Bind args/kwargs to named parameters; undefined slots take their fallback.
 * A name written `*name` is keyword-only (sorted's `key` and `reverse`).
 */
export function bind(fname: string, spec: ParamSpec, args: PyValue[], kwargs: Kwargs): PyValue[] {
  const positional = spec.filter(([name]) => !name.startsWith("*")).length;
  if (args.length > positional) {
    throw typeError(positional === spec.length ? `${fname}() takes at most ${spec.length} arguments (${args.length} given)` : `${fname} expected ${positional} argument${positional === 1 ? "" : "s"}, got ${args.length}`);
  }
  const out: PyValue[] = [];
  spec.forEach(([starred, fallback], i) => {
    const name = starred.replace(/^\*/, "");
    if (i < args.length) {
      if (name in kwargs) throw typeError(`${fname}() got multiple values for argument '${name}'`);
      out.push(args[i]!);
    } else if (name in kwargs) out.push(kwargs[name]!);
    else if (fallback === REQUIRED) throw typeError(`${fname}() missing required argument: '${name}'`);
    else out.push(fallback);
  });
  for (const key of Object.keys(kwargs)) {
    if (!spec.some(([name]) => name.replace(/^\*/, "") === key)) throw typeError(`${fname}() got an unexpected keyword argument '${key}'`);
  }
  return out;
}

/** A builtin function from a spec and a body over the bound values. */
export function builtin(name: string, spec: ParamSpec, body: (...values: PyValue[]) => PyValue): PyFunction {
  return new PyFunction(name, (args, kwargs) => body(...bind(name, spec, args, kwargs)));
}

export function noKwargs(name: string, kwargs: Kwargs): void {
  const keys = Object.keys(kwargs);
  if (keys.length) throw typeError(`${name}() takes no keyword arguments`);
}
