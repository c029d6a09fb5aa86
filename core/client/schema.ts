/**
 * A software release's JSON schema (`<url>.json`, `SoftwareReleaseSchema` in
 * slapos.util): read from a local path, a `file:` URL or over http(s); the
 * software type's entry under `software-type` (`RootSoftwareInstance` means
 * `default`); the parameter serialisation (`xml` or `json-in-xml`); and the
 * request schema that parameters are validated against. Every problem is a
 * warning, never fatal, except where the caller asks for strictness.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SlapError, messageOf } from "../errors.ts";
import type { PyValue } from "../slap/marshal/values.ts";
import { dig, isObject } from "./hateoas.ts";
import { loadsJson } from "../slap/python-json.ts";

export type Serialisation = "xml" | "json-in-xml";
export const SERIALISATIONS: Serialisation[] = ["xml", "json-in-xml"];

/** Receives what the reference passes to `warnings.warn`. */
export type Warn = (message: string) => void;

/** Seconds allowed to download one schema file. */
const DOWNLOAD_TIMEOUT = 30;

function pythonError(error: unknown, path: string): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return `FileNotFoundError: [Errno 2] No such file or directory: '${path}'`;
  if (code === "EACCES") return `PermissionError: [Errno 13] Permission denied: '${path}'`;
  if (code === "EISDIR") return `IsADirectoryError: [Errno 21] Is a directory: '${path}'`;
  if (error instanceof SlapError && error.code === "bad-request") return `JSONDecodeError: ${error.message}`;
  return `${(error as Error)?.name ?? "Error"}: ${messageOf(error)}`;
}

/**
 * Read and parse a JSON file named by a URL or a path; undefined (with a
 * warning) when it cannot be read or parsed. The URL actually read is
 * returned beside it, to resolve relative references against.
 */
export async function readJson(url: string, warn: Warn): Promise<{ value: PyValue; url: string } | undefined> {
  let shown = url;
  let path = url;
  try {
    if (/^https?:\/\//.test(url)) {
      const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT * 1000) });
      if (!response.ok) throw Object.assign(new Error(`HTTP Error ${response.status}: ${response.statusText}`), { name: "HTTPError" });
      return { value: loadsJson(await response.text()), url };
    }
    if (url.startsWith("file:")) path = fileURLToPath(url);
    else shown = `file:${url}`;
    return { value: loadsJson(readFileSync(path, "utf8")), url: pathToFileURL(resolve(path)).toString() };
  } catch (error) {
    warn(`Unable to load JSON ${shown} (${pythonError(error, path)})`);
    return undefined;
  }
}

export class SoftwareReleaseSchema {
  readonly softwareType: string;
  private software?: Promise<PyValue | undefined>;
  private request?: Promise<{ value: PyValue; url: string } | undefined>;

  constructor(
    readonly softwareUrl: string,
    softwareType: string | undefined,
    private readonly warn: Warn,
  ) {
    this.softwareType = !softwareType || softwareType === "RootSoftwareInstance" ? "default" : softwareType;
  }

  private describe(message: string, error: string): void {
    this.warn(`${message} for software type '${this.softwareType}' of software release ${this.softwareUrl} (${error})`);
  }

  /** The whole `<url>.json`, or undefined. */
  softwareSchema(): Promise<PyValue | undefined> {
    return (this.software ??= readJson(`${this.softwareUrl}.json`, this.warn).then((r) => r?.value));
  }

  /** The `software-type` entry for this type, or undefined (with a warning when the schema exists). */
  async softwareTypeSchema(): Promise<PyValue | undefined> {
    const schema = await this.softwareSchema();
    if (schema === undefined) return undefined;
    const types = dig(schema, "software-type");
    if (!isObject(types)) {
      this.describe("No schema defined", isObject(schema) ? "KeyError: 'software-type'" : "TypeError: not a JSON object");
      return undefined;
    }
    if (!types.has(this.softwareType)) {
      this.describe("No schema defined", `KeyError: '${this.softwareType}'`);
      return undefined;
    }
    return types.get(this.softwareType);
  }

  /**
   * The serialisation: the type's `serialisation`, else the schema's. When
   * neither says, `strict` gives undefined; otherwise `json-in-xml`, the
   * reference's default for display.
   */
  async serialisation(strict: boolean): Promise<Serialisation | undefined> {
    let holder = await this.softwareTypeSchema();
    if (!isObject(holder) || !holder.has("serialisation")) holder = await this.softwareSchema();
    const value = dig(holder, "serialisation");
    if (typeof value === "string" && (SERIALISATIONS as string[]).includes(value)) return value as Serialisation;
    if (holder !== undefined) {
      const error = value === undefined ? "KeyError: 'serialisation'" : `ValueError: '${String(value)}' is not a valid SoftwareReleaseSerialisation`;
      this.describe("Invalid or undefined serialisation", error);
    }
    return strict ? undefined : "json-in-xml";
  }

  /** The request parameter schema (its `$id` set to where it was read), or undefined. */
  async requestSchema(): Promise<{ value: PyValue; url: string } | undefined> {
    this.request ??= (async () => {
      const typeSchema = await this.softwareTypeSchema();
      const relative = dig(typeSchema, "request");
      if (typeSchema === undefined) return undefined;
      if (typeof relative !== "string") {
        this.describe("No request schema defined", "KeyError: 'request'");
        return undefined;
      }
      const url = resolveUrl(relative, this.softwareUrl);
      const read = await readJson(url, this.warn);
      if (read && isObject(read.value) && !read.value.has("$id")) read.value.set("$id", read.url);
      return read;
    })();
    return this.request;
  }
}

/** urljoin(base, relative) for URLs and plain paths alike. */
export function resolveUrl(relative: string, base: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(base)) return new URL(relative, base).toString();
  if (/^[a-z][a-z0-9+.-]*:/i.test(relative) || relative.startsWith("/")) return relative;
  return base.slice(0, base.lastIndexOf("/") + 1) + relative;
}
