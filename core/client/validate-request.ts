/**
 * The schema check of `slapos request` (format-collect-cli.md §6.1 step 4):
 * parameters are validated against the software type's request schema
 * (json-in-xml unwrapped first, `$schema` ignored). Problems of any kind
 * only give warnings, in the reference's words; a request is never refused.
 */
import { messageOf } from "../errors.ts";
import type { PyDict, PyValue } from "../slap/marshal/values.ts";
import { SchemaProblem, validateAgainstSchema } from "./json-schema.ts";
import { JsonDecodeError, loadsJson } from "../slap/python-json.ts";
import { readJson, type SoftwareReleaseSchema, type Warn } from "./schema.ts";

/** The legacy frontend URL has no schema; the reference skips the check for it. */
const NO_SCHEMA_URLS = new Set(["http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg"]);

function errorKind(error: unknown): string {
  if (error instanceof SchemaProblem) return error.kind;
  if (error instanceof JsonDecodeError) return "JSONDecodeError";
  return error instanceof Error ? error.name : "Exception";
}

export async function validateRequestParameters(schema: SoftwareReleaseSchema, parameters: PyDict, warn: Warn): Promise<void> {
  if (NO_SCHEMA_URLS.has(schema.softwareUrl)) return;
  try {
    const request = await schema.requestSchema();
    if (!request) return;
    let instance: PyValue = parameters;
    const serialisation = await schema.serialisation(true);
    if (!serialisation) throw new SchemaProblem("KeyError", "'serialisation'");
    if (serialisation === "json-in-xml" && typeof parameters._ === "string") instance = loadsJson(parameters._);
    if (instance instanceof Map) {
      instance = new Map(instance);
      instance.delete("$schema");
    } else if (instance && typeof instance === "object" && !Array.isArray(instance) && "$schema" in instance) {
      const { $schema: _dropped, ...rest } = instance as PyDict;
      instance = rest;
    }
    const errors = await validateAgainstSchema(instance, request.value, request.url, async (url) => (await readJson(url, warn))?.value);
    if (errors.length) {
      warn(`Request parameters do not validate against schema definition:\n${errors.map((e) => `  ${e.path}: ${e.message}`).join("\n")}`);
    }
  } catch (error) {
    warn(`Error validating request parameters against schema definition:\n${errorKind(error)} ${messageOf(error)}`);
  }
}
