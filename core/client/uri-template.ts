/**
 * RFC 6570 level-1 expansion, as the `uritemplate` package does it for the
 * hateoas links (`{query}`, `{select_list}`): every byte outside the
 * unreserved set is percent-encoded, a list is its items joined by `,`, and
 * a variable with no value expands to nothing.
 */
const UNRESERVED = /[A-Za-z0-9\-._~]/;

function encode(text: string): string {
  let out = "";
  for (const char of text) {
    if (UNRESERVED.test(char)) out += char;
    else for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export type TemplateValue = string | number | string[] | undefined;

export function expandTemplate(template: string, values: Record<string, TemplateValue>): string {
  return template.replace(/\{([^{}]+)\}/g, (_whole, names: string) =>
    names
      .split(",")
      .map((name) => values[name.trim()])
      .filter((value): value is string | number | string[] => value !== undefined)
      .map((value) => (Array.isArray(value) ? value.map(encode).join(",") : encode(String(value))))
      .join(","),
  );
}
