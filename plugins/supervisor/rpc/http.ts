/**
 * A small HTTP/1.1 server on Bun.listen (unix socket or TCP), enough for
 * supervisord's clients and no more: requests are answered one at a time
 * per connection and in order (pipelining never interleaves), empty lines
 * before a request are ignored (RFC 9112 §2.2; supervisorctl's `tail -f`
 * sends one), keep-alive follows the HTTP version and `Connection`, and a
 * streamed body goes out chunked. Bun.serve answers supervisorctl's stray
 * empty line with a 400 in the middle of the `tail -f` stream, hence this.
 */
import { SlapError } from "../../../core/errors.ts";

export interface HttpRequest {
  method: string;
  path: string;
  version: string;
  /** Lower-cased names. */
  headers: Map<string, string>;
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** A string or bytes (sent with Content-Length), or a stream (sent chunked until it ends). */
  body: string | Uint8Array | ReadableStream<Uint8Array>;
}

export type HttpHandler = (request: HttpRequest) => Promise<HttpResponse> | HttpResponse;

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
};

const MAX_HEAD = 64 * 1024;

interface Connection {
  input: Buffer;
  busy: boolean;
  closed: boolean;
  pending: Buffer[];
  cancel?: () => void;
}

type Socket = import("bun").Socket<Connection>;

function httpDate(): string {
  return new Date().toUTCString();
}

class Parser {
  /** One complete request from the front of the buffer, null when more bytes are needed, or an error status. */
  static take(conn: Connection, maxBody: number): HttpRequest | null | number {
    let start = 0;
    while (start < conn.input.length && (conn.input[start] === 0x0d || conn.input[start] === 0x0a)) start++;
    if (start) conn.input = conn.input.subarray(start);
    if (!conn.input.length) return null;
    let headEnd = conn.input.indexOf("\r\n\r\n");
    let sep = 4;
    if (headEnd < 0) {
      headEnd = conn.input.indexOf("\n\n");
      sep = 2;
    }
    if (headEnd < 0) return conn.input.length > MAX_HEAD ? 431 : null;
    const head = conn.input.subarray(0, headEnd).toString("latin1").split(/\r?\n/);
    const line = /^([A-Z]+) (\S+) HTTP\/(\d\.\d)$/.exec(head[0]);
    if (!line) return 400;
    const headers = new Map<string, string>();
    for (const h of head.slice(1)) {
      const at = h.indexOf(":");
      if (at <= 0) return 400;
      headers.set(h.slice(0, at).trim().toLowerCase(), h.slice(at + 1).trim());
    }
    let bodyStart = headEnd + sep;
    let body: Buffer;
    if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
      const parts: Buffer[] = [];
      let at = bodyStart;
      let total = 0;
      for (;;) {
        const eol = conn.input.indexOf("\r\n", at);
        if (eol < 0) return null;
        const size = parseInt(conn.input.subarray(at, eol).toString("latin1").split(";")[0], 16);
        if (Number.isNaN(size)) return 400;
        total += size;
        if (total > maxBody) return 413;
        if (conn.input.length < eol + 2 + size + 2) return null;
        if (size === 0) {
          const end = conn.input.indexOf("\r\n\r\n", eol);
          if (end < 0) return null;
          bodyStart = end + 4;
          break;
        }
        parts.push(conn.input.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      conn.input = conn.input.subarray(bodyStart);
    } else {
      const lengthText = headers.get("content-length") ?? "0";
      if (!/^\d+$/.test(lengthText)) return 400;
      const length = Number(lengthText);
      if (length > maxBody) return 413;
      if (conn.input.length < bodyStart + length) return null;
      body = Buffer.from(conn.input.subarray(bodyStart, bodyStart + length));
      conn.input = conn.input.subarray(bodyStart + length);
    }
    return { method: line[1], path: line[2], version: line[3], headers, body };
  }
}

function keepAlive(request: HttpRequest): boolean {
  const connection = (request.headers.get("connection") ?? "").toLowerCase();
  return request.version === "1.0" ? connection === "keep-alive" : connection !== "close";
}

function send(socket: Socket, data: Buffer): void {
  const conn = socket.data;
  if (conn.closed) return;
  if (conn.pending.length) {
    conn.pending.push(data);
    return;
  }
  const written = socket.write(data);
  if (written < data.length) conn.pending.push(data.subarray(Math.max(0, written)));
}

function head(status: number, headers: Record<string, string>): Buffer {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Unknown"}`, `Date: ${httpDate()}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1");
}

