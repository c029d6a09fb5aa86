/**
 * Answers shaped as slapproxy's Flask blueprint gives them: werkzeug's HTML
 * error pages, `text/html; charset=utf-8` for plain string bodies, and blobs
 * sent as attachments with byte ranges (send_from_directory).
 */
import type { Context } from "hono";
import { statSync } from "node:fs";

export const FLASK_TEXT = { "Content-Type": "text/html; charset=utf-8" };

const REASONS: Record<number, [string, string]> = {
  400: ["Bad Request", "The browser (or proxy) sent a request that this server could not understand."],
  404: [
    "Not Found",
    "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
  ],
  416: ["Requested Range Not Satisfiable", "The server cannot provide the requested range."],
  502: ["Bad Gateway", "The proxy server received an invalid response from an upstream server."],
  503: [
    "Service Unavailable",
    "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.",
  ],
};

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");
}

/** Flask's `abort(status, description)`. */
export function abort(c: Context, status: 400 | 404 | 416 | 502 | 503, description?: string, headers: Record<string, string> = {}): Response {
  const [name, fallback] = REASONS[status]!;
  const body =
    "<!doctype html>\n<html lang=en>\n" +
    `<title>${status} ${escapeHtml(name)}</title>\n` +
    `<h1>${escapeHtml(name)}</h1>\n` +
    `<p>${escapeHtml(description ?? fallback).replace(/\n/g, "<br>")}</p>\n`;
  return c.body(body, status, { ...FLASK_TEXT, ...headers });
}

/** Parse a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; undefined when absent or not a single range. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (!match[1] && !match[2])) return undefined;
  let start: number;
  let end: number;
  if (!match[1]) {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

/** Send a stored blob as an attachment, honouring a single byte range. */
export function serveBlob(c: Context, path: string, name: string): Response {
  const stats = statSync(path);
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": `attachment; filename=${name}`,
    "Accept-Ranges": "bytes",
    "Last-Modified": stats.mtime.toUTCString(),
    "Cache-Control": "no-cache",
  };
  const range = parseRange(c.req.header("range"), stats.size);
  if (range === "unsatisfiable") return abort(c, 416, undefined, { "Content-Range": `bytes */${stats.size}` });
  const file = Bun.file(path);
  if (!range) return new Response(file, { status: 200, headers: { ...headers, "Content-Length": String(stats.size) } });
  return new Response(file.slice(range.start, range.end + 1), {
    status: 206,
    headers: {
      ...headers,
      "Content-Length": String(range.end - range.start + 1),
      "Content-Range": `bytes ${range.start}-${range.end}/${stats.size}`,
    },
  });
}
