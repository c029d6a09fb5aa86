/** Python's str rules the engine and the templates share (lang/pystr.ts), checked against Python itself. */
import { expect, test } from "bun:test";
import { parse } from "../../../../plugins/buildout/lang/parser.ts";
import { isSpace, pyRepr, splitWords, strip } from "../../../../plugins/buildout/lang/pystr.ts";
import { python } from "../py/python.ts";

const SAMPLES = ["plain", "it's", 'say "hi"', `both ' "`, "tab\tnl\n\r", "\\", "\x00\x1b\x7f", "\x85\xa0\u2028\u200b\ufeff", "é ü", "\u{1f600}", "\u3000x\u1680"];

test("pyRepr is Python's repr() of a str", async () => {
  expect(SAMPLES.map(pyRepr)).toEqual(await python<string[]>("import json, sys\ndata = json.load(sys.stdin)\nprint(json.dumps([repr(s) for s in data]))", SAMPLES));
});

test("whitespace is Python's: strip, split and isspace", async () => {
  const chars = Array.from({ length: 0x3001 }, (_, i) => String.fromCharCode(i)).filter((c) => c < "\ud800" || c > "\udfff");
  const spaces = chars.filter(isSpace).map((c) => c.charCodeAt(0));
  expect(spaces).toEqual(await python<number[]>("import json, sys\ndata = json.load(sys.stdin)\nprint(json.dumps([ord(c) for c in data if c.isspace()]))", chars));
  expect(SAMPLES.map((s) => [strip(s), splitWords(s)])).toEqual(await python<string[][]>("import json, sys\ndata = json.load(sys.stdin)\nprint(json.dumps([[s.strip(), s.split()] for s in data]))", SAMPLES));
});

test("a parsing error quotes the line as Python does", () => {
  expect(() => parse("[s]\nkey\xa0: v\x85\n", "bad.cfg")).toThrow("File contains parsing errors: bad.cfg\n\t[line  2]: 'key\\xa0: v\\x85\\n'");
});
