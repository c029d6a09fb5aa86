/**
 * An XML-RPC client of supervisord's interface, over `unix:///path` or
 * `http://host:port` (what `[supervisorctl] serverurl` names), with basic
 * authentication. Faults come back as `RpcFault`; a socket that is absent
 * or refuses gives `RpcConnectionError` with the errno code, as supervisorctl
 * tells the two apart.
 */
import { decodeResponse, encodeCall, RpcFault, type RpcValue } from "./codec.ts";

export class RpcConnectionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An HTTP status other than 200 (supervisord answers 401 without credentials). */
export class RpcHttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

export interface RpcClientOptions {
  username?: string | null;
  password?: string | null;
  /** Seconds before a call is abandoned (none by default: stopProcess may take stopwaitsecs). */
  timeout?: number;
}

export class RpcClient {
  private readonly url: string;
  private readonly unix: string | undefined;
  private readonly headers: Record<string, string>;

  constructor(
    readonly serverurl: string,
    private readonly options: RpcClientOptions = {},
  ) {
    if (serverurl.startsWith("unix://")) {
      this.unix = serverurl.slice(7);
      this.url = "http://localhost/RPC2";
    } else if (serverurl.startsWith("http://")) {
      this.url = `${serverurl.replace(/\/+$/, "")}/RPC2`;
    } else {
      throw new Error(`Unknown protocol for serverurl ${serverurl}`);
    }
    this.headers = { "Content-Type": "text/xml", Accept: "text/xml" };
    if (options.username != null && options.password != null) {
      this.headers.Authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString("base64")}`;
    }
  }

  /** The raw HTTP exchange, for callers that follow a log (`tail -f`). */
  async get(path: string): Promise<Response> {
    const base = this.unix ? "http://localhost" : this.url.slice(0, -5);
    try {
      return await fetch(`${base}${path}`, { headers: this.headers, unix: this.unix } as RequestInit);
    } catch (error) {
      throw this.connectionError(error);
    }
  }

  private connectionError(error: unknown): RpcConnectionError {
    const code = (error as { code?: string }).code ?? "ECONNREFUSED";
    return new RpcConnectionError(code, `${this.serverurl}: ${code}`);
  }

  async call(method: string, ...params: RpcValue[]): Promise<RpcValue> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        body: encodeCall(method, params),
        headers: this.headers,
        unix: this.unix,
        signal: this.options.timeout ? AbortSignal.timeout(this.options.timeout * 1000) : undefined,
      } as RequestInit);
    } catch (error) {
      throw this.connectionError(error);
    }
    if (response.status !== 200) {
      await response.arrayBuffer().catch(() => undefined);
      throw new RpcHttpError(response.status);
    }
    return decodeResponse(await response.text());
  }
}

export { RpcFault };
