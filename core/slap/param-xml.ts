/**
 * The master's storage format for instance and connection parameters
 * (slap-protocol.md §2.2, `dict2xml` / `xml2dict`): every value stored as
 * Python `str()`, keys sorted, pretty-printed, raw UTF-8. Reading gives
 * strings, `null` for an empty element, and joins repeated ids with a space.
 */
import { compareCodePoints } from "./marshal/encode.ts";
import { parseXml } from "./marshal/xml-reader.ts";
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

export function xml2dict(xml: string | null | undefined): Record<string, string | null> {
  const out: Record<string, string | null> = Object.create(null);
  if (!xml || !xml.trim()) return out;
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
    const text = child.text === "" ? null : child.text;
    const previous = out[id];
    out[id] = previous !== undefined && previous !== null && text !== null ? `${previous} ${text}` : (text ?? previous ?? null);
  }
  return out;
}
