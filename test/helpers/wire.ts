/**
 * The reference's real HTTP captures (../shared/reference/wire/), parsed:
 * request line, headers, body, decoded form fields, response status and body.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/** The reference captures, copied into the repository (test/fixtures/reference/README.md). */
export const WIRE_DIR = resolve(import.meta.dir, "../fixtures/reference/wire");

export interface Capture {
  file: string;
  method: string;
  path: string;
  query: URLSearchParams;
  requestHeaders: Record<string, string>;
  requestBody: string;
  form: URLSearchParams;
  status: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
}

function headersOf(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const at = line.indexOf(":");
    if (at > 0) out[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return out;
}

export function parseCapture(file: string): Capture {
  const text = readFileSync(file, "utf8");
  const request = text.slice(text.indexOf(">>> REQUEST\n") + 12, text.indexOf("\n<<< RESPONSE\n"));
  const response = text.slice(text.indexOf("<<< RESPONSE\n") + 13);
  const [requestHead, ...requestRest] = request.split("\n\n");
  const requestBody = (requestRest[0] ?? "").replace(/\n$/, "");
  const [requestLine, ...requestHeaderLines] = requestHead.split("\n");
  const [method, target] = requestLine.split(" ");
  const url = new URL(target, "http://capture");
  const split = response.indexOf("\n\n");
  const [statusLine, ...responseHeaderLines] = response.slice(0, split).split("\n");
  const responseBody = response.slice(split + 2).replace(/\n$/, "");
  return {
    file,
    method,
    path: url.pathname,
    query: url.searchParams,
    requestHeaders: headersOf(requestHeaderLines),
    requestBody: requestBody.startsWith("--- decoded") ? "" : requestBody,
    form: new URLSearchParams(requestBody.startsWith("--- decoded") ? "" : requestBody),
    status: Number(statusLine.split(" ")[1]),
    responseHeaders: headersOf(responseHeaderLines),
    responseBody,
  };
}

/** Every capture file, as paths relative to WIRE_DIR. */
export function captureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".txt") && name !== "SEQUENCE.txt") out.push(relative(WIRE_DIR, path));
    }
  };
  walk(WIRE_DIR);
  return out;
}
