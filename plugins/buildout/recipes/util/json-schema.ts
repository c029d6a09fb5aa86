/**
 * Software release JSON schemas, as slapos.core's SoftwareReleaseSchema
 * reads them: `software.cfg.json` lists software types (`request` schema,
 * `shared`, `serialisation`); request schemas are JSON Schema 2020-12 that
 * may `$ref` other local files. Validation is ajv's; errors are written
 * like Python jsonschema's (`$.path: message`). Only local files (paths
 * or file:// URLs) are read.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { OptionValue } from "../../recipe-api.ts";
import { UserError } from "./errors.ts";

type Json = OptionValue;
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A file URL for a path or file:// URL. */
function fileUrl(pathOrUrl: string): string {
  return pathOrUrl.startsWith("file:") ? pathOrUrl : pathToFileURL(resolve(pathOrUrl)).href;
}

function readJson(url: string): JsonObject {
  if (!url.startsWith("file:")) throw new UserError(`only local schemas can be read, not ${url}`);
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new UserError(`schema ${path} does not exist`);
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Json;
    if (!isObject(parsed)) throw new Error("not a JSON object");
    return parsed;
  } catch (error) {
    throw new UserError(`schema ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Documents by URL (without fragment), each with `$id` set to its URL. */
class SchemaStore {
  readonly documents = new Map<string, JsonObject>();

  load(url: string): JsonObject {
    const key = url.split("#")[0]!;
    let doc = this.documents.get(key);
    if (!doc) {
      doc = readJson(key);
      doc.$id ??= key;
      this.documents.set(key, doc);
      this.followRefs(doc, key);
    }
    return doc;
  }

  private followRefs(node: Json, base: string): void {
    if (Array.isArray(node)) return node.forEach((n) => this.followRefs(n, base));
    if (!isObject(node)) return;
    const ref = node.$ref;
    if (typeof ref === "string" && !ref.startsWith("#")) this.load(new URL(ref, base).href);
    for (const [key, value] of Object.entries(node)) if (key !== "$ref" && key !== "default" && key !== "examples") this.followRefs(value, base);
  }

  /** The schema a `$ref` points at, from the document at `base`. */
  resolve(ref: string, base: string): { schema: Json; base: string } {
    const target = new URL(ref, base);
    const documentUrl = target.href.split("#")[0]!;
    let node: Json = this.load(documentUrl);
    const pointer = decodeURIComponent(target.hash.replace(/^#/, ""));
    for (const part of pointer.split("/").slice(1)) {
      const key = part.replaceAll("~1", "/").replaceAll("~0", "~");
      node = isObject(node) ? node[key]! : Array.isArray(node) ? node[Number(key)]! : undefined!;
      if (node === undefined) throw new UserError(`cannot resolve $ref ${ref} from ${base}`);
    }
    return { schema: node, base: documentUrl };
  }
}

/** The software release's schema description for one software type. */
export class SoftwareReleaseSchema {
  private readonly store = new SchemaStore();
  readonly softwareJsonUrl: string;
  readonly softwareType: string;

  constructor(softwareJson: string, softwareType: string | undefined) {
    this.softwareJsonUrl = fileUrl(softwareJson.endsWith(".json") ? softwareJson : `${softwareJson}.json`);
    this.softwareType = !softwareType || softwareType === "RootSoftwareInstance" ? "default" : softwareType;
  }

  software(): JsonObject {
    return this.store.load(this.softwareJsonUrl);
  }

  private types(): JsonObject {
    const types = this.software()["software-type"];
    return isObject(types) ? types : {};
  }

  private typeEntry(): JsonObject | undefined {
    const entry = this.types()[this.softwareType];
    return isObject(entry) ? entry : undefined;
  }

  /** "json-in-xml" or "xml", from the type entry or the top level; an error when neither says. */
  serialisation(): "json-in-xml" | "xml" {
    const value = this.typeEntry()?.serialisation ?? this.software().serialisation;
    if (value !== "json-in-xml" && value !== "xml") {
      throw new UserError(`Invalid or undefined serialisation for software type ${JSON.stringify(this.softwareType)} of ${this.softwareJsonUrl}`);
    }
    return value;
  }

  /** The request schema of the main instance, or undefined when the type has none. */
  requestSchemaUrl(): string | undefined {
    const request = this.typeEntry()?.request;
    return typeof request === "string" ? new URL(request, this.softwareJsonUrl).href : undefined;
  }

  /** The request schema of shared instances of this type, or undefined. */
  sharedSchemaUrl(): string | undefined {
    for (const entry of Object.values(this.types())) {
      if (isObject(entry) && entry["software-type"] === this.softwareType && entry.shared === true && typeof entry.request === "string") {
        return new URL(entry.request, this.softwareJsonUrl).href;
      }
    }
    return undefined;
  }

  /** A validator for the schema at `url`. */
  validator(url: string, options: { setDefaults: boolean; unstringify: boolean }): SchemaValidator {
    return new SchemaValidator(this.store, url, options);
  }
}

const UNSTRINGIFY: Record<string, (text: string) => Json | undefined> = {
  integer: (text) => (/^\s*[+-]?\d+(_\d+)*\s*$/.test(text) ? Number(text.replaceAll("_", "").trim()) : undefined),
  boolean: (text) => (text === "True" ? true : text === "False" ? false : undefined),
};

function jsonPath(instancePath: string): string {
  if (!instancePath) return "$";
  return "$" + instancePath.split("/").slice(1).map((p) => {
    const key = p.replaceAll("~1", "/").replaceAll("~0", "~");
    return /^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `['${key}']`;
  }).join("");
}

function pyRepr(value: unknown): string {
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  return JSON.stringify(value);
}

/** One ajv error as Python jsonschema words it. */
function message(error: ErrorObject, root: unknown): string {
  let data: unknown = root;
  for (const part of error.instancePath.split("/").slice(1)) data = (data as Record<string, unknown>)?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return `${pyRepr(data)} is not of type ${String(p.type).split(",").map((t) => `'${t}'`).join(", ")}`;
    case "required":
      return `${pyRepr(p.missingProperty)} is a required property`;
    case "additionalProperties":
      return `Additional properties are not allowed (${pyRepr(p.additionalProperty)} was unexpected)`;
    case "enum":
      return `${pyRepr(data)} is not one of [${(p.allowedValues as unknown[]).map(pyRepr).join(", ")}]`;
    case "const":
      return `${pyRepr(p.allowedValue)} was expected`;
    case "minimum":
      return `${pyRepr(data)} is less than the minimum of ${p.limit}`;
    case "maximum":
      return `${pyRepr(data)} is greater than the maximum of ${p.limit}`;
    case "pattern":
      return `${pyRepr(data)} does not match ${pyRepr(p.pattern)}`;
  }
  return `${pyRepr(data)} ${error.message ?? "is not valid"}`;
}

export class SchemaValidator {
  private readonly validate: ValidateFunction;

  constructor(
    private readonly store: SchemaStore,
    private readonly url: string,
    private readonly options: { setDefaults: boolean; unstringify: boolean },
  ) {
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, useDefaults: options.setDefaults });
    const main = store.load(url);
    for (const [id, doc] of store.documents) if (doc !== main) ajv.addSchema(structuredClone(doc), id);
    try {
      this.validate = ajv.compile(structuredClone(main));
    } catch (error) {
      throw new UserError(`schema ${url} cannot be compiled: ${(error as Error).message}`);
    }
  }

  /** Turn "1" into 1 and "True" into true where the schema's properties want those types. */
  private unstringify(instance: Json, schema: Json, base: string, depth = 0): void {
    if (depth > 32 || !isObject(instance) || !isObject(schema)) return;
    if (typeof schema.$ref === "string") {
      const target = this.store.resolve(schema.$ref, base);
      this.unstringify(instance, target.schema, target.base, depth + 1);
    }
    for (const keyword of ["allOf"] as const) {
      const list = schema[keyword];
      if (Array.isArray(list)) for (const sub of list) this.unstringify(instance, sub, base, depth + 1);
    }
    const properties = schema.properties;
    if (!isObject(properties)) return;
    for (const [key, sub] of Object.entries(properties)) {
      if (!(key in instance)) continue;
      let target: { schema: Json; base: string } = { schema: sub, base };
      while (isObject(target.schema) && typeof target.schema.$ref === "string" && target.schema.type === undefined) target = this.store.resolve(target.schema.$ref, target.base);
      if (!isObject(target.schema)) continue;
      const value = instance[key]!;
      if (typeof value === "string") {
        const types = Array.isArray(target.schema.type) ? target.schema.type : [target.schema.type];
        for (const type of types) {
          const converted = typeof type === "string" ? UNSTRINGIFY[type]?.(value) : undefined;
          if (converted !== undefined) {
            instance[key] = converted;
            break;
          }
        }
      } else this.unstringify(value, target.schema, target.base, depth + 1);
    }
  }

  /** Validate (possibly filling defaults and unstringifying in place); the formatted errors, empty when valid. */
  errors(instance: Json): string[] {
    if (this.options.unstringify) this.unstringify(instance, this.store.load(this.url), this.url.split("#")[0]!);
    if (this.validate(instance)) return [];
    return (this.validate.errors ?? []).map((e) => `${jsonPath(e.instancePath)}: ${message(e, instance)}`);
  }
}

/** SoftwareReleaseSchemaValidationError.format_error(indent). */
export function formatErrors(errors: string[], indent = 2): string {
  return " ".repeat(indent) + errors.join("\n" + " ".repeat(indent));
}

