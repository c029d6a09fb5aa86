/**
 * What every handler of the master needs: the store, the settings, the
 * hooks, the log, and the facts of the request being served that change
 * answers (scheme and host for the URLs the master generates).
 */
import type { Hooks } from "../hooks/catalogue.ts";
import type { Logger } from "../log/logger.ts";
import type { Store } from "./db/store.ts";
import type { MasterSettings } from "./settings.ts";

export interface MasterContext {
  store: Store;
  settings: MasterSettings;
  hooks?: Hooks;
  log: Logger;
  /** 32 random letters and digits, made at start (`GET /getRunId`). */
  runId: string;
  /** The port actually listened on (settings.port may be 0 in tests). */
  serverPort: number;
}

/** Where the request came in, as werkzeug's ProxyFix(x_proto=1, x_prefix=1) sees it. */
export interface RequestOrigin {
  /** "http" or "https", after X-Forwarded-Proto. */
  scheme: string;
  /** The Host header as sent. */
  host: string;
  /** X-Forwarded-Prefix, without trailing slash ("" when absent). */
  prefix: string;
  /** The port the server listens on (werkzeug's SERVER_PORT). */
  serverPort: number;
}

export function originOf(request: Request, url: URL, serverPort: number): RequestOrigin {
  const forwardedProto = request.headers.get("x-forwarded-proto");
  const forwardedPrefix = request.headers.get("x-forwarded-prefix");
  const scheme = forwardedProto ? forwardedProto.split(",")[0].trim() : url.protocol.replace(":", "");
  const prefix = forwardedPrefix ? forwardedPrefix.split(",")[0].trim().replace(/\/+$/, "") : "";
  return { scheme, host: request.headers.get("host") ?? url.host, prefix, serverPort };
}

/** `request.host_url` with ProxyFix applied: `http://host/prefix/`. */
export function externalBase(origin: RequestOrigin): string {
  return `${origin.scheme}://${origin.host}${origin.prefix}/`;
}
