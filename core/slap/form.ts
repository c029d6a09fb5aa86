/**
 * Form and query encoding as Python's `urlencode` (quote_plus, nothing safe):
 * only `A-Z a-z 0-9 _ . - ~` stay as they are, a space becomes `+`, every
 * other byte of the UTF-8 text becomes `%XX`. Fields keep their order.
 */
const UNRESERVED = /[A-Za-z0-9_.\-~]/;

export function quotePlus(text: string): string {
  let out = "";
  for (const char of text) {
    if (char === " ") out += "+";
    else if (UNRESERVED.test(char)) out += char;
    else for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export type FormFields = Array<[string, string]>;

export function urlencode(fields: FormFields): string {
  return fields.map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join("&");
}
