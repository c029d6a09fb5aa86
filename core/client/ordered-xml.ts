/**
 * `xml2dict` keeping document order (slap-protocol.md §2.2): each
 * `<parameter id>` child of the root, an empty element read as null, a
 * repeated id joined with one space. A Map, because a plain object would
 * move integer-like keys ("10", "2") to the front and Python does not.
 */
import { parseXml } from "../slap/marshal/xml-reader.ts";
import type { PyValue } from "../slap/marshal/values.ts";

export function xml2map(xml: string | null | undefined): Map<string, PyValue> {
  const out = new Map<string, PyValue>();
  if (!xml) return out;
  for (const child of parseXml(xml).children) {
    if (child.name !== "parameter" || child.attributes.id === undefined) continue;
    const id = child.attributes.id;
    const text = child.text === "" ? null : child.text;
    const previous = out.get(id);
    out.set(id, typeof previous === "string" && text !== null ? `${previous} ${text}` : (text ?? previous ?? null));
  }
  return out;
}
