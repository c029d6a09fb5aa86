/**
 * A loopback replay of the reference's hateoas captures (wire/extra/hateoas-*,
 * a real `slapos service list` then `service info peer-inst-1` against
 * slapproxy), plus any other captures given. The captured master was
 * 127.0.0.1:18081; its absolute URLs (root links, redirects) are rewritten to
 * this server's address, redirects keep their Location, and every request
 * is recorded in order so a test can compare the calls with the capture's.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseCapture, WIRE_DIR, type Capture } from "../../helpers/wire.ts";

export const CAPTURED_HOST = "127.0.0.1:18081";

export function hateoasCaptures(): Capture[] {
  const dir = join(WIRE_DIR, "extra");
  return readdirSync(dir)
    .filter((name) => name.startsWith("hateoas-"))
    .sort()
    .map((name) => parseCapture(join(dir, name)));
}

export interface ReplayedRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  headers: Headers;
  body: string;
}

export function replayHateoas(extra: Capture[] = []) {
  const captures = [...hateoasCaptures(), ...extra];
  const received: ReplayedRequest[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request, self): Promise<Response> {
      const url = new URL(request.url);
      const body = await request.text();
      received.push({ method: request.method, target: url.pathname + url.search, headers: request.headers, body });
      const capture =
        captures.find((c) => c.method === request.method && c.path === url.pathname && c.query.toString() === url.searchParams.toString()) ??
        captures.find((c) => c.method === request.method && c.path === url.pathname && !c.query.size && !url.search);
      if (!capture) return new Response("not captured", { status: 599 });
      const host = `127.0.0.1:${self.port}`;
      const headers: Record<string, string> = { "Content-Type": capture.responseHeaders["content-type"] ?? "text/html; charset=utf-8" };
      if (capture.responseHeaders.location) headers.Location = capture.responseHeaders.location.replaceAll(CAPTURED_HOST, host);
      return new Response(capture.responseBody.replaceAll(CAPTURED_HOST, host), { status: capture.status, headers });
    },
  });
  return { server, received, url: `http://127.0.0.1:${server.port}` };
}
