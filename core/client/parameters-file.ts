/**
 * `--parameters-file` (format-collect-cli.md §6.1 step 3): the type comes
 * from the extension — `.yaml`/`.yml` is YAML, `.xml` is a parameter XML
 * (`<instance><parameter id="...">text</parameter></instance>`, taken as it
 * is), anything else is JSON. With `json-in-xml` serialisation the dict is
 * sent as `{"_": json.dumps(params, indent=2)}`, unless it already is
 * exactly `{"_": ...}`. A file that cannot be read or parsed is a one-line
 * error naming it.
 */
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { SlapError, messageOf } from "../errors.ts";
import { parseXml } from "../slap/marshal/xml-reader.ts";
import { isPlainDict, pyDict, type PyDict, type PyValue } from "../slap/marshal/values.ts";
import { dumpsJson, loadsJson } from "../slap/python-json.ts";
import type { Serialisation } from "./schema.ts";

export type ParametersFileKind = "json" | "yaml" | "xml";

export function parametersFileKind(path: string): ParametersFileKind {
  const extension = extname(path);
  if (extension === ".yaml" || extension === ".yml") return "yaml";
  if (extension === ".xml") return "xml";
  return "json";
}

/** YAML values (plain JS) as the values the rest of the client uses: objects become ordered Maps. */
function fromYaml(value: unknown): PyValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "number" || typeof value === "bigint") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromYaml);
  if (typeof value === "object") return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromYaml(v)]));
  return String(value);
}

/** The parameters of a file, not yet wrapped. Objects are Maps (key order kept). */
export function readParametersFile(path: string): { kind: ParametersFileKind; parameters: PyValue } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : messageOf(cause);
    throw new SlapError("failure", `Cannot read parameters file ${path}: ${why}`, { cause });
  }
  const kind = parametersFileKind(path);
  try {
    if (kind === "yaml") return { kind, parameters: fromYaml(Bun.YAML.parse(text)) };
    if (kind === "xml") {
      const root = parseXml(text);
      const parameters = pyDict();
      for (const child of root.children) {
        if (child.name !== "parameter") continue;
        const id = child.attributes.id;
        if (id === undefined) throw new Error(`a <parameter> has no id attribute`);
        parameters[id] = child.text === "" ? null : child.text;
      }
      return { kind, parameters };
    }
    return { kind, parameters: loadsJson(text) };
  } catch (cause) {
    throw new SlapError("failure", `Cannot parse parameters file ${path} as ${kind.toUpperCase()}: ${messageOf(cause).replace(/^invalid marshal document: /, "")}`, { cause });
  }
}

/** The dict that goes on the wire: top level as a plain dict, json-in-xml wrapped when asked. */
export function serialiseParameters(parameters: PyValue, serialisation: Serialisation | undefined, path: string): PyDict {
  if (!(parameters instanceof Map) && !isPlainDict(parameters)) {
    throw new SlapError("failure", `Parameters file ${path} must hold an object (a mapping of names to values)`);
  }
  const entries: Array<[string, PyValue]> =
    parameters instanceof Map ? [...parameters].map(([k, v]) => [String(k), v]) : Object.entries(parameters);
  const alreadyWrapped = entries.length === 1 && entries[0][0] === "_";
  if (serialisation === "json-in-xml" && !alreadyWrapped) return pyDict([["_", dumpsJson(parameters, { indent: 2 })]]);
  return pyDict(entries);
}
