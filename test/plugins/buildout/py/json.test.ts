/** json.dumps / pprint.pformat of the native Python values, compared with Python's. */
import { expect, test } from "bun:test";
import { jsonDumps, jsonLoads } from "../../../../plugins/buildout/py/json.ts";
import { pformat } from "../../../../plugins/buildout/py/pformat.ts";
import { python } from "./python.ts";

const DOCS = [
  '{"b": 1, "a": [1, 2.5, null, true, false], "é": "ünïcode ☃", "ctl": "\\u0001\\t\\n\\"\\\\", "nested": {"z": {}, "y": []}}',
  '[1.0, 1e-07, 1234567890123, -0.0, 3.141592653589793]',
  '"just a string with \\u007f and \\ud83d\\ude00"',
  '{"long": ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccc", "dddddddddddddddddddddd"], "k": "v"}',
  '{"text": "a very long string that will certainly not fit on one line of eighty characters, so pprint wraps it", "n": 1}',
];

test("json.dumps: default, sort_keys, indent, no ensure_ascii", async () => {
  const expected = await python<string[][]>(
    "import json,sys; print(json.dumps([[json.dumps(v), json.dumps(v, sort_keys=True), json.dumps(v, indent=2), json.dumps(v, ensure_ascii=False)] for v in map(json.loads, json.load(sys.stdin))]))",
    DOCS,
  );
  const got = DOCS.map((d) => {
    const v = jsonLoads(d);
    return [jsonDumps(v), jsonDumps(v, { sortKeys: true }), jsonDumps(v, { indent: 2 }), jsonDumps(v, { ensureAscii: false })];
  });
  expect(got).toEqual(expected);
});

test("pprint.pformat with indent 1 and 2", async () => {
  const expected = await python<string[][]>(
    "import json,sys,pprint; print(json.dumps([[pprint.pformat(v), pprint.pformat(v, indent=2)] for v in map(json.loads, json.load(sys.stdin))]))",
    DOCS,
  );
  expect(DOCS.map((d) => [pformat(jsonLoads(d)), pformat(jsonLoads(d), 2)])).toEqual(expected);
});

test("json.loads refuses trailing data", () => {
  expect(() => jsonLoads('{"a": 1} x')).toThrow("Extra data");
});
