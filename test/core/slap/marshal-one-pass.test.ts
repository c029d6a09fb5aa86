/**
 * The one-pass marshal reader against the tree reader, which defines what
 * `loads` accepts: on every document the one-pass reader reads, both give
 * the same value (same classes, same key order, same shared containers);
 * on everything else `loads` answers exactly what the tree reader answers.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { loads, loadsByTree } from "../../../core/slap/marshal/decode.ts";
import { dumps } from "../../../core/slap/marshal/encode.ts";
import { readOnePass } from "../../../core/slap/marshal/one-pass.ts";
import { secondUnescape } from "../../../core/slap/marshal/scalars.ts";
import { decodeEntities } from "../../../core/slap/marshal/xml-reader.ts";
import { PyComplex, PyFloat, PyObject, PyTuple, isPlainDict, type PyValue } from "../../../core/slap/marshal/values.ts";
import { document as computerDocument } from "../../bench/wire/computer-document.ts";
import { captureFiles, parseCapture, WIRE_DIR } from "../../helpers/wire.ts";
import { insertions, prefixesAndDeletions, seededRandom } from "../../helpers/mutations.ts";

/** Structural sameness, strict about classes, key order, -0 and NaN; cycles must match too. */
function same(a: PyValue, b: PyValue, pairs = new Map<object, object>()): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a === "number") return Object.is(a, b);
  if (a === null || typeof a !== "object") return a === b;
  const other = b as object;
  if (pairs.has(a)) return pairs.get(a) === other;
  pairs.set(a, other);
  const same = (x: PyValue, y: PyValue) => sameIn(x, y, pairs);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(other)) return false;
  if (a instanceof PyFloat) return Object.is(a.value, (other as PyFloat).value);
  if (a instanceof PyComplex) return Object.is(a.real, (other as PyComplex).real) && Object.is(a.imag, (other as PyComplex).imag);
  if (a instanceof PyObject) {
    const o = other as PyObject;
    return a.module === o.module && a.className === o.className && same(a.args, o.args) && same(a.state, o.state);
  }
  if (Array.isArray(a)) {
    const o = other as PyValue[];
    return a.length === o.length && a.every((item, i) => same(item, o[i]));
  }
  if (a instanceof Set || a instanceof Map) {
    const x = [...a.entries()];
    const y = [...(other as Set<PyValue> | Map<PyValue, PyValue>).entries()];
    return x.length === y.length && x.every(([k, v], i) => same(k, y[i][0]) && same(v, y[i][1]));
  }
  if (isPlainDict(a)) {
    const x = Object.keys(a);
    const y = Object.keys(other);
    return x.length === y.length && x.every((k, i) => k === y[i] && same(a[k], (other as Record<string, PyValue>)[k]));
  }
  return false;
}

function sameIn(a: PyValue, b: PyValue, pairs: Map<object, object>): boolean {
  return same(a, b, pairs);
}

type Outcome = { value: PyValue } | { error: string };

