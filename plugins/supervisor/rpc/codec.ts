/**
 * XML-RPC values, calls, responses and faults, written the way Python's
 * xmlrpclib writes them (supervisord answers with xmlrpclib.dumps), so a
 * capture of our socket reads like one of supervisord's.
 */
import { elements, escapeXml, parseXml, textOf, XmlError, type XmlElement } from "./xml.ts";

export type RpcValue =
  | string
  | number
  | boolean
  | Date
  | Uint8Array
  | null
  | RpcValue[]
  | { [key: string]: RpcValue };

/** A value XML-RPC cannot carry as an int: it goes as a double. */
const MAXINT = 2 ** 31 - 1;
const MININT = -(2 ** 31);

export class RpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(`<Fault ${faultCode}: ${faultString}>`);
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function encodeValue(value: RpcValue, out: string[]): void {
  if (value === null || value === undefined) {
    out.push("<value><nil/></value>");
  } else if (typeof value === "string") {
    out.push(`<value><string>${escapeXml(value)}</string></value>\n`);
  } else if (typeof value === "boolean") {
    out.push(`<value><boolean>${value ? 1 : 0}</boolean></value>\n`);
  } else if (typeof value === "number") {
    if (Number.isInteger(value) && value <= MAXINT && value >= MININT) out.push(`<value><int>${value}</int></value>\n`);
    else out.push(`<value><double>${Number.isFinite(value) ? pyFloat(value) : value > 0 ? "inf" : "-inf"}</double></value>\n`);
  } else if (value instanceof Date) {
    const d = value;
    out.push(
      `<value><dateTime.iso8601>${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}</dateTime.iso8601></value>\n`,
    );
  } else if (value instanceof Uint8Array) {
    out.push(`<value><base64>\n${Buffer.from(value).toString("base64")}\n</base64></value>\n`);
  } else if (Array.isArray(value)) {
    out.push("<value><array><data>\n");
    for (const item of value) encodeValue(item, out);
    out.push("</data></array></value>\n");
  } else {
    out.push("<value><struct>\n");
    for (const [key, item] of Object.entries(value)) {
      out.push(`<member>\n<name>${escapeXml(key)}</name>\n`);
      encodeValue(item, out);
      out.push("</member>\n");
    }
    out.push("</struct></value>\n");
  }
}

/** Python's repr of a float (1.0, 0.5, 1e+20). */
function pyFloat(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return `${value}.0`;
  return String(value).replace(/e\+?(-?)(\d)$/, (_m, sign: string, d: string) => `e${sign || "+"}0${d}`);
}

export function encodeResponse(value: RpcValue): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"];
  encodeValue(value, out);
  out.push("</param>\n</params>\n</methodResponse>\n");
  return out.join("");
}

export function encodeFault(code: number, text: string): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<fault>\n"];
  encodeValue({ faultCode: code, faultString: text }, out);
  out.push("</fault>\n</methodResponse>\n");
  return out.join("");
}

export function encodeCall(method: string, params: RpcValue[]): string {
  const out = [`<?xml version='1.0'?>\n<methodCall>\n<methodName>${escapeXml(method)}</methodName>\n<params>\n`];
  for (const param of params) {
    out.push("<param>\n");
    encodeValue(param, out);
    out.push("</param>\n");
  }
  out.push("</params>\n</methodCall>\n");
  return out.join("");
}

function decodeValue(element: XmlElement): RpcValue {
  if (element.name !== "value") throw new XmlError(`expected <value>, found <${element.name}>`);
  const kids = element.children.filter((c) => typeof c !== "string") as XmlElement[];
  if (!kids.length) return textOf(element);
  const typed = elements(element)[0];
  if (elements(element).length !== 1) throw new XmlError("a <value> holds one typed element");
  switch (typed.name) {
    case "string":
      return textOf(typed);
    case "int":
    case "i4":
    case "i8": {
      const text = textOf(typed).trim();
      if (!/^[+-]?\d+$/.test(text)) throw new XmlError(`bad integer ${JSON.stringify(text)}`);
      return Number(text);
    }
    case "boolean": {
      const text = textOf(typed).trim();
      if (text !== "0" && text !== "1") throw new XmlError(`bad boolean ${JSON.stringify(text)}`);
      return text === "1";
    }
    case "double": {
      const text = textOf(typed).trim();
      const n = Number(text);
      if (!text || Number.isNaN(n)) throw new XmlError(`bad double ${JSON.stringify(text)}`);
      return n;
    }
    case "nil":
      return null;
    case "dateTime.iso8601": {
      const m = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(textOf(typed).trim());
      if (!m) throw new XmlError("bad dateTime.iso8601");
      return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    }
    case "base64":
      return new Uint8Array(Buffer.from(textOf(typed).replace(/\s+/g, ""), "base64"));
    case "array": {
      const data = elements(typed);
      if (data.length !== 1 || data[0].name !== "data") throw new XmlError("an <array> holds one <data>");
      return elements(data[0]).map(decodeValue);
    }
    case "struct": {
      const out: Record<string, RpcValue> = {};
      for (const member of elements(typed)) {
        if (member.name !== "member") throw new XmlError(`unexpected <${member.name}> in <struct>`);
        const parts = elements(member);
        const name = parts.find((p) => p.name === "name");
        const value = parts.find((p) => p.name === "value");
        if (!name || !value || parts.length !== 2) throw new XmlError("a <member> holds a <name> and a <value>");
        out[textOf(name)] = decodeValue(value);
      }
      return out;
    }
    default:
      throw new XmlError(`unknown value type <${typed.name}>`);
  }
}

export interface RpcCall {
  method: string;
  params: RpcValue[];
}

/** Parse a methodCall; throws XmlError when it is not one. */
export function decodeCall(text: string): RpcCall {
  const root = parseXml(text);
  if (root.name !== "methodCall") throw new XmlError(`expected <methodCall>, found <${root.name}>`);
  let method: string | undefined;
  let params: RpcValue[] = [];
  for (const child of elements(root)) {
    if (child.name === "methodName") method = textOf(child).trim();
    else if (child.name === "params") {
      params = elements(child).map((param) => {
        if (param.name !== "param") throw new XmlError(`unexpected <${param.name}> in <params>`);
        const values = elements(param);
        if (values.length !== 1) throw new XmlError("a <param> holds one <value>");
        return decodeValue(values[0]);
      });
    } else throw new XmlError(`unexpected <${child.name}> in <methodCall>`);
  }
  if (!method) throw new XmlError("no method name");
  return { method, params };
}

/** Parse a methodResponse: the value, or a thrown RpcFault. */
export function decodeResponse(text: string): RpcValue {
  const root = parseXml(text);
  if (root.name !== "methodResponse") throw new XmlError(`expected <methodResponse>, found <${root.name}>`);
  const [body] = elements(root);
  if (!body) throw new XmlError("empty <methodResponse>");
  if (body.name === "fault") {
    const value = decodeValue(elements(body)[0]) as Record<string, RpcValue>;
    throw new RpcFault(Number(value.faultCode), String(value.faultString));
  }
  const params = elements(body);
  const param = params[0] ? elements(params[0])[0] : undefined;
  if (!param) throw new XmlError("no value in <methodResponse>");
  return decodeValue(param);
}
