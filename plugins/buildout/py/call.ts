/** Calling Python values, and how messages name an object's type. */
import { PyBytes, PyDict, PyFloat, PyFunction, PyObject, PySet, PyTuple, Undefined, typeError, type Kwargs, type PyValue } from "./types.ts";

/** Jinja's object_type_repr: how undefined-attribute messages name an object. */
export function objectTypeRepr(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "string") return "str object";
  if (typeof value === "number") return "int object";
  if (typeof value === "boolean") return "bool object";
  if (Array.isArray(value)) return "list object";
  if (value instanceof PyFloat) return "float object";
  if (value instanceof PyTuple) return "tuple object";
  if (value instanceof PyDict) return "dict object";
  if (value instanceof PySet) return "set object";
  if (value instanceof PyBytes) return "bytes object";
  if (value instanceof PyFunction) return "function object";
  if (value instanceof PyObject) return `${value.typeName} object`;
  return "Undefined";
}

/** Call anything callable: functions, and objects with a `__call__` (the recursive loop). */
export function callValue(fn: PyValue, args: PyValue[], kwargs: Kwargs): PyValue {
  if (fn instanceof Undefined) fn.fail();
  if (fn instanceof PyFunction) return fn.call(args, kwargs);
  if (fn instanceof PyObject) {
    const call = fn.getattr("__call__");
    if (call instanceof PyFunction) return call.call(args, kwargs);
  }
  throw typeError(`'${objectTypeRepr(fn).replace(/ object$/, "")}' object is not callable`);
}
