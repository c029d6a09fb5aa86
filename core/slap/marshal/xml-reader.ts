/**
 * A small, strict XML reader for marshal documents: elements, attributes,
 * text and character references only. A DOCTYPE (and so any entity
 * declaration), comments, CDATA, processing instructions other than the
 * leading declaration, undefined entities and truncated input are refused —
 * there is no entity expansion, ever.
 */
import { SlapError } from "../../errors.ts";

export interface XmlElement {
  /** Local name: the `marshal:` prefix of the namespaced variant is dropped. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text content (entities decoded once), for leaf elements. */
  text: string;
}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("[^"<]*"|'[^'<]*')/y;

function refuse(message: string): never {
  throw new SlapError("marshal", `invalid marshal document: ${message}`);
}

/** Decode `&amp;`-style and numeric references, once. */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);|&/g, (whole, ref: string | undefined) => {
    if (ref === undefined) refuse("a bare '&' in text");
    if (ref[0] === "#") {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!Number.isFinite(code) || code > 0x10ffff || (code < 32 && code !== 9 && code !== 10 && code !== 13)) {
        refuse(`character reference ${whole} is not allowed`);
      }
      return String.fromCodePoint(code);
    }
    switch (ref) {
      case "amp":
        return "&";
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "quot":
        return '"';
      case "apos":
        return "'";
      default:
        return refuse(`undefined entity ${whole}`);
    }
  });
}

export function parseXml(source: string, maxDepth = 256): XmlElement {
  let at = 0;
  const length = source.length;

  const skipSpace = () => {
    while (at < length) {
      const c = source.charCodeAt(at);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      at++;
    }
  };

  if (source.charCodeAt(0) === 0xfeff) at = 1;
  skipSpace();
  if (source.startsWith("<?xml", at)) {
    const end = source.indexOf("?>", at);
    if (end < 0) refuse("unterminated XML declaration");
    at = end + 2;
  }
  skipSpace();

  const element = (depth: number): XmlElement => {
    if (depth > maxDepth) refuse(`nested deeper than ${maxDepth} levels`);
    if (source.charCodeAt(at) !== 60) refuse(at >= length ? "unexpected end of document" : `expected '<' at offset ${at}`);
    if (source.startsWith("<!DOCTYPE", at) || source.startsWith("<!ENTITY", at)) {
      refuse("DOCTYPE and entity declarations are not allowed");
    }
    if (source.startsWith("<!", at) || source.startsWith("<?", at)) refuse(`unexpected markup at offset ${at}`);
    at++;
    NAME.lastIndex = at;
    const match = NAME.exec(source);
    if (!match) refuse(`bad element name at offset ${at}`);
    const qualified = match[0];
    at = NAME.lastIndex;
    const attributes: Record<string, string> = Object.create(null);
    for (;;) {
      ATTRIBUTE.lastIndex = at;
      const attribute = ATTRIBUTE.exec(source);
      if (!attribute) break;
      attributes[attribute[1]] = decodeEntities(attribute[2].slice(1, -1));
      at = ATTRIBUTE.lastIndex;
    }
    skipSpace();
    const colon = qualified.indexOf(":");
    const name = colon >= 0 ? qualified.slice(colon + 1) : qualified;
    const node: XmlElement = { name, attributes, children: [], text: "" };
    if (source.startsWith("/>", at)) {
      at += 2;
      return node;
    }
    if (source.charCodeAt(at) !== 62) refuse(at >= length ? "unexpected end of document" : `malformed tag <${qualified}>`);
    at++;
    let text = "";
    for (;;) {
      const next = source.indexOf("<", at);
      if (next < 0) refuse(`unexpected end of document inside <${qualified}>`);
      text += source.slice(at, next);
      at = next;
      if (source.startsWith("</", at)) {
        const close = source.indexOf(">", at);
        if (close < 0) refuse("unexpected end of document");
        const closing = source.slice(at + 2, close).trim();
        if (closing !== qualified) refuse(`</${closing}> closes <${qualified}>`);
        at = close + 1;
        break;
      }
      node.children.push(element(depth + 1));
    }
    node.text = decodeEntities(text);
    return node;
  };

  const root = element(0);
  skipSpace();
  if (at < length) refuse(`content after the root element at offset ${at}`);
  return root;
}
