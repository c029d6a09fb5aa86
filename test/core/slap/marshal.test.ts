import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import { dumps, loads, PyFloat, PyObject, PyTuple, floatRepr, pyDict, tuple } from "../../../core/slap/marshal/index.ts";
import { captureFiles, parseCapture, WIRE_DIR } from "../../helpers/wire.ts";

interface Vector {
  name: string;
  python: string;
  xml: string;
}
const vectors: Vector[] = JSON.parse(readFileSync(join(WIRE_DIR, "marshal-vectors.json"), "utf8"));

describe("marshal vectors of the reference", () => {
  for (const vector of vectors) {
    test(`round-trips: ${vector.name}`, () => {
      expect(dumps(loads(vector.xml))).toBe(vector.xml);
    });
  }
});

describe("encoding values as the reference does", () => {
  test("escapes strings twice and quotes nothing", () => {
    expect(dumps("x & <y> \"q\" 'a'")).toBe(`<marshal><string>x &amp;amp; &amp;lt;y&amp;gt; "q" 'a'</string></marshal>`);
  });
  test("writes non-ASCII as decimal references, astral planes as one reference", () => {
    expect(dumps("é 😀")).toBe("<marshal><string>&#233; &#128512;</string></marshal>");
  });
  test("writes \\r as a reference and keeps \\n and \\t", () => {
    expect(dumps("a\tb\nc\rd")).toBe("<marshal><string>a\tb\nc&#13;d</string></marshal>");
  });
  test("sorts keys by code point, upper case first", () => {
    expect(dumps({ b: 1, a: 2, C: 3, _x: 4, é: 5 })).toBe(vectors.find((v) => v.name === "dict sorted keys")!.xml);
  });
  test("sorts an astral key after a BMP private-use key (code points, not UTF-16 units)", () => {
    expect(dumps({ "😀": 1, "\ue000": 2 })).toBe(
      '<marshal><dictionary id="i2"><string>&#57344;</string><int>2</int><string>&#128512;</string><int>1</int></dictionary></marshal>',
    );
  });
  test("numbers containers depth-first from i2 and skips tuples", () => {
    expect(dumps({ d: { k: ["v"] }, ip_list: [tuple("slappart0", "::1")] })).toBe(
      '<marshal><dictionary id="i2"><string>d</string><dictionary id="i3"><string>k</string><list id="i4"><string>v</string></list></dictionary><string>ip_list</string><list id="i5"><tuple><string>slappart0</string><string>::1</string></tuple></list></dictionary></marshal>',
    );
  });
  test("writes the same container twice as a reference", () => {
    const shared = ["shared"];
    expect(dumps({ a: shared, b: shared })).toBe(vectors.find((v) => v.name === "same list twice")!.xml);
  });
  test("writes ints beyond 10^24 as long", () => {
    expect(dumps(10n ** 30n)).toBe("<marshal><long>1000000000000000000000000000000</long></marshal>");
    expect(dumps(1180591620717411303424n)).toBe("<marshal><int>1180591620717411303424</int></marshal>");
  });
  test("keeps 1.0 a float with PyFloat", () => {
    expect(dumps(new PyFloat(1700000000))).toBe("<marshal><float>1700000000.0</float></marshal>");
    expect(dumps(1.5)).toBe("<marshal><float>1.5</float></marshal>");
  });
  test("writes an object with its args tuple and state", () => {
    const object = new PyObject("slapos.slap.slap", "SoftwareInstance", new PyTuple(), pyDict([["a", "b"]]));
    expect(dumps(object)).toBe(
      '<marshal><object id="i2" module="slapos.slap.slap" class="SoftwareInstance"><tuple/><dictionary id="i3"><string>a</string><string>b</string></dictionary></object></marshal>',
    );
  });
  test("refuses a string XML cannot carry", () => {
    expect(() => dumps("bell\u0007")).toThrow(SlapError);
  });
});

