/**
 * The shacache/shadir server on its own port: for tests, benchmarks, and a
 * node that wants a cache without the embedded master. Routes are those of
 * app.ts under `/shacache` (so URLs are the master's: `<url>/shacache/cache`,
 * `<url>/shacache/dir`).
 */
import { Hono } from "hono";
import { createShacacheApp, type ShacacheServerOptions } from "./app.ts";

export interface RunningShacache {
  /** `http://host:port` */
  url: string;
  /** `<url>/shacache/cache` */
  cacheUrl: string;
  /** `<url>/shacache/dir` */
  dirUrl: string;
  port: number;
  stop(): Promise<void>;
}

export interface StandaloneOptions extends ShacacheServerOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Extra routes on the same server (tests add misbehaving ones). */
  extend?: (app: Hono) => void;
}

/** Start the server on a loopback port. */
export function startShacacheServer(options: StandaloneOptions): RunningShacache {
  const app = new Hono();
  options.extend?.(app);
  app.route("/shacache", createShacacheApp(options));
  const host = options.host ?? "127.0.0.1";
  const server = Bun.serve({
    hostname: host,
    port: options.port ?? 0,
    fetch: app.fetch,
    // Blobs are streamed to disk; the size of a software release is no reason to refuse it.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    idleTimeout: 0,
  });
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
  return {
    url,
    cacheUrl: `${url}/shacache/cache`,
    dirUrl: `${url}/shacache/dir`,
    port: server.port!,
    stop: () => server.stop(true),
  };
}
