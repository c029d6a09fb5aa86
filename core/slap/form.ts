/**
 * Form and query encoding as Python's `urlencode` (quote_plus, nothing safe):
 * only `A-Z a-z 0-9 _ . - ~` stay as they are, a space becomes `+`, every
 * other byte of the UTF-8 text becomes `%XX`. Fields keep their order.
 */
export function quotePlus(text: string): string {
  // encodeURIComponent leaves !'()* alone too; Python's quote_plus(safe='') does not.
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

export type FormFields = Array<[string, string]>;

export function urlencode(fields: FormFields): string {
  return fields.map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join("&");
}