async function respond(socket: Socket, request: HttpRequest | undefined, response: HttpResponse): Promise<boolean> {
  const conn = socket.data;
  const persistent = request ? keepAlive(request) : false;
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  if (!persistent) headers.Connection = "close";
  if (response.body instanceof ReadableStream) {
    headers["Transfer-Encoding"] = "chunked";
    send(socket, head(response.status, headers));
    const reader = response.body.getReader();
    conn.cancel = () => void reader.cancel().catch(() => undefined);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || conn.closed) break;
        if (value?.length) send(socket, Buffer.concat([Buffer.from(`${value.length.toString(16)}\r\n`), Buffer.from(value), Buffer.from("\r\n")]));
      }
    } catch {
      // the stream failed: end the response
    }
    conn.cancel = undefined;
    send(socket, Buffer.from("0\r\n\r\n"));
    return persistent;
  }
  const body = typeof response.body === "string" ? Buffer.from(response.body) : Buffer.from(response.body);
  headers["Content-Length"] = String(body.length);
  send(socket, Buffer.concat([head(response.status, headers), request?.method === "HEAD" ? Buffer.alloc(0) : body]));
  return persistent;
}

function close(socket: Socket): void {
  const conn = socket.data;
  if (conn.pending.length) {
    conn.closed = true;
    return;
  }
  conn.closed = true;
  socket.end();
}

async function serveNext(socket: Socket, handler: HttpHandler, maxBody: number, onError: (error: unknown) => void): Promise<void> {
  const conn = socket.data;
  while (!conn.busy && !conn.closed) {
    const taken = Parser.take(conn, maxBody);
    if (taken === null) return;
    conn.busy = true;
    try {
      if (typeof taken === "number") {
        await respond(socket, undefined, { status: taken, body: REASONS[taken] ?? "Error" });
        close(socket);
        return;
      }
      let response: HttpResponse;
      try {
        response = await handler(taken);
      } catch (error) {
        onError(error);
        response = { status: 500, body: "Internal Server Error" };
      }
      const persistent = await respond(socket, taken, response);
      if (!persistent) {
        close(socket);
        return;
      }
    } finally {
      conn.busy = false;
    }
  }
}

export interface HttpServer {
  stop(): void;
}

export interface ListenOptions {
  unix?: string;
  hostname?: string;
  port?: number;
  maxBody: number;
  handler: HttpHandler;
  onError(error: unknown): void;
}

/** Listen on a unix socket or a TCP port. Throws a SlapError when the address cannot be bound. */
export function listenHttp(options: ListenOptions): HttpServer {
  const sockets = new Set<Socket>();
  const handlers = {
    open(socket: Socket) {
      socket.data = { input: Buffer.alloc(0), busy: false, closed: false, pending: [] };
      sockets.add(socket);
    },
    data(socket: Socket, data: Buffer) {
      const conn = socket.data;
      if (conn.closed) return;
      conn.input = conn.input.length ? Buffer.concat([conn.input, data]) : Buffer.from(data);
      void serveNext(socket, options.handler, options.maxBody, options.onError);
    },
    drain(socket: Socket) {
      const conn = socket.data;
      while (conn.pending.length) {
        const next = conn.pending[0];
        const written = socket.write(next);
        if (written < next.length) {
          conn.pending[0] = next.subarray(Math.max(0, written));
          return;
        }
        conn.pending.shift();
      }
      if (conn.closed) socket.end();
    },
    close(socket: Socket) {
      socket.data.closed = true;
      socket.data.cancel?.();
      sockets.delete(socket);
    },
    error(socket: Socket) {
      socket.data.closed = true;
      socket.data.cancel?.();
    },
  };
  let listener: { stop(closeActive?: boolean): void };
  try {
    listener = options.unix
      ? Bun.listen<Connection>({ unix: options.unix, socket: handlers })
      : Bun.listen<Connection>({ hostname: options.hostname ?? "0.0.0.0", port: options.port ?? 0, socket: handlers });
  } catch (error) {
    throw new SlapError("config", `cannot listen on ${options.unix ?? `${options.hostname}:${options.port}`}: ${(error as Error).message}`);
  }
  return {
    stop() {
      listener.stop(true);
      for (const socket of sockets) {
        socket.data.cancel?.();
        socket.end();
      }
      sockets.clear();
    },
  };
}
