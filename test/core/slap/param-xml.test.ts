import { describe, expect, test } from "bun:test";
import { dict2xml, xml2dict } from "../../../core/slap/param-xml.ts";
import { pyRepr, pyStr } from "../../../core/slap/python-repr.ts";
import { PyFloat, tuple } from "../../../core/slap/marshal/values.ts";

describe("dict2xml, the master's parameter storage", () => {
  test("writes the reference's layout, sorted, escaped once, raw UTF-8", () => {
    expect(dict2xml({ é: "ü", b: "", a: `x & y <z> "q" 's'` })).toBe(
      `<?xml version='1.0' encoding='utf-8'?>\n<instance>\n  <parameter id="a">x &amp; y &lt;z&gt; "q" 's'</parameter>\n  <parameter id="b"></parameter>\n  <parameter id="é">ü</parameter>\n</instance>\n`,
    );
  });
  test("writes an empty dict as an empty instance", () => {
    expect(dict2xml({})).toBe("<?xml version='1.0' encoding='utf-8'?>\n<instance/>\n");
  });
  test("stores every value as Python str()", () => {
    const xml = dict2xml({ i: 1, t: true, n: null, f: 1.5, l: ["x", 1], d: { k: "v" } });
    expect(xml2dict(xml)).toEqual({ d: "{'k': 'v'}", f: "1.5", i: "1", l: "['x', 1]", n: "None", t: "True" });
  });
  test("escapes a newline in an id and \\r in text", () => {
    expect(dict2xml({ "a\nb": "c\rd" })).toContain(`<parameter id="a&#10;b">c&#13;d</parameter>`);
  });
});

describe("xml2dict", () => {
  test("reads an empty element as None, not ''", () => {
    expect(xml2dict(dict2xml({ b: "" }))).toEqual({ b: null });
  });
  test("joins repeated ids with a space", () => {
    expect(xml2dict(`<instance><parameter id="a">x</parameter><parameter id="a">y</parameter></instance>`)).toEqual({ a: "x y" });
  });
  test("reads nothing from an empty document", () => {
    expect(xml2dict(null)).toEqual({});
    expect(xml2dict("")).toEqual({});
  });
  test("round-trips non-ASCII", () => {
    expect(xml2dict(dict2xml({ greeting: "Привет Мир!" }))).toEqual({ greeting: "Привет Мир!" });
  });
});

describe("Python repr", () => {
  test("quotes like Python", () => {
    expect(pyRepr("http://sr/software.cfg")).toBe("'http://sr/software.cfg'");
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr(`both ' and "`)).toBe(`'both \\' and "'`);
    expect(pyRepr("tab\there\n")).toBe("'tab\\there\\n'");
  });
  test("containers, tuples, floats", () => {
    expect(pyRepr([tuple("a", 1), null, true, new PyFloat(2)])).toBe("[('a', 1), None, True, 2.0]");
    expect(pyRepr(tuple("a"))).toBe("('a',)");
    expect(pyStr("plain")).toBe("plain");
  });
});