function outcome(read: () => PyValue): Outcome {
  try {
    return { value: read() };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
}

function dumped(value: PyValue): string {
  try {
    return dumps(value);
  } catch (error) {
    return `! ${(error as Error).message}`;
  }
}

/** The one-pass reader never answers what the tree reader would not, and `loads` is the tree reader's answer. */
function agree(text: string): void {
  const tree = outcome(() => loadsByTree(text));
  const fast = outcome(() => readOnePass(text));
  const whole = outcome(() => loads(text));
  if ("value" in fast) {
    if (!("value" in tree)) throw new Error(`one-pass read what the tree reader refuses (${tree.error}): ${JSON.stringify(text)}`);
    if (!same(fast.value, tree.value) || dumped(fast.value) !== dumped(tree.value)) {
      throw new Error(`one-pass and tree readers differ on ${JSON.stringify(text)}`);
    }
  }
  if ("value" in tree) {
    if (!("value" in whole) || !same(whole.value, tree.value)) throw new Error(`loads differs from the tree reader on ${JSON.stringify(text)}`);
  } else if (!("error" in whole) || whole.error !== tree.error) {
    throw new Error(`loads refuses ${JSON.stringify(text)} otherwise than the tree reader: ${JSON.stringify(whole)} vs ${tree.error}`);
  }
}

const vectors: Array<{ name: string; xml: string }> = JSON.parse(readFileSync(join(WIRE_DIR, "marshal-vectors.json"), "utf8"));
const captured: string[] = [];
for (const file of captureFiles()) {
  const capture = parseCapture(join(WIRE_DIR, file));
  if (capture.responseBody.startsWith("<marshal")) captured.push(capture.responseBody);
  for (const [, value] of capture.form) if (value.startsWith("<marshal")) captured.push(value);
}

const special: Array<[string, string]> = [
  ["namespaced", `<?xml version="1.0"?>\n<marshal:marshal xmlns:marshal="http://www.erp5.org/namespaces/marshaller">\n  <marshal:list id="i2">\n    <marshal:int>1</marshal:int>\n  </marshal:list>\n</marshal:marshal>`],
  ["byte order mark", "\ufeff<marshal><none/></marshal>"],
  ["references", '<marshal><dictionary id="i2"><string>a</string><list id="i3"><string>x</string></list><string>b</string><reference id="i3"/></dictionary></marshal>'],
  ["self reference in a list", '<marshal><list id="i2"><reference id="i2"/></list></marshal>'],
  ["self reference in a dict", '<marshal><dictionary id="i2"><string>a</string><reference id="i2"/></dictionary></marshal>'],
  ["id with a leading zero", '<marshal><list id="i02"><string>x</string></list></marshal>'],
  ["reference through an entity", '<marshal><dictionary id="i5"><string>a</string><list id="i&#50;"/><string>b</string><reference id="i2"/></dictionary></marshal>'],
  ["non-string keys", '<marshal><dictionary id="i2"><string>b</string><int>1</int><int>1</int><string>one</string><string>b</string><int>2</int></dictionary></marshal>'],
  ["integer-like keys", '<marshal><dictionary id="i2"><string>b</string><int>1</int><string>10</string><int>2</int><string>2</string><int>3</int></dictionary></marshal>'],
  ["duplicate keys", '<marshal><dictionary id="i2"><string>a</string><int>1</int><string>b</string><int>2</int><string>a</string><int>3</int></dictionary></marshal>'],
  ["__proto__ key", '<marshal><dictionary id="i2"><string>__proto__</string><string>x</string></dictionary></marshal>'],
  ["negative zero", "<marshal><int>-0</int></marshal>"],
  ["int with spaces", "<marshal><int> 42 </int></marshal>"],
  ["plus sign", "<marshal><int>+42</int></marshal>"],
  ["big int", "<marshal><int>123456789012345678901234567890</int></marshal>"],
  ["16 digits", "<marshal><long>9007199254740993</long></marshal>"],
  ["float", "<marshal><float>1795303158.7235878</float></marshal>"],
  ["float nan", "<marshal><float>nan</float></marshal>"],
  ["complex", "<marshal><complex>1.5 -2.0</complex></marshal>"],
  ["bool", '<marshal><tuple><bool>1</bool><bool>0</bool><bool>2</bool></tuple></marshal>'],
  ["set and frozenset", '<marshal><tuple><set id="i2"><int>1</int></set><frozenset id="i3"/></tuple></marshal>'],
  ["none with text", "<marshal><none>junk</none></marshal>"],
  ["none with a bad entity", "<marshal><none>&bad;</none></marshal>"],
  ["unicode tag", "<marshal><unicode>&#233;</unicode></marshal>"],
  ["twice escaped", "<marshal><string>a &amp;amp; b &amp;lt;c&amp;gt; &amp;amp;lt; &#38;lt;</string></marshal>"],
  ["hex reference", "<marshal><string>&#xE9;&#X41;</string></marshal>"],
  ["quote entities", "<marshal><string>&quot;&apos;</string></marshal>"],
  ["attribute in single quotes", "<marshal><list id='i2'/></marshal>"],
  ["spaces around =", '<marshal><list id = "i2" /></marshal>'],
  ["unicode space in a tag", '<marshal><list\u00a0id="i2"/></marshal>'],
  ["closing tag with spaces", "<marshal><string>x</ string ></marshal>"],
  ["object with a float state", '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple/><float>1</float></object></marshal>'],
  ["object without state", '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple><string>C</string></tuple></object></marshal>'],
  ["object with a list state", '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple/><list id="i3"/></object></marshal>'],
  ["object with args not a tuple", '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><list id="i3"/></object></marshal>'],
  ["object with three children", '<marshal><object id="i2" module="slapos.slap.slap" class="Computer"><tuple/><dictionary id="i3"/><none/></object></marshal>'],
  ["object module through an entity", '<marshal><object id="i2" module="slapos.slap.sla&#112;" class="Computer"><tuple/></object></marshal>'],
  ["bad entity in another attribute", '<marshal xmlns:m="a&b"><none/></marshal>'],
  ["text around a value", "<marshal> <none/> </marshal>"],
  ["reference entity in container text", '<marshal><list id="i2">&#32;<none/></list></marshal>'],
  ["nbsp in container text", '<marshal><list id="i2">&#160;<none/></list></marshal>'],
  ["CDATA", "<marshal><string><![CDATA[x]]></string></marshal>"],
  ["deep but allowed", `<marshal>${'<list id="i2">'.repeat(255)}${"</list>".repeat(255)}</marshal>`],
  ["one too deep", `<marshal>${'<list id="i2">'.repeat(256)}${"</list>".repeat(256)}</marshal>`],
  ["tuple too deep", `<marshal>${"<tuple>".repeat(256)}<none/>${"</tuple>".repeat(256)}</marshal>`],
  ["key too deep", `<marshal>${'<list id="i2">'.repeat(254)}<dictionary id="i3"><string>k</string><none/></dictionary>${"</list>".repeat(254)}</marshal>`],
  ["key one too deep", `<marshal>${'<list id="i2">'.repeat(255)}<dictionary id="i3"><string>k</string><none/></dictionary>${"</list>".repeat(255)}</marshal>`],
];

describe("the one-pass reader reads what we and the reference write", () => {
  test("every vector of the reference", () => {
    for (const vector of vectors) expect(same(readOnePass(vector.xml), loadsByTree(vector.xml))).toBe(true);
  });
  test("every marshal body of the wire captures", () => {
    for (const body of captured) expect(same(readOnePass(body), loadsByTree(body))).toBe(true);
  });
  test("a 20-partition computer document", () => {
    const xml = dumps(computerDocument);
    expect(dumps(readOnePass(xml))).toBe(xml);
    expect(same(readOnePass(xml), loadsByTree(xml))).toBe(true);
  });
});

describe("loads answers what the tree reader answers", () => {
  for (const [name, text] of special) test(name, () => agree(text));
  for (const vector of vectors) test(`vector ${vector.name}`, () => agree(vector.xml));
});

describe("mutated documents", () => {
  const seeds = [
    ...vectors.map((v) => v.xml),
    '<marshal><dictionary id="i2"><string>a&amp;amp;b</string><list id="i3"><tuple><string>x</string><int>-12</int></tuple></list><string>r</string><reference id="i3"/></dictionary></marshal>',
    '<marshal><object id="i2" module="slapos.slap.slap" class="SoftwareInstance"><tuple/><dictionary id="i3"><string>k</string><float>1.5</float></dictionary></object></marshal>',
  ];
  test("every prefix and every one-character deletion", () => {
    prefixesAndDeletions(seeds, agree);
  });
  test("insertions of markup characters everywhere", () => {
    const inserts = ["<", ">", "&", "/", '"', " ", "\u00a0", "<a>", "</a>", "&#38;", "&amp;", "<!-- -->", "x"];
    insertions(seeds.slice(-4), inserts, agree);
  });
  test("random replacements (seeded)", () => {
    const random = seededRandom(42);
    const alphabet = '<>/&;#"\'= \n\tix0123456789abcdefgilmnorstuy:-_.\u00a0';
    for (let round = 0; round < 4000; round++) {
      const seed = seeds[Math.floor(random() * seeds.length)];
      const chars = [...seed];
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) chars[Math.floor(random() * chars.length)] = alphabet[Math.floor(random() * alphabet.length)];
      agree(chars.join(""));
    }
  });
});

describe("the text decoders", () => {
  test("second unescape is the three replacements in turn", () => {
    const sequential = (text: string) => text.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    const random = seededRandom(7);
    const pieces = ["&", "amp;", "lt;", "gt;", "&amp;", "&lt;", "&gt;", "a", ";", "l", "t", "g"];
    for (let i = 0; i < 5000; i++) {
      let text = "";
      for (let n = Math.floor(random() * 8); n > 0; n--) text += pieces[Math.floor(random() * pieces.length)];
      expect(secondUnescape(text)).toBe(sequential(text));
    }
  });
  test("references are decoded as the XML rule has them, and the bad ones refused", () => {
    expect(decodeEntities("a&amp;b&lt;&gt;&quot;&apos;&#233;&#x1F600;")).toBe(`a&b<>"'é😀`);
    for (const bad of ["&", "a & b", "&#x;", "&#12a;", "&#X41;", "&a1;", "&nbsp;", "&#0;", "&#1114112;", "&amp"]) {
      expect(() => decodeEntities(bad)).toThrow();
    }
  });
});
