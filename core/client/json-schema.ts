/**
 * JSON Schema validation of request parameters, as `slapos request` does it
 * with Python's `jsonschema` (format-collect-cli.md §6.1 step 4): the
 * validator's messages and `$.a.b[0]` paths, the keywords in the schema's
 * own order, `$ref` resolved against `$id` (other files loaded on demand),
 * and `$ref` hiding its siblings in drafts 3 to 7. Only the top-level errors
 * are reported, as the reference's `format_error` does. `format` is not
 * checked (the reference passes no format checker).
 */
import { compareCodePoints } from "../slap/marshal/encode.ts";
import { PyFloat, type PyValue } from "../slap/marshal/values.ts";
import { reprString } from "../slap/python-repr.ts";
import {
  SchemaProblem,
  isObj,
  keys,
  get,
  has,
  entries,
  num,
  isInteger,
  textLength,
  equal,
  regex,
  repr,
  jsonPath,
  typeOk,
  draftOf,
  type Path,
} from "./json-schema-values.ts";

export { SchemaProblem } from "./json-schema-values.ts";

/** Load a JSON document by absolute URL (a schema that `$ref` points to). */
export type SchemaLoader = (url: string) => Promise<PyValue | undefined>;

export interface SchemaError {
  /** `$`, `$.foo`, `$.list[2]`. */
  path: string;
  message: string;
}

interface Scope {
  base: string;
  document: PyValue;
}

class Validator {
  private readonly documents = new Map<string, PyValue>();

  constructor(
    private readonly draft: number,
    private readonly load: SchemaLoader,
  ) {}

  remember(url: string, document: PyValue): void {
    this.documents.set(url.split("#")[0], document);
  }

  private async resolve(ref: string, scope: Scope): Promise<{ schema: PyValue; scope: Scope }> {
    let target: string;
    try {
      target = scope.base ? new URL(ref, scope.base).toString() : ref;
    } catch {
      throw new SchemaProblem("RefResolutionError", `Unresolvable JSON pointer or URL: ${reprString(ref)}`);
    }
    const hash = target.indexOf("#");
    const url = hash < 0 ? target : target.slice(0, hash);
    const fragment = hash < 0 ? "" : decodeURIComponent(target.slice(hash + 1));
    let document = this.documents.get(url);
    if (document === undefined) {
      if (!url || url === scope.base.split("#")[0]) document = scope.document;
      else {
        document = await this.load(url);
        if (document === undefined) throw new SchemaProblem("RefResolutionError", `Unresolvable: ${ref}`);
        this.documents.set(url, document);
      }
    }
    let node: PyValue | undefined = document;
    if (fragment) {
      if (!fragment.startsWith("/")) throw new SchemaProblem("RefResolutionError", `Unresolvable JSON pointer: ${reprString(fragment)}`);
      for (const raw of fragment.slice(1).split("/")) {
        const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        node = Array.isArray(node) ? node[Number(part)] : get(node, part);
        if (node === undefined) throw new SchemaProblem("RefResolutionError", `Unresolvable JSON pointer: ${reprString(fragment)}`);
      }
    }
    return { schema: node, scope: { base: url, document } };
  }

  private async valid(instance: PyValue | undefined, schema: PyValue, scope: Scope): Promise<boolean> {
    return (await this.errors(instance, schema, scope, [])).length === 0;
  }

