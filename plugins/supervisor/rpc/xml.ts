/**
 * A small, strict XML reader for XML-RPC documents: elements (attributes
 * are read and ignored), text, the five named entities and character
 * references, CDATA, comments and processing instructions. No DTD, no
 * external entities: a `<!DOCTYPE` is refused, which also rules out entity
 * expansion attacks. Anything malformed throws `XmlError`.
 */

export class XmlError extends Error {}

export interface XmlElement {
  name: string;
  children: Array<XmlElement | string>;
}

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string, at: number): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;]{0,10});?/g, (whole, body: string) => {
    if (!whole.endsWith(";")) throw new XmlError(`bad entity reference near offset ${at}`);
    if (body.startsWith("#x") || body.startsWith("#X")) {
      const code = parseInt(body.slice(2), 16);
      if (!/^[0-9a-fA-F]+$/.test(body.slice(2)) || code > 0x10ffff) throw new XmlError(`bad character reference &${body};`);
      return String.fromCodePoint(code);
    }
    if (body.startsWith("#")) {
      const code = Number(body.slice(1));
      if (!/^\d+$/.test(body.slice(1)) || code > 0x10ffff) throw new XmlError(`bad character reference &${body};`);
      return String.fromCodePoint(code);
    }
    const named = NAMED[body];
    if (named === undefined) throw new XmlError(`undefined entity &${body};`);
    return named;
  });
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;

/** Parse a document; returns its root element. */
export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf("<", i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk) {
      if (stack.length) stack[stack.length - 1].children.push(decodeEntities(chunk, i));
      else if (chunk.trim()) throw new XmlError(`text outside the root element at offset ${i}`);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) throw new XmlError("unterminated processing instruction");
      i = end + 2;
      continue;
    }
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) throw new XmlError("unterminated comment");
      i = end + 3;
      continue;
    }
    if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i + 9);
      if (end < 0 || !stack.length) throw new XmlError("misplaced or unterminated CDATA section");
      stack[stack.length - 1].children.push(text.slice(i + 9, end));
      i = end + 3;
      continue;
    }
    if (text.startsWith("<!", i)) throw new XmlError("DTDs are not accepted");
    const close = text[i + 1] === "/";
    const nameMatch = NAME.exec(text.slice(i + (close ? 2 : 1), i + 200));
    if (!nameMatch) throw new XmlError(`bad tag at offset ${i}`);
    const name = nameMatch[0];
    const gt = text.indexOf(">", i);
    if (gt < 0) throw new XmlError(`unterminated tag <${name}`);
    const inside = text.slice(i + (close ? 2 : 1) + name.length, gt);
    if (close) {
      if (inside.trim()) throw new XmlError(`bad closing tag </${name}`);
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlError(`mismatched tag </${name}> at offset ${i}`);
      if (!stack.length) root = open;
    } else {
      const selfClosing = inside.endsWith("/");
      const attributes = selfClosing ? inside.slice(0, -1) : inside;
      if (attributes.trim() && !/^(\s+[A-Za-z_:][-\w.:]*\s*=\s*("[^"<]*"|'[^'<]*'))*\s*$/.test(attributes)) {
        throw new XmlError(`bad attributes in <${name}>`);
      }
      if (!stack.length && root) throw new XmlError("more than one root element");
      const element: XmlElement = { name, children: [] };
      if (stack.length) stack[stack.length - 1].children.push(element);
      if (selfClosing) {
        if (!stack.length) root = element;
      } else stack.push(element);
    }
    i = gt + 1;
  }
  if (stack.length) throw new XmlError(`unclosed element <${stack[stack.length - 1].name}>`);
  if (!root) throw new XmlError("no root element");
  return root;
}

/** Child elements only (whitespace text between them is ignored). */
export function elements(element: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of element.children) {
    if (typeof child === "string") {
      if (child.trim()) throw new XmlError(`unexpected text in <${element.name}>`);
    } else out.push(child);
  }
  return out;
}

/** The text content of an element that must hold only text. */
export function textOf(element: XmlElement): string {
  let out = "";
  for (const child of element.children) {
    if (typeof child !== "string") throw new XmlError(`unexpected <${child.name}> in <${element.name}>`);
    out += child;
  }
  return out;
}

/** Python's xml escape as xmlrpclib does it (&, <, >), plus removal of characters XML 1.0 cannot carry. */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, "\ufffd");
  return clean.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