describe("Python float repr", () => {
  const cases: Array<[number, string]> = [
    [1.5, "1.5"],
    [0.1, "0.1"],
    [1e16, "1e+16"],
    [1.5e16, "1.5e+16"],
    [1234567890123456, "1234567890123456.0"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [1795303158.7235878, "1795303158.7235878"],
    [-2.5e-7, "-2.5e-07"],
    [1e22, "1e+22"],
    [123.0, "123.0"],
  ];
  for (const [value, repr] of cases) test(`${value} → ${repr}`, () => expect(floatRepr(value)).toBe(repr));
});

describe("decoding", () => {
  test("applies the second unescape", () => {
    expect(loads("<marshal><string>a&amp;amp;b &amp;lt;c&amp;gt;</string></marshal>")).toBe("a&b <c>");
    expect(loads("<marshal><string>a&amp;b</string></marshal>")).toBe("a&b");
  });
  test("accepts a declaration, whitespace and the namespaced variant", () => {
    const doc = `<?xml version="1.0"?>\n<marshal:marshal xmlns:marshal="http://www.erp5.org/namespaces/marshaller">\n  <marshal:list id="i2">\n    <marshal:int>1</marshal:int>\n  </marshal:list>\n</marshal:marshal>`;
    expect(loads(doc)).toEqual([1]);
  });
  test("resolves references to the container already built", () => {
    const value = loads(vectors.find((v) => v.name === "same list twice")!.xml) as Record<string, unknown>;
    expect(value.a).toBe(value.b);
  });
  test("gives a dict with int keys as a Map", () => {
    const value = loads(vectors.find((v) => v.name === "dict with int keys")!.xml);
    expect(value).toBeInstanceOf(Map);
    expect((value as Map<unknown, unknown>).get(1)).toBe("one");
  });
  test("keeps a dict key named __proto__ an ordinary key", () => {
    const value = loads('<marshal><dictionary id="i2"><string>__proto__</string><string>x</string></dictionary></marshal>');
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
  });
});

describe("bad input is refused with a typed error", () => {
  const refused: Array<[string, string]> = [
    ["malformed", "<marshal><string>x</strin></marshal>"],
    ["unknown element", "<marshal><script>x</script></marshal>"],
    ["truncated", '<marshal><dictionary id="i2"><string>a</string>'],
    ["entity declaration", '<!DOCTYPE marshal [<!ENTITY x "y">]><marshal><string>&x;</string></marshal>'],
    ["undefined entity", "<marshal><string>&x;</string></marshal>"],
    ["odd dictionary", '<marshal><dictionary id="i2"><string>a</string></dictionary></marshal>'],
    ["foreign object", '<marshal><object id="i2" module="os" class="system"><tuple/><dictionary id="i3"/></object></marshal>'],
    ["two values", "<marshal><none/><none/></marshal>"],
    ["bad int", "<marshal><int>12a</int></marshal>"],
    ["dangling reference", '<marshal><reference id="i9"/></marshal>'],
    ["text in container", '<marshal><list id="i2">junk<none/></list></marshal>'],
    ["comment", "<marshal><!-- x --><none/></marshal>"],
    ["not marshal", "<html><none/></html>"],
    ["empty", ""],
  ];
  for (const [name, doc] of refused) {
    test(name, () => {
      expect(() => loads(doc)).toThrow(SlapError);
      try {
        loads(doc);
      } catch (error) {
        expect((error as SlapError).code).toBe("marshal");
      }
    });
  }
  test("over the size limit", () => {
    expect(() => loads(`<marshal><string>${"x".repeat(2000)}</string></marshal>`, { maxBytes: 1000 })).toThrow(/limit/);
  });
  test("nested too deep", () => {
    const doc = `<marshal>${'<list id="i2">'.repeat(1000)}${"</list>".repeat(1000)}</marshal>`;
    expect(() => loads(doc)).toThrow(/deeper/);
  });
});

describe("every marshal body of the reference's wire captures round-trips", () => {
  for (const file of captureFiles()) {
    const capture = parseCapture(join(WIRE_DIR, file));
    const bodies: Array<[string, string]> = [];
    if (capture.responseBody.startsWith("<marshal")) bodies.push(["response", capture.responseBody]);
    for (const [key, value] of capture.form) if (value.startsWith("<marshal")) bodies.push([`form ${key}`, value]);
    for (const [where, body] of bodies) {
      test(`${file} ${where}`, () => expect(dumps(loads(body))).toBe(body));
    }
  }
});
