/**
 * The leaves of a marshal document and the rules both decoders share: how
 * the text of `<int>`, `<float>` and `<string>` becomes a value, which
 * objects the safe loader may build, and the one error every refusal is.
 */
import { SlapError } from "../../errors.ts";

/** Classes the safe loader builds; anything else is refused. */
export const ALLOWED_CLASSES = new Set(["Computer", "ComputerPartition", "SoftwareRelease", "SoftwareInstance"]);
export const ALLOWED_MODULE = "slapos.slap.slap";

export function refuse(message: string): never {
  throw new SlapError("marshal", `invalid marshal document: ${message}`);
}

/**
 * The marshaller's own unescape, after XML's (strings are escaped twice on
 * the wire): `&lt;`, `&gt;` and `&amp;` in one left-to-right pass — the same
 * as replacing each of them everywhere in turn, since no replacement can
 * make or break another's match.
 */
export function secondUnescape(text: string): string {
  let amp = text.indexOf("&");
  if (amp < 0) return text;
  let out = "";
  let from = 0;
  while (amp >= 0) {
    const c = text.charCodeAt(amp + 1);
    if (c === 108 /* l */ && text.startsWith("lt;", amp + 1)) {
      out += text.slice(from, amp) + "<";
      from = amp + 4;
    } else if (c === 103 /* g */ && text.startsWith("gt;", amp + 1)) {
      out += text.slice(from, amp) + ">";
      from = amp + 4;
    } else if (c === 97 /* a */ && text.startsWith("amp;", amp + 1)) {
      out += text.slice(from, amp) + "&";
      from = amp + 5;
    }
    amp = text.indexOf("&", amp + 1);
    if (amp >= 0 && amp < from) amp = text.indexOf("&", from);
  }
  return out + text.slice(from);
}

const INT = /^\s*[-+]?\d+\s*$/;
const FLOAT = /^\s*([-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf|infinity|nan))\s*$/i;

/** An `<int>`/`<long>`/`<bool>` text: a safe integer as a number, beyond as a bigint. */
export function parseIntText(text: string, tag: string): number | bigint {
  if (!INT.test(text)) refuse(`<${tag}> holds ${JSON.stringify(text)}`);
  const big = BigInt(text.trim());
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** `parseIntText` for the usual case — up to 15 digits, maybe a minus — without regex or bigint. */
export function parseShortInt(text: string, tag: string): number | bigint {
  const length = text.length;
  let i = length > 0 && text.charCodeAt(0) === 45 ? 1 : 0;
  if (length - i < 1 || length - i > 15) return parseIntText(text, tag);
  let value = 0;
  for (; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return parseIntText(text, tag);
    value = value * 10 + digit;
  }
  // BigInt has no -0: "-0" is 0, as the general path gives it.
  return text.charCodeAt(0) === 45 && value !== 0 ? -value : value;
}

/** A `<float>` text, with Python's spellings of infinities and NaN. */
export function parseFloatText(text: string): number {
  const match = FLOAT.exec(text);
  if (!match) refuse(`<float> holds ${JSON.stringify(text)}`);
  const body = match[1].toLowerCase();
  if (body.endsWith("inf") || body.endsWith("infinity")) return body.startsWith("-") ? -Infinity : Infinity;
  if (body.endsWith("nan")) return NaN;
  return Number(body);
}
