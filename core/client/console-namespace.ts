/**
 * The names `slapos console` binds (format-collect-cli.md §6.5), in
 * JavaScript over our SLAP client. Every call to the master returns a
 * Promise: write `await request(...)`.
 *
 * - `slap`: the SLAP client (every method of core/slap/client.ts, e.g.
 *   `await slap.getFullComputerInformation("COMP-1")`), plus the
 *   reference's `slap.registerOpenOrder()` and `slap.registerSupply()`.
 * - `request(software_release, partition_reference, partition_parameter_kw?,
 *   software_type?, filter_kw?, state?, shared?)`, or `request({software_release,
 *   partition_reference, ...})` with the reference's keyword names: an
 *   instance with `getConnectionParameter(name)`,
 *   `getConnectionParameterDict()`, `getInstanceParameterDict()`,
 *   `getState()`, `getId()`, `getComputerId()`, `getInstanceGuid()`.
 * - `supply(software_release, computer_guid, state = "available")`.
 * - `getInformation(partition_reference)`: what `slapos service info` shows.
 * - `product`: `await product.kvm` (or `product["slapos-master"]`) is the
 *   best software release URL of that software product.
 */
import { inspect } from "node:util";
import { SlapError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { SlapClient } from "../slap/client.ts";
import { PyFloat, PyObject, isPlainDict, type PyValue } from "../slap/marshal/values.ts";
import type { SoftwareInstance } from "../slap/objects.ts";
import type { ClientConnection } from "./connect.ts";

/** A marshal value as plain JavaScript, for display and for scripts. */
export function toPlain(value: PyValue | undefined): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value instanceof Map) {
    const keys = [...value.keys()];
    if (keys.every((k) => typeof k === "string")) return Object.fromEntries([...value].map(([k, v]) => [k, toPlain(v)]));
    return new Map([...value].map(([k, v]) => [toPlain(k), toPlain(v)]));
  }
  if (value instanceof Set) return new Set([...value].map(toPlain));
  if (value instanceof PyObject) return value;
  if (isPlainDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  return value;
}

/** An object literal (of this realm or the REPL's): its prototype is null or some realm's Object.prototype. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A TypeError about the caller's arguments, shown by the console without the bundle's stack. */
function argumentError(message: string): TypeError {
  const error = new TypeError(message);
  Object.defineProperty(error, "stack", { value: `TypeError: ${message}` });
  return error;
}

/** A JavaScript value to send as instance parameters; functions, symbols and the like are refused. */
function toPy(value: unknown, where: string): PyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "bigint") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw argumentError(`${where}: ${value} cannot be sent`);
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toPy(v, `${where}[${i}]`));
  if (isPlainObject(value)) {
    const out = Object.create(null) as Record<string, PyValue>;
    for (const [k, v] of Object.entries(value)) out[k] = toPy(v, `${where}.${k}`);
    return out;
  }
  throw argumentError(`${where}: a ${typeof value === "object" ? (value as object).constructor?.name ?? "object" : typeof value} cannot be sent`);
}

function dictArgument(value: unknown, name: string): Record<string, PyValue> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw argumentError(`${name} must be an object of parameters`);
  return toPy(value, name) as Record<string, PyValue>;
}

function textArgument(value: unknown, name: string, required: boolean): string | undefined {
  if ((value === undefined || value === null) && !required) return undefined;
  if (typeof value !== "string" || (required && !value)) throw argumentError(`${name} must be a non-empty string`);
  return value;
}

/** What `request()` gives: the reference's ComputerPartition accessors over the master's answer. */
export class ConsoleInstance {
  constructor(
    readonly reference: string,
    readonly raw: SoftwareInstance,
  ) {}
  getId(): string {
    const id = this.raw.getPartitionId();
    if (!id) throw new SlapError("not-ready", `${this.reference} is not allocated yet`);
    return id;
  }
  getComputerId(): string | undefined {
    return this.raw.getComputerId();
  }
  getInstanceGuid(): string | undefined {
    return this.raw.getInstanceGuid();
  }
  getState(): string | undefined {
    return this.raw.getState();
  }
  getConnectionParameterDict(): Record<string, unknown> {
    return toPlain(this.raw.getConnectionParameterDict()) as Record<string, unknown>;
  }
  getInstanceParameterDict(): Record<string, unknown> {
    return toPlain(this.raw.getInstanceParameterDict()) as Record<string, unknown>;
  }
  getConnectionParameter(name: string): unknown {
    const parameters = this.getConnectionParameterDict();
    if (!Object.hasOwn(parameters, name)) throw new SlapError("not-found", `${name} not found in the connection parameters of ${this.reference}`);
    return parameters[name];
  }
  [inspect.custom](_depth: number, options: object): string {
    const summary = {
      state: this.getState(),
      computer: this.getComputerId(),
      partition: this.raw.getPartitionId(),
      connection: this.getConnectionParameterDict(),
    };
    return `SoftwareInstance ${JSON.stringify(this.reference)} ${inspect(summary, options)}`;
  }
}

interface RequestKeywords {
  software_release?: unknown;
  partition_reference?: unknown;
  partition_parameter_kw?: unknown;
  software_type?: unknown;
  filter_kw?: unknown;
  state?: unknown;
  shared?: unknown;
}

const REQUEST_KEYWORDS = ["software_release", "partition_reference", "partition_parameter_kw", "software_type", "filter_kw", "state", "shared"];

