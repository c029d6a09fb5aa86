/**
 * A loopback HTTP server that answers with the reference's captured
 * responses: each request is matched to a capture by method and path (and
 * query), and recorded so a test can compare what was sent with the capture.
 */
import type { Capture } from "./wire.ts";

export interface Received {
  method: string;
  path: string;
  query: string;
  body: string;
  headers: Headers;
}

export function replayMaster(captures: Capture[], tls?: Bun.TLSOptions) {
  const received: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls,
    async fetch(request) {
      const url = new URL(request.url);
      const body = await request.text();
      received.push({ method: request.method, path: url.pathname, query: url.search.slice(1), body, headers: request.headers });
      const capture =
        captures.find((c) => c.method === request.method && c.path === url.pathname && c.query.toString() === url.searchParams.toString()) ??
        captures.find((c) => c.method === request.method && c.path === url.pathname);
      if (!capture) return new Response("not captured", { status: 599 });
      return new Response(capture.responseBody, {
        status: capture.status,
        headers: { "Content-Type": capture.responseHeaders["content-type"] ?? "text/html; charset=utf-8" },
      });
    },
  });
  return { server, received, url: `${tls ? "https" : "http"}://127.0.0.1:${server.port}` };
}
