/**
 * Reading a request's fields safely: a missing or malformed field is an
 * HttpError 400 whose one-line reason names the field; names are bounded in
 * length; every text that will be stored must be something XML can carry
 * later (no C0 controls but tab, newline, carriage return; no lone
 * surrogates; no U+FFFE/U+FFFF), so that storage can never be poisoned
 * into a computer document nobody can read any more.
 */
import { SlapError } from "../../errors.ts";
import { loads } from "../../slap/marshal/decode.ts";
import { PyObject, isPlainDict, type PyValue } from "../../slap/marshal/values.ts";
import { HttpError } from "./errors.ts";

/** Longest instance name, partition or computer id accepted. */
export const MAX_REFERENCE_LENGTH = 1024;
/** Longest software release URL accepted. */
export const MAX_URL_LENGTH = 4096;

// eslint-disable-next-line no-control-regex
const XML_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The first character XML cannot carry, as U+XXXX, or undefined. */
export function xmlUnsafeChar(text: string): string | undefined {
  const match = XML_UNSAFE.exec(text);
  if (!match) return undefined;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

export function checkText(text: string, what: string): string {
  const bad = xmlUnsafeChar(text);
  if (bad) throw new HttpError(400, `${what} holds ${bad}, which cannot be stored`);
  return text;
}

/** Every string (keys included) inside a decoded value must be storable. */
export function checkValue(value: PyValue, what: string, depth = 0): void {
  if (depth > 64) throw new HttpError(400, `${what} is nested too deeply`);
  if (typeof value === "string") checkText(value, what);
  else if (Array.isArray(value)) for (const item of value) checkValue(item, what, depth + 1);
  else if (value instanceof Map) {
    for (const [k, v] of value) {
      checkValue(k, what, depth + 1);
      checkValue(v, what, depth + 1);
    }
  } else if (value instanceof Set) for (const item of value) checkValue(item, what, depth + 1);
  else if (value instanceof PyObject) throw new HttpError(400, `${what} may not hold a ${value.className} object`);
  else if (isPlainDict(value)) {
    for (const [k, v] of Object.entries(value)) {
      checkText(k, what);
      checkValue(v, what, depth + 1);
    }
  }
}

/** Fields of a request: the query string for GET, the urlencoded body for POST. */
export class Fields {
  private parsed?: URLSearchParams;

  /**
   * `source` is either the parsed fields or, for an urlencoded body, its
   * text — parsed on first use, so that an answer found by the body alone
   * (see slap/answer-cache.ts) never parses it.
   */
  constructor(private readonly source: URLSearchParams | string) {
    if (typeof source !== "string") this.parsed = source;
  }

  get params(): URLSearchParams {
    return (this.parsed ??= new URLSearchParams(this.source as string));
  }

  /** The urlencoded body as received, or undefined (query string, multipart). */
  get body(): string | undefined {
    return typeof this.source === "string" ? this.source : undefined;
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** A field that must be there (Flask's `form[name]`). */
  required(name: string, max = MAX_REFERENCE_LENGTH): string {
    const value = this.params.get(name);
    if (value === null) throw new HttpError(400, `missing field '${name}'`);
    return this.check(name, value, max);
  }

  optional(name: string, max = MAX_REFERENCE_LENGTH): string | undefined {
    const value = this.params.get(name);
    return value === null ? undefined : this.check(name, value, max);
  }

  private check(name: string, value: string, max: number): string {
    if (value.length > max) throw new HttpError(400, `field '${name}' is longer than ${max} characters`);
    return checkText(value, `field '${name}'`);
  }

  /** A field holding a marshal document; `fallback` when absent, else required. */
  marshal(name: string, fallback?: PyValue, maxBytes?: number): PyValue {
    const text = this.params.get(name);
    if (text === null) {
      if (fallback === undefined) throw new HttpError(400, `missing field '${name}'`);
      return fallback;
    }
    let value: PyValue;
    try {
      value = loads(text, { maxBytes });
    } catch (error) {
      if (error instanceof SlapError) throw new HttpError(400, `field '${name}': ${error.message}`);
      throw error;
    }
    checkValue(value, `field '${name}'`);
    return value;
  }
}

/** Read the fields of a request: query for GET/HEAD, urlencoded (or multipart) body otherwise. */
export async function readFields(request: Request, url: URL): Promise<Fields> {
  if (request.method === "GET" || request.method === "HEAD") return new Fields(url.searchParams);
  const type = request.headers.get("content-type") ?? "";
  if (type.startsWith("multipart/form-data")) {
    const params = new URLSearchParams();
    try {
      const form = await request.formData();
      for (const [key, value] of form) if (typeof value === "string") params.append(key, value);
    } catch {
      throw new HttpError(400, "malformed multipart body");
    }
    return new Fields(params);
  }
  return new Fields(await request.text());
}

/** A decoded value that must be a dict with string keys. */
export function asDict(value: PyValue, what: string): Record<string, PyValue> {
  if (value === null) return Object.create(null);
  if (!isPlainDict(value)) throw new HttpError(400, `${what} must be a marshalled dictionary`);
  return value;
}
