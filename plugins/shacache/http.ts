/**
 * The HTTP layer of the networkcache client, as slapos.libnetworkcache
 * speaks it (node-runtime.md §5.1): `Connection: close` on every request,
 * HTTP Basic auth from the URL's user:password (taken verbatim, as Python's
 * urlsplit gives them), https with an optional client certificate/key and CA
 * file (server certificates are always verified, as Python's default SSL
 * context does), and a timeout that bounds the wait for the answer and every
 * silence while a body streams (Python's socket timeout).
 */
import { readFileSync } from "node:fs";
import { SlapError, messageOf } from "../../core/errors.ts";

export interface TlsFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** A non-2xx answer. 404 carries the code "not-found", anything else "server". */
export class CacheHttpError extends SlapError {
  constructor(
    readonly status: number,
    readonly url: string,
    detail = "",
  ) {
    super(status === 404 ? "not-found" : "server", `HTTP Error ${status}: ${url}${detail ? `: ${detail}` : ""}`);
  }
}

/** Aborts a request when nothing happened for `ms` milliseconds; `kick()` on every sign of life. */
export class Watchdog {
  readonly controller = new AbortController();
  private timer?: ReturnType<typeof setTimeout>;
  fired = false;

  constructor(private readonly ms: number) {
    this.kick();
  }

  kick(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

export interface RequestSpec {
  method: "GET" | "POST" | "PUT";
  /** May carry user:password. */
  url: string;
  headers?: Record<string, string>;
  body?: string | ReadableStream<Uint8Array>;
  /** Seconds of silence allowed (waiting for the answer, or between body chunks). */
  timeout: number;
  tls?: TlsFiles;
  /** Supply one to kick it from elsewhere, e.g. while a request body streams. */
  watchdog?: Watchdog;
}

/** An answer whose status was 2xx; read `response.body` while kicking `watchdog`. */
export interface OpenResponse {
  response: Response;
  /** The URL without credentials, for messages. */
  url: string;
  watchdog: Watchdog;
}

const tlsCache = new Map<string, string>();

function readTlsFile(path: string | undefined, what: string): string | undefined {
  if (!path) return undefined;
  const cached = tlsCache.get(path);
  if (cached !== undefined) return cached;
  try {
    const text = readFileSync(path, "utf8");
    tlsCache.set(path, text);
    return text;
  } catch (cause) {
    throw new SlapError("config", `cannot read ${what} ${path}: ${messageOf(cause)}`, { cause });
  }
}

/** Split credentials out of a URL: the bare URL and the Authorization header they give. */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SlapError("config", `not a valid URL: ${url}`);
  }
  if (!parsed.username && !parsed.password) return { url };
  const authorization = `Basic ${Buffer.from(`${parsed.username}:${parsed.password}`).toString("base64")}`;
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.toString(), authorization };
}

/** Join a base URL and a name as the reference does: `base.rstrip('/') + '/' + name`. */
export function joinUrl(base: string, name?: string): string {
  return base.replace(/\/+$/, "") + (name ? `/${name}` : "");
}

/**
 * Send one request. Resolves with the open answer when the status is 2xx;
 * a non-2xx status is a CacheHttpError (the body is read for its message),
 * a network failure or timeout a `connection` SlapError.
 */
export async function openRequest(spec: RequestSpec): Promise<OpenResponse> {
  const { url, authorization } = splitCredentials(spec.url);
  const headers: Record<string, string> = { ...spec.headers, Connection: "close", "Accept-Encoding": "identity" };
  if (authorization) headers.Authorization = authorization;
  const watchdog = spec.watchdog ?? new Watchdog(spec.timeout * 1000);
  const init: RequestInit & { tls?: object; decompress?: boolean } = {
    method: spec.method,
    headers,
    body: spec.body,
    signal: watchdog.controller.signal,
    redirect: "follow",
    decompress: false,
  };
  if (url.startsWith("https:")) {
    init.tls = {
      ca: readTlsFile(spec.tls?.caFile, "CA file"),
      cert: readTlsFile(spec.tls?.certFile, "certificate file"),
      key: readTlsFile(spec.tls?.keyFile, "key file"),
      rejectUnauthorized: true,
    };
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (cause) {
    watchdog.stop();
    throw new SlapError(
      "connection",
      watchdog.fired ? `timed out after ${spec.timeout}s: ${spec.method} ${url}` : `cannot reach ${url}: ${messageOf(cause)}`,
      { cause },
    );
  }
  if (response.status < 200 || response.status >= 300) {
    let detail = "";
    try {
      // A short plain-text reason is worth showing; an HTML error page is not.
      const text = (await response.text()).trim();
      if (!text.startsWith("<")) detail = text.replace(/\s+/g, " ").slice(0, 200);
    } catch {
      // the status is what matters
    }
    watchdog.stop();
    throw new CacheHttpError(response.status, url, detail);
  }
  watchdog.kick();
  return { response, url, watchdog };
}

/** Read an answer's whole body as text (small answers: shadir lists, sha512 echoes). */
export async function readText(open: OpenResponse, limit = 64 * 1024 * 1024): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of iterateBody(open)) {
      size += chunk.byteLength;
      if (size > limit) throw new SlapError("server", `answer from ${open.url} is over ${limit} bytes`);
      chunks.push(chunk);
    }
  } finally {
    open.watchdog.stop();
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The body's chunks, kicking the watchdog on each; a stall or cut connection throws. */
export async function* iterateBody(open: OpenResponse): AsyncGenerator<Uint8Array> {
  const body = open.response.body;
  if (!body) return;
  const reader = body.getReader();
  let finished = false;
  try {
    while (true) {
      open.watchdog.kick();
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await reader.read();
      } catch (cause) {
        throw new SlapError(
          "connection",
          open.watchdog.fired ? `timed out reading ${open.url}` : `connection to ${open.url} broke: ${messageOf(cause)}`,
          { cause },
        );
      }
      if (step.done) {
        finished = true;
        return;
      }
      yield step.value;
    }
  } finally {
    open.watchdog.stop();
    // Stopped early (a limit, a write error): drop the rest so the connection closes.
    if (!finished) reader.cancel().catch(() => {});
    else reader.releaseLock();
  }
}
