// --node/--parameters words, --parameters-file loaders and json-in-xml wrapping
// (format-collect-cli.md §6.1, §8 checks 43-45).
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseOptionDict } from "../../../core/client/option-dict.ts";
import { readParametersFile, serialiseParameters } from "../../../core/client/parameters-file.ts";
import { dumpsJson } from "../../../core/slap/python-json.ts";
import { dumps, type PyValue } from "../../../core/slap/marshal/index.ts";
import { tempDir } from "../../helpers/tmp.ts";

const dir = tempDir();
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const plain = (value: unknown) => JSON.parse(JSON.stringify(value));

describe("key=value words (TestCliRequest.test_parse_option_dict)", () => {
  test("pairs become a dict", () => {
    expect(plain(parseOptionDict(["foo=bar", "a=b"], "--parameters"))).toEqual({ foo: "bar", a: "b" });
  });
  test("split at the first '=' only", () => {
    expect(plain(parseOptionDict(["a=a=b"], "--node"))).toEqual({ a: "a=b" });
  });
  test("a newline stays in the value", () => {
    expect(plain(parseOptionDict(["a=a\nb"], "--node"))).toEqual({ a: "a\nb" });
  });
  test("nothing given is an empty dict", () => {
    expect(plain(parseOptionDict([], "--node"))).toEqual({});
    expect(plain(parseOptionDict(undefined, "--node"))).toEqual({});
  });
  test("a word without '=' is an error naming the option and the word", () => {
    expect(() => parseOptionDict(["a"], "--parameters")).toThrow("--parameters: 'a' is not of the form key=value");
  });
  test("a repeated key is an error naming the key", () => {
    expect(() => parseOptionDict(["a=b", "a=c"], "--node")).toThrow("multiple values provided for the same key 'a'");
  });
});

const JSON_FILE = '{\n  "foo": ["bar"]\n}\n';

describe("parameters files (TestCliRequestParametersFile*)", () => {
  test("JSON, xml serialisation: sent as the dict it is", () => {
    const path = file("p.json", JSON_FILE);
    const wire = serialiseParameters(readParametersFile(path).parameters, "xml", path);
    expect(dumps(wire)).toBe(dumps({ foo: ["bar"] }));
  });

  test("JSON, json-in-xml: wrapped as {'_': json.dumps(params, indent=2)}", () => {
    const path = file("p2.json", JSON_FILE);
    const wire = serialiseParameters(readParametersFile(path).parameters, "json-in-xml", path);
    expect(Object.keys(wire)).toEqual(["_"]);
    expect(wire._).toBe('{\n  "foo": [\n    "bar"\n  ]\n}');
  });

  test("JSON already serialised as {'_': ...} is not wrapped twice", () => {
    const path = file("p3.json", '{"_": "{\\"foo\\": [\\"bar\\"]}"}');
    const wire = serialiseParameters(readParametersFile(path).parameters, "json-in-xml", path);
    expect(wire._).toBe('{"foo": ["bar"]}');
  });

  test("a file with no known extension is read as JSON", () => {
    expect(readParametersFile(file("params", JSON_FILE)).kind).toBe("json");
  });

  test("YAML (.yaml and .yml) behaves like JSON", () => {
    for (const name of ["p.yaml", "p.yml"]) {
      const path = file(name, "foo:\n- bar\n");
      const { kind, parameters } = readParametersFile(path);
      expect(kind).toBe("yaml");
      expect(serialiseParameters(parameters, "json-in-xml", path)._).toBe('{\n  "foo": [\n    "bar"\n  ]\n}');
    }
  });

  test("XML parameters are taken as they are", () => {
    const path = file("p.xml", '<?xml version="1.0" encoding="utf-8"?>\n<instance>\n    <parameter id="foo">bar</parameter>\n    <parameter id="empty"></parameter>\n</instance>\n');
    const { kind, parameters } = readParametersFile(path);
    expect(kind).toBe("xml");
    expect(plain(serialiseParameters(parameters, undefined, path))).toEqual({ foo: "bar", empty: null });
  });

  test("JSON keeps key order, floats and big integers as Python reads them", () => {
    const path = file("order.json", '{"b": 1.0, "10": 2, "a": 12345678901234567890}');
    const wire = serialiseParameters(readParametersFile(path).parameters, "json-in-xml", path);
    expect(wire._).toBe('{\n  "b": 1.0,\n  "10": 2,\n  "a": 12345678901234567890\n}');
    const raw = serialiseParameters(readParametersFile(path).parameters, "xml", path);
    expect(dumps(raw)).toContain("<float>1.0</float>");
  });

  test("a missing file is a one-line error naming it", () => {
    const path = join(dir, "nope.json");
    expect(() => readParametersFile(path)).toThrow(`Cannot read parameters file ${path}: no such file`);
  });

  test("malformed JSON is a one-line error naming the file and where", () => {
    const path = file("bad.json", '{"a": 1,}');
    expect(() => readParametersFile(path)).toThrow(
      `Cannot parse parameters file ${path} as JSON: Expecting property name enclosed in double quotes: line 1 column 9 (char 8)`,
    );
  });

  test("malformed YAML and XML name the file too", () => {
    const yaml = file("bad.yaml", "a: [1, 2\n");
    expect(() => readParametersFile(yaml)).toThrow(`Cannot parse parameters file ${yaml} as YAML`);
    const xml = file("bad.xml", "<instance><parameter id='a'>x</instance>");
    expect(() => readParametersFile(xml)).toThrow(`Cannot parse parameters file ${xml} as XML`);
  });

  test("a file that is not a mapping is refused", () => {
    const path = file("list.json", "[1, 2]");
    expect(() => serialiseParameters(readParametersFile(path).parameters, "xml", path)).toThrow("must hold an object");
  });
});

test("dumpsJson writes Python's indent=2 layout", () => {
  expect(dumpsJson(new Map<string, PyValue>([["a", []], ["b", new Map()]]), { indent: 2 })).toBe('{\n  "a": [],\n  "b": {}\n}');
});
