// The Python behaviours the client commands reproduce, against outputs computed by
// CPython itself (python-cases.py beside this file wrote python-cases.json).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateAgainstSchema } from "../../../core/client/json-schema.ts";
import { pformat } from "../../../core/client/pprint.ts";
import { dumpsJson, loadsJson } from "../../../core/slap/python-json.ts";

const cases = JSON.parse(readFileSync(join(import.meta.dir, "python-cases.json"), "utf8")) as {
  pprint: Array<{ json: string; pformat: string }>;
  dumps: Array<{ json: string; indent2: string; indent2_sorted: string; compact: string }>;
  loadErrors: Array<{ json: string; error: string | null }>;
  schema: Array<{ name: string; schema: string; instance: string; errors: string[] }>;
};

describe("pprint.pformat", () => {
  for (const [i, c] of cases.pprint.entries()) {
    test(`case ${i}: ${c.json.slice(0, 40)}`, () => {
      expect(pformat(loadsJson(c.json))).toBe(c.pformat);
    });
  }
});

describe("json.dumps of what json.loads read (order, floats, big ints, ensure_ascii)", () => {
  for (const [i, c] of cases.dumps.entries()) {
    test(`case ${i}: ${c.json.slice(0, 40)}`, () => {
      const value = loadsJson(c.json);
      expect(dumpsJson(value, { indent: 2 })).toBe(c.indent2);
      expect(dumpsJson(value, { indent: 2, sortKeys: true })).toBe(c.indent2_sorted);
      expect(dumpsJson(value)).toBe(c.compact);
    });
  }
});

describe("json.loads refuses what Python refuses, with Python's message", () => {
  for (const c of cases.loadErrors) {
    test(JSON.stringify(c.json), () => {
      expect(() => loadsJson(c.json)).toThrow(c.error!);
    });
  }
});

describe("jsonschema messages and paths", () => {
  for (const [i, c] of cases.schema.entries()) {
    test(`${c.name} #${i}: ${c.instance.slice(0, 50)}`, async () => {
      const errors = await validateAgainstSchema(loadsJson(c.instance), loadsJson(c.schema), "file:///schema.json", async () => undefined);
      expect(errors.map((e) => `${e.path}: ${e.message}`)).toEqual(c.errors);
    });
  }
});
