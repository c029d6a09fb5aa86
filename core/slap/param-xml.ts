/**
 * The master's storage format for instance and connection parameters
 * (slap-protocol.md §2.2, `dict2xml` / `xml2dict`): every value stored as
 * Python `str()`, keys sorted, pretty-printed, raw UTF-8. Reading gives
 * strings, `null` for an empty element, and joins repeated ids with a space.
 */
import { compareCodePoints } from "./marshal/encode.ts";
import { decodeEntities, parseXml } from "./marshal/xml-reader.ts";
import type { PyValue } from "./marshal/values.ts";
import { pyStr } from "./python-repr.ts";
import { SlapError } from "../errors.ts";

function escapeXmlText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&#13;"));
}

function escapeXmlAttribute(text: string): string {
  return text.replace(/[&<>"\n\r\t]/g, (c) =>
    c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : c === "\n" ? "&#10;" : c === "\r" ? "&#13;" : "&#9;",
  );
}

export function dict2xml(dict: Record<string, PyValue | undefined>): string {
  const keys = Object.keys(dict).sort(compareCodePoints);
  const head = "<?xml version='1.0' encoding='utf-8'?>\n";
  if (!keys.length) return `${head}<instance/>\n`;
  const lines = keys.map(
    (key) => `  <parameter id="${escapeXmlAttribute(key)}">${escapeXmlText(pyStr(dict[key]))}</parameter>`,
  );
  return `${head}<instance>\n${lines.join("\n")}\n</instance>\n`;
}

/** Fold one `<parameter>` into the dict: an empty one is None, a repeated id joins with a space. */
function put(out: Record<string, string | null>, id: string, text: string | null): void {
  const previous = out[id];
  out[id] = previous !== undefined && previous !== null && text !== null ? `${previous} ${text}` : (text ?? previous ?? null);
}

const PROLOG = "<?xml version='1.0' encoding='utf-8'?>";
const OPEN = '<parameter id="';
const CLOSE = "</parameter>";

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/**
 * xml2dict of what dict2xml writes (the reference's pretty-printed layout,
 * any spacing between elements), in one pass; undefined for any other
 * document, which the element tree then reads.
 */
function xml2dictOnePass(xml: string): Record<string, string | null> | undefined {
  let at = xml.startsWith(PROLOG) ? PROLOG.length : 0;
  const skip = () => {
    while (isSpace(xml.charCodeAt(at))) at++;
  };
  skip();
  if (xml.startsWith("<instance/>", at)) at += 11;
  else {
    if (!xml.startsWith("<instance>", at)) return undefined;
    at += 10;
    const out: Record<string, string | null> = Object.create(null);
    for (;;) {
      skip();
      if (xml.startsWith("</instance>", at)) break;
      if (!xml.startsWith(OPEN, at)) return undefined;
      const idEnd = xml.indexOf('"', at + OPEN.length);
      const textStart = idEnd + 2;
      if (idEnd < 0 || xml.charCodeAt(idEnd + 1) !== 62 /* > */) return undefined;
      const textEnd = xml.indexOf("<", textStart);
      if (textEnd < 0 || !xml.startsWith(CLOSE, textEnd)) return undefined;
      const id = xml.slice(at + OPEN.length, idEnd);
      if (id.includes("<")) return undefined;
      const text = xml.slice(textStart, textEnd);
      put(out, decodeEntities(id), text === "" ? null : decodeEntities(text));
      at = textEnd + CLOSE.length;
    }
    at += 11;
    skip();
    return at === xml.length ? out : undefined;
  }
  skip();
  return at === xml.length ? Object.create(null) : undefined;
}

export function xml2dict(xml: string | null | undefined): Record<string, string | null> {
  if (!xml || !xml.trim()) return Object.create(null);
  try {
    const read = xml2dictOnePass(xml);
    if (read) return read;
  } catch {
    // a bad reference: the element tree says what is wrong
  }
  return xml2dictByTree(xml);
}

/** xml2dict by the element tree: the definition the one-pass reader must agree with, refusals included. */
export function xml2dictByTree(xml: string): Record<string, string | null> {
  const out: Record<string, string | null> = Object.create(null);
  if (!xml.trim()) return out;
  let root;
  try {
    root = parseXml(xml);
  } catch (cause) {
    throw new SlapError("bad-request", `invalid parameter XML: ${(cause as Error).message}`, { cause });
  }
  for (const child of root.children) {
    if (child.name !== "parameter") continue;
    const id = child.attributes.id;
    if (id === undefined) continue;
    put(out, id, child.text === "" ? null : child.text);
  }
  return out;
}
