/**
 * The SLAP side of the recipes: a client for the master named in the
 * options (core's SlapClient), and the bridge between wire values (marshal)
 * and option values. Sets become sorted lists; dicts become objects.
 */
import { SlapClient } from "../../../../core/slap/client.ts";
import { PyFloat, PyObject, PyTuple, isPlainDict, pyDict, type PyValue } from "../../../../core/slap/marshal/values.ts";
import { pyStr } from "../../../../core/slap/python-repr.ts";
import type { OptionValue } from "../../recipe-api.ts";
import { UserError } from "./errors.ts";

/** A client for `server-url`, with key and certificate files when they are set. */
export function slapClient(serverUrl: string | undefined, keyFile?: string, certFile?: string): SlapClient {
  if (!serverUrl) throw new UserError("server-url is required to talk to the master");
  return new SlapClient({ masterUrl: serverUrl, keyFile: keyFile || undefined, certFile: certFile || undefined });
}

/** A value from the master as an option value. */
export function fromWire(value: PyValue | undefined): OptionValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(fromWire);
  if (value instanceof Set) return [...value].map(fromWire).sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  if (value instanceof Map) {
    const out: Record<string, OptionValue> = {};
    for (const [k, v] of value) out[pyStr(k)] = fromWire(v);
    return out;
  }
  if (value instanceof PyObject) return pyStr(value);
  if (isPlainDict(value)) {
    const out: Record<string, OptionValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromWire(v);
    return out;
  }
  return pyStr(value as PyValue);
}

/** An option value as a wire value (integral numbers are ints, others floats). */
export function toWire(value: OptionValue): PyValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : new PyFloat(value);
  if (Array.isArray(value)) return value.map(toWire);
  return pyDict(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
}

export { PyTuple };
