/**
 * Python's `json.dumps(value, sort_keys=True, indent=N)` byte for byte:
 * keys sorted at every level, `,` at line ends and `": "`, and every
 * character outside printable ASCII written as `\uXXXX` (ensure_ascii).
 */

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    // Python sorts str keys by code point; for the BMP that is UTF-16 order.
    for (const key of Object.keys(value).sort()) out[key] = sortDeep((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function pyJsonDumps(value: unknown, indent: number): string {
  return JSON.stringify(sortDeep(value), null, indent).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
