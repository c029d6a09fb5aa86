/** Checking the arguments of a `supervisor.*` call: a wrong type is supervisord's INCORRECT_PARAMETERS fault. */
import type { RpcValue } from "./codec.ts";
import { Faults, RpcError } from "./faults.ts";

/** An optional flag: absent means `fallback`, anything else is its truthiness (as Python's). */
export function bool(value: RpcValue | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : Boolean(value);
}

export function str(value: RpcValue | undefined): string {
  if (typeof value !== "string") throw new RpcError(Faults.INCORRECT_PARAMETERS);
  return value;
}

export function int(value: RpcValue | undefined): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new RpcError(Faults.INCORRECT_PARAMETERS);
  return value;
}