/** The arguments of request(), positional (the reference's order) or one object of its keyword names. */
function requestKeywords(args: unknown[]): RequestKeywords {
  if (args.length === 1 && isPlainObject(args[0])) {
    const unknown = Object.keys(args[0]).filter((k) => !REQUEST_KEYWORDS.includes(k));
    if (unknown.length) throw argumentError(`request() got unexpected keyword(s): ${unknown.join(", ")}`);
    return args[0] as RequestKeywords;
  }
  if (args.length > REQUEST_KEYWORDS.length) throw argumentError(`request() takes at most ${REQUEST_KEYWORDS.length} arguments (${args.length} given)`);
  return Object.fromEntries(args.map((v, i) => [REQUEST_KEYWORDS[i], v])) as RequestKeywords;
}

/** The best software release of a product, as `product.<name>` resolves it. */
async function bestRelease(slap: SlapClient, name: string): Promise<string> {
  const list = await slap.getSoftwareReleaseListFromSoftwareProduct({ product: name });
  if (!list.length) throw new SlapError("not-found", `No Software Release corresponding to this Software Product has been found: ${name}`);
  return list[0];
}

function productCollection(slap: SlapClient): Record<string, Promise<string>> {
  // An ordinary object (so that the REPL shows it plainly) whose prototype answers any name.
  const lookup = new Proxy(Object.create(null) as object, {
    get(_, name) {
      // not thenable, not serialisable: `await product` or inspect() must not ask the master
      if (typeof name !== "string" || name === "then" || name === "toJSON" || name === "constructor") return undefined;
      return friendly(() => bestRelease(slap, name))();
    },
  });
  const product = Object.create(lookup) as Record<string | symbol, unknown>;
  Object.defineProperty(product, inspect.custom, {
    value: () => "[product: `await product.NAME` is the best software release URL of product NAME]",
  });
  return product as Record<string, Promise<string>>;
}

/** What a SlapError looks like in the console: its name, message and (not shown) code. */
const ShownSlapError = class SlapError extends Error {
  declare readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "SlapError" });
    Object.defineProperty(this, "code", { value: code });
    Object.defineProperty(this, "stack", { value: `SlapError: ${message}` });
  }
};
Object.defineProperty(ShownSlapError, "name", { value: "SlapError" }); // the bundle's minifier renames classes

/**
 * Our errors as the console shows them: `Uncaught SlapError: <message>`,
 * without the bundle's stack or fields (the code stays readable as `.code`).
 */
function friendly<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      if (!(error instanceof SlapError)) throw error;
      throw new ShownSlapError(error.message, error.code);
    }
  };
}

export interface ConsoleNames {
  slap: SlapClient & { registerOpenOrder(): object; registerSupply(): object };
  request(...args: unknown[]): Promise<ConsoleInstance>;
  supply(software_release: unknown, computer_guid: unknown, state?: unknown): Promise<void>;
  getInformation(partition_reference: unknown): Promise<Record<string, unknown>>;
  product: Record<string, Promise<string>>;
}

export function consoleNames(connection: ClientConnection, log: Logger): ConsoleNames {
  const client = connection.slap;
  const request = friendly(async (...args: unknown[]): Promise<ConsoleInstance> => {
    const k = requestKeywords(args);
    const reference = textArgument(k.partition_reference, "partition_reference", true)!;
    const answer = await client.requestComputerPartition({
      softwareRelease: textArgument(k.software_release, "software_release", true)!,
      partitionReference: reference,
      parameters: dictArgument(k.partition_parameter_kw, "partition_parameter_kw"),
      softwareType: textArgument(k.software_type, "software_type", false),
      filter: dictArgument(k.filter_kw, "filter_kw"),
      state: textArgument(k.state, "state", false),
      shared: Boolean(k.shared),
    }).catch((error: unknown) => {
      // The client's 404 shows the raw "url - params"; say what it means instead (as `slapos request` does).
      if (!(error instanceof SlapError && error.code === "not-found")) throw error;
      const what = k.shared ? "no partition of that software to host this shared instance" : "no free partition";
      throw new SlapError("not-found", `The master could not allocate ${reference}: ${what} on the requested computer (HTTP 404)`, { cause: error });
    });
    return new ConsoleInstance(reference, answer);
  });
  const supply = friendly(async (softwareRelease: unknown, computerGuid: unknown, state: unknown = "available"): Promise<void> => {
    if (state !== "available" && state !== "destroyed") throw argumentError(`state must be "available" or "destroyed", not ${inspect(state)}`);
    await client.supply(textArgument(softwareRelease, "software_release", true)!, textArgument(computerGuid, "computer_guid", true)!, state);
  });
  const getInformation = friendly(async (partitionReference: unknown): Promise<Record<string, unknown>> => {
    const reference = textArgument(partitionReference, "partition_reference", true)!;
    const { serviceInfo } = await import("./service.ts");
    const { SoftwareReleaseSchema } = await import("./schema.ts");
    const data = await (await connection.hateoas()).instanceTree(reference);
    const schema = new SoftwareReleaseSchema(String(data.get("url_string") ?? null), undefined, (m) => log.debug(m));
    return toPlain(serviceInfo(data, await schema.serialisation(false), false)) as Record<string, unknown>;
  });
  const slap = Object.assign(Object.create(client) as SlapClient, {
    registerOpenOrder: () => ({ request, getInformation }),
    registerSupply: () => ({ supply }),
  });
  return { slap, request, supply, getInformation, product: productCollection(client) };
}
