/**
 * xml2dict reads dict2xml's layout in one pass: on every document, and on
 * mutations of it, it answers what reading the element tree answers (the
 * definition below), refusals included.
 */
import { describe, expect, test } from "bun:test";
import type { SlapError } from "../../../core/errors.ts";
import { dict2xml, xml2dict, xml2dictByTree } from "../../../core/slap/param-xml.ts";
import { insertions, prefixesAndDeletions } from "../../helpers/mutations.ts";

/** The element tree's reading; a null document is the empty dict, as for xml2dict. */
const byTree = (xml: string | null) => xml2dictByTree(xml ?? "");

function answer(read: () => Record<string, string | null>): string {
  try {
    const value = read();
    return JSON.stringify([Object.getPrototypeOf(value), Object.entries(value)]);
  } catch (error) {
    return `! ${(error as SlapError).code} ${(error as Error).message}`;
  }
}

function agree(xml: string): void {
  const expected = answer(() => byTree(xml));
  const got = answer(() => xml2dict(xml));
  if (got !== expected) throw new Error(`xml2dict(${JSON.stringify(xml)}) = ${got}, not ${expected}`);
}

const seeds = [
  dict2xml({}),
  dict2xml({ a: "x & y <z>", b: "", "é\n": "ü\r", __proto__: "p", "10": "ten", "2": "two" } as Record<string, string>),
  `<?xml version='1.0' encoding='utf-8'?>\n<instance>\n  <parameter id="a">x</parameter>\n  <parameter id="a">y</parameter>\n  <parameter id="a"></parameter>\n</instance>\n`,
  `<instance><parameter id='q'>1</parameter><other id="z">2</other><parameter>3</parameter></instance>`,
  `\ufeff<?xml version="1.0"?><instance>text<parameter id="k">v<b>w</b>x</parameter></instance>`,
];

describe("xml2dict in one pass", () => {
  test("reads dict2xml's documents as the element tree does", () => {
    for (const seed of seeds) agree(seed);
    expect(xml2dict(seeds[1])).toEqual(byTree(seeds[1]));
  });
  test("every prefix and every one-character deletion", () => {
    prefixesAndDeletions(seeds, agree);
  });
  test("insertions of markup characters everywhere", () => {
    insertions(seeds.slice(1, 3), ["<", ">", "&", "&amp;", "&#0;", '"', " ", "<a/>", "</parameter>", "x"], agree);
  });
});
