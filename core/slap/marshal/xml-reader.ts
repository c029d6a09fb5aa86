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

/** [0-9A-Fa-f] */
function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** End (the `;`) of the reference `&...;` at `amp`, or -1 when it is not one (a bare '&'). */
function referenceEnd(text: string, amp: number): number {
  let i = amp + 1;
  const c = text.charCodeAt(i);
  if (c === 35 /* # */) {
    i++;
    let digits = i;
    if (text.charCodeAt(i) === 120 /* x */ && isHexDigit(text.charCodeAt(i + 1))) {
      digits = ++i;
      while (isHexDigit(text.charCodeAt(i))) i++;
    } else {
      while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
    }
    return i > digits && text.charCodeAt(i) === 59 ? i : -1;
  }
  if (!isLetter(c)) return -1;
  while (isLetter(text.charCodeAt(i))) i++;
  return text.charCodeAt(i) === 59 ? i : -1;
}

function referenceValue(whole: string): string {
  if (whole[1] === "#") {
    const code = whole[2] === "x" ? parseInt(whole.slice(3, -1), 16) : parseInt(whole.slice(2, -1), 10);
    if (!Number.isFinite(code) || code > 0x10ffff || (code < 32 && code !== 9 && code !== 10 && code !== 13)) {
      refuse(`character reference ${whole} is not allowed`);
    }
    return String.fromCodePoint(code);
  }
  switch (whole) {
    case "&amp;":
      return "&";
    case "&lt;":
      return "<";
    case "&gt;":
      return ">";
    case "&quot;":
      return '"';
    case "&apos;":
      return "'";
    default:
      return refuse(`undefined entity ${whole}`);
  }
}

/**
 * Decode `&amp;`-style and numeric (`&#233;`, `&#xE9;`) references, once,
 * left to right; a '&' that starts no reference, an unknown entity or a
 * forbidden character is refused.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf("&");
  if (amp < 0) return text;
  let out = "";
  let from = 0;
  while (amp >= 0) {
    const end = referenceEnd(text, amp);
    if (end < 0) refuse("a bare '&' in text");
    out += text.slice(from, amp) + referenceValue(text.slice(amp, end + 1));
    from = end + 1;
    amp = text.indexOf("&", from);
  }
  return out + text.slice(from);
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
