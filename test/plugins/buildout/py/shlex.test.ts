/** shlex.quote / shlex.split, compared with Python's own. */
import { expect, test } from "bun:test";
import { shellQuote, shellSplit } from "../../../../plugins/buildout/py/shlex.ts";
import { python } from "./python.ts";

const WORDS = ["", "simple", "with space", "it's", 'say "hi"', "$HOME", "a*b", "é", "tab\there", "--opt=v,w:x/y.z@%+-", "back\\slash", "new\nline"];
const LINES = [
  "a b  c",
  "'single quoted' \"double quoted\"",
  'mix"ed"\'quo\'tes',
  '"escaped \\" quote" \\$x',
  "back\\ slash",
  "  leading and trailing  ",
  '"$HOME" \'$HOME\'',
  '"a\\\\b" "a\\nb"',
];

test("shellQuote matches shlex.quote", async () => {
  const expected = await python<string[]>("import json,shlex,sys; print(json.dumps([shlex.quote(w) for w in json.load(sys.stdin)]))", WORDS);
  expect(WORDS.map(shellQuote)).toEqual(expected);
});

test("shellSplit matches shlex.split", async () => {
  const expected = await python<string[][]>("import json,shlex,sys; print(json.dumps([shlex.split(l) for l in json.load(sys.stdin)]))", LINES);
  expect(LINES.map(shellSplit)).toEqual(expected);
});

test("shellSplit refuses an unclosed quote", () => {
  expect(() => shellSplit("echo 'open")).toThrow("No closing quotation");
});
