/**
 * Shadir entries: a shadir answers a key with a JSON array of pairs
 * `[entry_json_string, signature_b64]` (node-runtime.md §5.1). The entry text
 * is kept exactly as received, because the signature covers those bytes.
 */
import { SlapError } from "../../core/errors.ts";

/** One raw pair of a shadir answer. */
export type RawEntry = [entry: string, signature: string];

/** Parse a shadir answer; anything but an array of [string, string] pairs is refused. */
export function parseEntryList(body: string, where: string): RawEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new SlapError("server", `Failed to parse json response from ${where}: ${JSON.stringify(body.slice(0, 200))}`);
  }
  if (!Array.isArray(data)) throw new SlapError("server", `shadir answer from ${where} is not a list`);
  return data.map((pair, index) => {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
      throw new SlapError("server", `shadir answer from ${where}: entry ${index} is not an [entry, signature] pair`);
    }
    return [pair[0], typeof pair[1] === "string" ? pair[1] : ""] as RawEntry;
  });
}

/**
 * Read a Python tuple or list literal of strings, such as
 * `('debian', '8.10', '')` — the form old software entries used for `os`.
 */
export function parsePythonStringTuple(text: string): string[] {
  const out: string[] = [];
  const body = text.trim().replace(/^[([]/, "").replace(/[)\]]$/, "");
  const literal = /\s*(u?)(['"])((?:\\.|(?!\2).)*)\2\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = literal.exec(body)) && match[0]) {
    consumed = literal.lastIndex;
    out.push(
      match[3]!.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (_, esc: string) => {
        if (esc[0] === "x" || esc[0] === "u") return String.fromCharCode(parseInt(esc.slice(1), 16));
        return ({ n: "\n", t: "\t", r: "\r", "0": "\0" } as Record<string, string>)[esc] ?? esc;
      }),
    );
  }
  if (body.slice(consumed).trim()) {
    throw new SlapError("server", `cannot read the Python tuple ${JSON.stringify(text)}`);
  }
  return out;
}

/**
 * Parse an entry's JSON (the reference's `loadJsonEntry`), with its BBB:
 * entries without `multiarch` whose `machine` is x86_64 are
 * `x86_64-linux-gnu`, and their `os` is a Python tuple literal.
 */
export function loadJsonEntry(text: string): Record<string, unknown> {
  const data = JSON.parse(text) as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new SlapError("server", "shadir entry is not a JSON object");
  }
  const entry = data as Record<string, unknown>;
  if (!("multiarch" in entry) && entry.machine === "x86_64") {
    entry.multiarch = "x86_64-linux-gnu";
    entry.os = typeof entry.os === "string" ? parsePythonStringTuple(entry.os) : entry.os;
  }
  return entry;
}

export const SHA512_HEX = /^[0-9a-f]{128}$/;
