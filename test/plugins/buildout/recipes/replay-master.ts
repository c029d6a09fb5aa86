/**
 * A loopback HTTP server that answers SLAP calls with the reference's
 * captured bodies (test/fixtures/reference/wire), recording what the
 * recipes send, so the recipes can be checked against real reference
 * bytes until the embedded master lands.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { WIRE_DIR } from "../../../helpers/wire.ts";

export const WIRE = WIRE_DIR;

export interface Capture {
  method: string;
  path: string;
  /** The raw request body (form encoded) or query string. */
  request: string;
  status: number;
  body: string;
}

/** Parse one capture file (`>>> REQUEST` ... `<<< RESPONSE` ...). */
export function readCapture(relative: string): Capture {
  const text = readFileSync(join(WIRE, relative), "utf8");
  const [requestPart, responsePart] = text.split("<<< RESPONSE\n") as [string, string];
  const requestLines = requestPart.replace(/^>>> REQUEST\n/, "").split("\n");
  const [method, target] = requestLines[0]!.split(" ") as [string, string];
  const [path, query = ""] = target.split("?") as [string, string?];
  const blank = requestLines.indexOf("");
  const requestBody = requestLines.slice(blank + 1).join("\n").split("\n--- decoded")[0]!.trim();
  const [head, ...rest] = responsePart.split("\n\n");
  const status = Number(head!.split("\n")[0]!.split(" ")[1]);
  const declared = Number(/Content-Length: (\d+)/i.exec(head!)?.[1] ?? "-1");
  let body = rest.join("\n\n");
  if (body.endsWith("\n") && Buffer.byteLength(body) > declared) body = body.slice(0, -1);
  return { method, path, request: method === "GET" ? query : requestBody, status, body };
}

export interface Received {
  method: string;
  path: string;
  /** Query string (GET) or raw form body (POST). */
  raw: string;
  fields: URLSearchParams;
}

export class ReplayMaster {
  readonly received: Received[] = [];
  private readonly routes = new Map<string, { status: number; body: string }>();
  private readonly server: ReturnType<typeof Bun.serve>;

  constructor() {
    this.server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (request) => {
        const url = new URL(request.url);
        const raw = request.method === "GET" ? url.search.replace(/^\?/, "") : await request.text();
        this.received.push({ method: request.method, path: url.pathname, raw, fields: new URLSearchParams(raw) });
        const route = this.routes.get(`${request.method} ${url.pathname}`);
        if (!route) return new Response("not captured", { status: 404 });
        return new Response(route.body, { status: route.status, headers: { "Content-Type": "text/html; charset=utf-8" } });
      },
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** Answer `METHOD /path` with a capture (or an explicit body). */
  answer(capture: Capture | { method: string; path: string; status: number; body: string }): this {
    this.routes.set(`${capture.method} ${capture.path}`, { status: capture.status, body: capture.body });
    return this;
  }

  calls(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): void {
    this.server.stop(true);
  }
}
