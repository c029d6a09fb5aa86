/**
 * HTTP errors as the reference's werkzeug renders them: a small HTML page
 * whose `<p>` holds the (HTML-escaped) description, labelled
 * `text/html; charset=utf-8`. `HttpError` carries a status and a one-line
 * reason from anywhere in a handler to the one place that renders it.
 */

const NAMES: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  408: "Request Timeout",
  413: "Request Entity Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

const DESCRIPTIONS: Record<number, string> = {
  400: "The browser (or proxy) sent a request that this server could not understand.",
  403: "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
  404: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
  405: "The method is not allowed for the requested URL.",
  406: "The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.",
  408: "The server closed the network connection because the browser didn't finish the request within the specified time.",
  413: "The data value transmitted exceeds the capacity limit.",
  500: "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
  501: "The server does not support the action requested by the browser.",
  502: "The proxy server received an invalid response from an upstream server.",
  503: "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.",
};

export const HTML = "text/html; charset=utf-8";

/** markupsafe's escape. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&#34;" : "&#39;"));
}

export function statusName(status: number): string {
  return NAMES[status] ?? "Unknown Error";
}

/** The werkzeug error page for `status`, with `description` or werkzeug's default. */
export function errorPage(status: number, description?: string): string {
  const name = escapeHtml(statusName(status));
  const text = escapeHtml(description ?? DESCRIPTIONS[status] ?? "").replaceAll("\n", "<br>");
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${name}</title>\n<h1>${name}</h1>\n<p>${text}</p>\n`;
}

export function errorResponse(status: number, description?: string): Response {
  return new Response(errorPage(status, description), { status, headers: { "Content-Type": HTML } });
}

/** werkzeug's `redirect()`: the HTML body and the Location header. */
export function redirectResponse(location: string, status: 302 | 308): Response {
  const url = escapeHtml(location);
  const body =
    `<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n` +
    `<p>You should be redirected automatically to the target URL: <a href="${url}">${url}</a>. If not, click the link.\n`;
  return new Response(body, { status, headers: { "Content-Type": HTML, Location: location } });
}

/** A failure with an HTTP status; `description` is the one-line reason shown to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly description?: string,
  ) {
    super(description ?? statusName(status));
    this.name = "HttpError";
  }
}

/** Plain text answer with the reference's content type. */
export function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "Content-Type": HTML } });
}