  /** Every top-level error of `instance` against `schema`, in the schema's keyword order. */
  async errors(instance: PyValue | undefined, schema: PyValue, scope: Scope, path: Path): Promise<SchemaError[]> {
    if (schema === true) return [];
    if (schema === false) return [{ path: jsonPath(path), message: `False schema does not allow ${repr(instance)}` }];
    if (!isObj(schema)) return [];
    const id = get(schema, "$id") ?? get(schema, "id");
    if (typeof id === "string" && !id.startsWith("#")) {
      const base = scope.base ? new URL(id, scope.base).toString() : id;
      scope = { base, document: schema };
      this.remember(base, schema);
    }
    const out: SchemaError[] = [];
    const fail = (message: string) => out.push({ path: jsonPath(path), message });
    const descend = async (value: PyValue | undefined, sub: PyValue, step?: string | number) =>
      out.push(...(await this.errors(value, sub, scope, step === undefined ? path : [...path, step])));
    let keywords = entries(schema);
    if (has(schema, "$ref") && this.draft <= 7) keywords = keywords.filter(([k]) => k === "$ref");
    for (const [keyword, value] of keywords) {
      switch (keyword) {
        case "$ref": {
          if (typeof value !== "string") break;
          const resolved = await this.resolve(value, scope);
          out.push(...(await this.errors(instance, resolved.schema, resolved.scope, path)));
          break;
        }
        case "type": {
          const types = Array.isArray(value) ? value.map(String) : [String(value)];
          if (!types.some((t) => typeOk(instance, t, this.draft))) fail(`${repr(instance)} is not of type ${types.map(reprString).join(", ")}`);
          break;
        }
        case "enum":
          if (Array.isArray(value) && !value.some((e) => equal(e, instance))) fail(`${repr(instance)} is not one of ${repr(value)}`);
          break;
        case "const":
          if (!equal(instance, value)) fail(`${repr(value)} was expected`);
          break;
        case "required":
          if (isObj(instance) && Array.isArray(value)) {
            for (const name of value) if (!has(instance, String(name))) fail(`${repr(name)} is a required property`);
          }
          break;
        case "properties":
          if (isObj(instance)) for (const [name, sub] of entries(value)) if (has(instance, name)) await descend(get(instance, name), sub, name);
          break;
        case "patternProperties":
          if (isObj(instance)) {
            for (const [pattern, sub] of entries(value)) {
              for (const name of keys(instance)) if (regex(pattern).test(name)) await descend(get(instance, name), sub, name);
            }
          }
          break;
        case "additionalProperties": {
          if (!isObj(instance)) break;
          const declared = get(schema, "properties");
          const patterns = keys(isObj(get(schema, "patternProperties")) ? (get(schema, "patternProperties") as Record<string, PyValue>) : {});
          const extras = keys(instance).filter((k) => !has(declared, k) && !patterns.some((p) => regex(p).test(k)));
          if (isObj(value)) for (const extra of extras) await descend(get(instance, extra), value, extra);
          else if (value === false && extras.length) {
            const sorted = extras.sort(compareCodePoints);
            if (patterns.length) {
              const verb = sorted.length === 1 ? "does" : "do";
              fail(`${sorted.map(reprString).join(", ")} ${verb} not match any of the regexes: ${patterns.sort(compareCodePoints).map(reprString).join(", ")}`);
            } else {
              fail(`Additional properties are not allowed (${sorted.map(reprString).join(", ")} ${sorted.length === 1 ? "was" : "were"} unexpected)`);
            }
          }
          break;
        }
        case "propertyNames":
          if (isObj(instance)) for (const name of keys(instance)) await descend(name, value);
          break;
        case "dependencies":
        case "dependentRequired":
        case "dependentSchemas":
          if (!isObj(instance)) break;
          for (const [name, dependency] of entries(value)) {
            if (!has(instance, name)) continue;
            if (Array.isArray(dependency)) {
              for (const each of dependency) if (!has(instance, String(each))) fail(`${repr(each)} is a dependency of ${reprString(name)}`);
            } else await descend(instance, dependency);
          }
          break;
        case "items":
          if (!Array.isArray(instance)) break;
          if (Array.isArray(value)) {
            for (let i = 0; i < Math.min(value.length, instance.length); i++) await descend(instance[i], value[i], i);
          } else {
            const prefix = Array.isArray(get(schema, "prefixItems")) ? (get(schema, "prefixItems") as PyValue[]).length : 0;
            if (value === false && instance.length > prefix) {
              const extra = instance.length - prefix;
              const rest = extra === 1 ? instance[prefix] : instance.slice(prefix);
              fail(`Expected at most ${prefix} ${prefix === 1 ? "item" : "items"} but found ${extra} extra: ${repr(rest)}`);
            } else for (let i = prefix; i < instance.length; i++) await descend(instance[i], value, i);
          }
          break;
        case "prefixItems":
          if (Array.isArray(instance) && Array.isArray(value)) {
            for (let i = 0; i < Math.min(value.length, instance.length); i++) await descend(instance[i], value[i], i);
          }
          break;
        case "additionalItems": {
          const items = get(schema, "items");
          if (!Array.isArray(instance) || !Array.isArray(items) || instance.length <= items.length) break;
          if (isObj(value)) for (let i = items.length; i < instance.length; i++) await descend(instance[i], value, i);
          else if (value === false) {
            const extras = instance.slice(items.length);
            fail(`Additional items are not allowed (${extras.map(repr).join(", ")} ${extras.length === 1 ? "was" : "were"} unexpected)`);
          }
          break;
        }
        case "contains":
          if (Array.isArray(instance)) {
            let matches = 0;
            for (const item of instance) if (await this.valid(item, value, scope)) matches++;
            if (!matches) fail(`${repr(instance)} does not contain items matching the given schema`);
          }
          break;
        case "minItems":
        case "maxItems":
        case "minLength":
        case "maxLength":
        case "minProperties":
        case "maxProperties": {
          const limit = num(value) ?? 0;
          const size = Array.isArray(instance) && keyword.endsWith("Items") ? instance.length
            : typeof instance === "string" && keyword.endsWith("Length") ? textLength(instance)
            : isObj(instance) && keyword.endsWith("Properties") ? keys(instance).length : undefined;
          if (size === undefined) break;
          const many = keyword.endsWith("Properties");
          if (keyword.startsWith("min") && size < limit) {
            fail(`${repr(instance)} ${limit === 1 ? "should be non-empty" : many ? "does not have enough properties" : "is too short"}`);
          }
          if (keyword.startsWith("max") && size > limit) {
            fail(`${repr(instance)} ${limit === 0 ? "is expected to be empty" : many ? "has too many properties" : "is too long"}`);
          }
          break;
        }
        case "uniqueItems":
          if (value === true && Array.isArray(instance) && instance.some((x, i) => instance.slice(i + 1).some((y) => equal(x, y)))) {
            fail(`${repr(instance)} has non-unique elements`);
          }
          break;
        case "pattern":
          if (typeof instance === "string" && typeof value === "string" && !regex(value).test(instance)) {
            fail(`${repr(instance)} does not match ${reprString(value)}`);
          }
          break;
        case "minimum":
        case "maximum": {
          const x = num(instance);
          const limit = num(value);
          if (x === undefined || typeof instance === "boolean" || limit === undefined) break;
          const exclusive = get(schema, keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum") === true;
          const low = keyword === "minimum";
          const failed = low ? (exclusive ? x <= limit : x < limit) : exclusive ? x >= limit : x > limit;
          if (failed) {
            const cmp = low ? (exclusive ? "less than or equal to" : "less than") : exclusive ? "greater than or equal to" : "greater than";
            fail(`${repr(instance)} is ${cmp} the ${keyword} of ${repr(value)}`);
          }
          break;
        }
        case "exclusiveMinimum":
        case "exclusiveMaximum": {
          const x = num(instance);
          const limit = num(value);
          if (x === undefined || limit === undefined) break;
          if (keyword === "exclusiveMinimum" && x <= limit) fail(`${repr(instance)} is less than or equal to the minimum of ${repr(value)}`);
          if (keyword === "exclusiveMaximum" && x >= limit) fail(`${repr(instance)} is greater than or equal to the maximum of ${repr(value)}`);
          break;
        }
        case "multipleOf": {
          const x = num(instance);
          const step = num(value);
          if (x === undefined || step === undefined) break;
          const failed = value instanceof PyFloat ? !Number.isInteger(x / step) : x % step !== 0;
          if (failed) fail(`${repr(instance)} is not a multiple of ${repr(value)}`);
          break;
        }
        case "allOf":
          if (Array.isArray(value)) for (const sub of value) await descend(instance, sub);
          break;
        case "anyOf":
        case "oneOf": {
          if (!Array.isArray(value)) break;
          const valid: PyValue[] = [];
          for (const sub of value) {
            if (await this.valid(instance, sub, scope)) {
              valid.push(sub);
              if (keyword === "anyOf") break;
            }
          }
          if (!valid.length) fail(`${repr(instance)} is not valid under any of the given schemas`);
          else if (keyword === "oneOf" && valid.length > 1) {
            const [first, ...more] = valid;
            fail(`${repr(instance)} is valid under each of ${[...more, first].map(repr).join(", ")}`);
          }
          break;
        }
        case "not":
          if (await this.valid(instance, value, scope)) fail(`${repr(instance)} should not be valid under ${repr(value)}`);
          break;
        case "if":
          if (await this.valid(instance, value, scope)) {
            if (has(schema, "then")) await descend(instance, get(schema, "then")!);
          } else if (has(schema, "else")) await descend(instance, get(schema, "else")!);
          break;
        default:
          break;
      }
    }
    return out;
  }
}

/**
 * Validate `instance` against `schema` (read from `url`). Resolution
 * problems throw a SchemaProblem; validation problems are returned.
 */
export async function validateAgainstSchema(
  instance: PyValue,
  schema: PyValue,
  url: string,
  load: SchemaLoader,
): Promise<SchemaError[]> {
  const validator = new Validator(draftOf(schema), load);
  const id = get(schema, "$id");
  const base = typeof id === "string" ? id : url;
  validator.remember(base, schema);
  return validator.errors(instance, schema, { base, document: schema }, []);
}
