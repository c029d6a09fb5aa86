// The software release schema: serialisation lookup and request parameter validation
// with warnings only (format-collect-cli.md §6.1 steps 2-4; the reference's
// test_request_validate_request_parameter*, here with real files and a real HTTP server).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SoftwareReleaseSchema } from "../../../core/client/schema.ts";
import { validateRequestParameters } from "../../../core/client/validate-request.ts";
import { pyDict } from "../../../core/slap/marshal/values.ts";
import { tempDir } from "../../helpers/tmp.ts";

const SOFTWARE_SCHEMA = {
  name: "Test Software",
  serialisation: "json-in-xml",
  "software-type": {
    default: { title: "Default", request: "instance-default-input-schema.json", response: "instance-default-output-schema.json", index: 0 },
  },
};
const INPUT_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema",
  required: ["foo"],
  properties: { foo: { $ref: "./schemas-definitions.json#/foo" } },
  additionalProperties: false,
  type: "object",
};
const DEFINITIONS = { foo: { type: "string", const: "bar" } };

function release(files: Record<string, unknown>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return join(dir, "software.cfg");
}

const complete = release({ "software.cfg.json": SOFTWARE_SCHEMA, "instance-default-input-schema.json": INPUT_SCHEMA, "schemas-definitions.json": DEFINITIONS });

async function warningsOf(url: string, parameters: Record<string, string>, type?: string): Promise<string[]> {
  const warnings: string[] = [];
  const schema = new SoftwareReleaseSchema(url, type, (m) => warnings.push(m));
  await validateRequestParameters(schema, pyDict(Object.entries(parameters)), (m) => warnings.push(m));
  return warnings;
}

describe("validation against a local schema, $ref to a sibling file", () => {
  test("valid parameters give no warning", async () => {
    expect(await warningsOf(complete, { _: '{"foo": "bar"}' })).toEqual([]);
  });
  test("a wrong value warns in jsonschema's words", async () => {
    expect(await warningsOf(complete, { _: '{"foo": "baz"}' })).toEqual([
      "Request parameters do not validate against schema definition:\n  $.foo: 'bar' was expected",
    ]);
  });
  test("missing and unexpected properties are listed in schema order", async () => {
    expect(await warningsOf(complete, { _: '{"fooo": "xxx"}' })).toEqual([
      "Request parameters do not validate against schema definition:\n" +
        "  $: 'foo' is a required property\n" +
        "  $: Additional properties are not allowed ('fooo' was unexpected)",
    ]);
  });
  test("RootSoftwareInstance means default", async () => {
    expect(await warningsOf(complete, { _: '{"foo": "baz"}' }, "RootSoftwareInstance")).toHaveLength(1);
  });
  test("the serialisation is read from the schema", async () => {
    expect(await new SoftwareReleaseSchema(complete, undefined, () => {}).serialisation(true)).toBe("json-in-xml");
  });
});

describe("a missing or broken schema only warns (test_request_validate_request_parameter_broken_software_release_schema)", () => {
  test("no schema: one 'Unable to load JSON' warning, default json-in-xml only when not strict", async () => {
    const url = join(tempDir(), "software.cfg");
    const warnings: string[] = [];
    const schema = new SoftwareReleaseSchema(url, undefined, (m) => warnings.push(m));
    expect(await schema.serialisation(true)).toBeUndefined();
    expect(await schema.serialisation(false)).toBe("json-in-xml");
    expect(warnings).toEqual([
      `Unable to load JSON file:${url}.json (FileNotFoundError: [Errno 2] No such file or directory: '${url}.json')`,
    ]);
  });
  test("a software schema that is not JSON", async () => {
    const url = release({ "software.cfg.json": "wrong" });
    const warnings = await warningsOf(url, { foo: "bar" });
    expect(warnings).toEqual([`Unable to load JSON file:${url}.json (JSONDecodeError: Expecting value: line 1 column 1 (char 0))`]);
  });
  test("a request schema that is not JSON", async () => {
    const url = release({ "software.cfg.json": SOFTWARE_SCHEMA, "instance-default-input-schema.json": "wrong" });
    const warnings = await warningsOf(url, { foo: "bar" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toStartWith("Unable to load JSON file:");
  });
  test("a broken $ref", async () => {
    const url = release({
      "software.cfg.json": SOFTWARE_SCHEMA,
      "instance-default-input-schema.json": { ...INPUT_SCHEMA, properties: { foo: { $ref: "broken" } } },
    });
    const warnings = await warningsOf(url, { _: '{"foo": "bar"}' });
    expect(warnings.at(-1)).toStartWith("Error validating request parameters against schema definition:\nRefResolutionError");
  });
  test("an unknown software type", async () => {
    const warnings = await warningsOf(complete, { foo: "bar" }, "other");
    expect(warnings).toEqual([
      `No schema defined for software type 'other' of software release ${complete} (KeyError: 'other')`,
    ]);
  });
});

describe("schemas over HTTP", () => {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      const files: Record<string, unknown> = {
        "/sr/software.cfg.json": SOFTWARE_SCHEMA,
        "/sr/instance-default-input-schema.json": INPUT_SCHEMA,
        "/sr/schemas-definitions.json": DEFINITIONS,
      };
      return path in files ? Response.json(files[path]) : new Response("no", { status: 404 });
    },
  });
  afterAll(() => server.stop(true));
  const base = `http://127.0.0.1:${server.port}/sr`;

  test("the schema, the request schema and the $ref target are downloaded", async () => {
    expect(await warningsOf(`${base}/software.cfg`, { _: '{"foo": "baz"}' })).toEqual([
      "Request parameters do not validate against schema definition:\n  $.foo: 'bar' was expected",
    ]);
  });
  test("a 404 is a warning naming the URL", async () => {
    const warnings = await warningsOf(`${base}/other.cfg`, { foo: "x" });
    expect(warnings).toEqual([`Unable to load JSON ${base}/other.cfg.json (HTTPError: HTTP Error 404: Not Found)`]);
  });
});
