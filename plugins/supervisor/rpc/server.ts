/**
 * The control interface: supervisord's HTTP server on the unix socket
 * (`[unix_http_server]`) and on TCP (`[inet_http_server]`): XML-RPC on
 * `POST /RPC2`, log following on `/logtail/...` and `/mainlogtail`, HTTP
 * basic authentication when a username is configured.
 *
 * The unix socket is bound under a temporary name, chmod-ed, then
 * hard-linked to its real name, as supervisord does, so it never exists
 * with the wrong mode, and a socket still answered by another daemon is
 * never taken over. Malformed requests get an XML-RPC fault (or an HTTP
 * error for non-HTTP bytes) and the daemon keeps serving.
 */
import { createHash } from "node:crypto";
import { chmodSync, chownSync, existsSync, linkSync, rmSync, unlinkSync } from "node:fs";
import { connect } from "node:net";
import { SlapError } from "../../../core/errors.ts";
import type { ServerConfig } from "../config/types.ts";
import type { MainLog } from "../daemon/main-log.ts";
import type { Supervisor } from "../daemon/supervisor.ts";
import { decodeCall, encodeFault, encodeResponse } from "./codec.ts";
import type { Dispatcher } from "./dispatch.ts";
import { Faults, toFault } from "./faults.ts";
import { followFile } from "./logtail.ts";
import { splitNamespec } from "./process-control.ts";

const MAX_BODY = 16 * 1024 * 1024;

export interface ServerContext {
  dispatcher: Dispatcher;
  supervisor: Supervisor;
  log: MainLog;
  mainLogPath(): string | null;
}

type BunServer = ReturnType<typeof Bun.serve>;

export interface RunningServer {
  config: ServerConfig;
  server: BunServer;
  stop(): void;
}

function authorized(request: Request, config: ServerConfig): boolean {
  if (!config.username) return true;
  const header = request.headers.get("authorization") ?? "";
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return false;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const at = decoded.indexOf(":");
  if (at < 0) return false;
  const user = decoded.slice(0, at);
  const password = decoded.slice(at + 1);
  const expected = config.password ?? "";
  const ok = expected.startsWith("{SHA}")
    ? createHash("sha1").update(password).digest("hex") === expected.slice(5)
    : password === expected;
  return user === config.username && ok;
}

function xml(body: string): Response {
  return new Response(body, { headers: { "Content-Type": "text/xml" } });
}

async function handleRpc(request: Request, context: ServerContext): Promise<Response> {
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405 });
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_BODY) return new Response("Request Entity Too Large", { status: 413 });
  const text = await request.text();
  let call;
  try {
    call = decodeCall(text);
  } catch (error) {
    context.log.error(`XML-RPC request data ${JSON.stringify(text.slice(0, 200))} is invalid: ${(error as Error).message}`);
    return xml(encodeFault(Faults.INCORRECT_PARAMETERS, `INCORRECT_PARAMETERS: not an XML-RPC call: ${(error as Error).message}`));
  }
  context.log.trace(`XML-RPC method called: ${call.method}()`);
  try {
    const value = await context.dispatcher.call(call.method, call.params);
    context.log.trace(`XML-RPC method ${call.method}() returned successfully`);
    return xml(encodeResponse(value));
  } catch (error) {
    const [code, faultString] = toFault(error);
    if (code === Faults.FAILED && !(error instanceof Error && error.name === "RpcError")) {
      context.log.critical(`Handling XML-RPC request ${call.method} raised an unexpected exception: ${(error as Error)?.stack ?? error}`);
    }
    context.log.trace(`XML-RPC method ${call.method}() returned fault: [${code}] ${faultString}`);
    return xml(encodeFault(code, faultString));
  }
}

function handleTail(url: URL, context: ServerContext): Response {
  let path = decodeURIComponent(url.pathname).replace(/^\/+/, "");
  path = path.slice(path.indexOf("/") + 1);
  const slash = path.indexOf("/");
  const namespec = slash < 0 ? path : path.slice(0, slash);
  const channel = slash < 0 ? "stdout" : path.slice(slash + 1);
  const [groupName, processName] = splitNamespec(namespec);
  const process = context.supervisor.groups.get(groupName)?.processes.get(processName ?? "");
  const logfile = process ? (channel === "stdout" ? process.config.stdout_logfile : channel === "stderr" ? process.config.stderr_logfile : null) : null;
  if (!logfile || !existsSync(logfile)) return new Response("Not Found", { status: 404 });
  return new Response(followFile(logfile), {
    headers: { "Content-Type": "text/plain;charset=utf-8", "X-Accel-Buffering": "no" },
  });
}

function handleMainTail(context: ServerContext): Response {
  const path = context.mainLogPath();
  if (!path || !existsSync(path)) return new Response("Not Found", { status: 404 });
  return new Response(followFile(path), { headers: { "Content-Type": "text/plain;charset=utf-8" } });
}

function fetchHandler(config: ServerConfig, context: ServerContext) {
  return async (request: Request): Promise<Response> => {
    if (!authorized(request, config)) {
      return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": 'Basic realm="default"' } });
    }
    const url = new URL(request.url);
    if (url.pathname.startsWith("/RPC2")) return handleRpc(request, context);
    if (request.method === "GET" && url.pathname.startsWith("/logtail")) return handleTail(url, context);
    if (request.method === "GET" && url.pathname.startsWith("/mainlogtail")) return handleMainTail(context);
    return new Response("Not Found", { status: 404 });
  };
}

/** Is something answering on this unix socket? */
export function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (used: boolean) => {
      socket.destroy();
      resolve(used);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}

async function serveUnix(config: Extract<ServerConfig, { family: "unix" }>, context: ServerContext): Promise<RunningServer> {
  const temp = `${config.file}.${process.pid}`;
  rmSync(temp, { force: true });
  for (let attempt = 0; ; attempt++) {
    // idleTimeout is not in the unix socket options' type, but Bun honours it: 0 keeps a long stopProcess call open.
    const server = Bun.serve({
      unix: temp,
      maxRequestBodySize: MAX_BODY,
      fetch: fetchHandler(config, context),
      error: (error: Error) => {
        context.log.critical(`HTTP handler error: ${error.message}`);
        return new Response("Internal Server Error", { status: 500 });
      },
      ...({ idleTimeout: 0 } as object),
    });
    try {
      chmodSync(temp, config.chmod);
      try {
        linkSync(temp, config.file);
      } catch {
        if (await socketInUse(config.file)) {
          throw new SlapError(
            "config",
            `Another program is already listening on a port that one of our HTTP servers is configured to use (${config.file}).  Shut this program down first before starting supervisord.`,
          );
        }
        if (attempt > 5) throw new SlapError("config", `cannot bind ${config.file}`);
        context.log.info(`Unlinking stale socket ${config.file}`);
        rmSync(config.file, { force: true });
        server.stop(true);
        continue;
      }
      if (config.chown[0] !== -1 || config.chown[1] !== -1) chownSync(config.file, config.chown[0], config.chown[1]);
      return {
        config,
        server,
        stop: () => {
          server.stop(true);
          try {
            unlinkSync(config.file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      server.stop(true);
      throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
}

function serveInet(config: Extract<ServerConfig, { family: "inet" }>, context: ServerContext): RunningServer {
  let server: BunServer;
  try {
    server = Bun.serve({
      hostname: config.host || "0.0.0.0",
      port: config.port,
      idleTimeout: 0,
      maxRequestBodySize: MAX_BODY,
      fetch: fetchHandler(config, context),
      error: (error: Error) => {
        context.log.critical(`HTTP handler error: ${error.message}`);
        return new Response("Internal Server Error", { status: 500 });
      },
    });
  } catch (error) {
    throw new SlapError(
      "config",
      `Another program is already listening on a port that one of our HTTP servers is configured to use (${config.host || "*"}:${config.port}): ${(error as Error).message}`,
    );
  }
  return { config, server, stop: () => server.stop(true) };
}

/** Open every configured server; on failure the ones already opened are closed. */
export async function openServers(configs: ServerConfig[], context: ServerContext): Promise<RunningServer[]> {
  const opened: RunningServer[] = [];
  try {
    for (const config of configs) {
      context.log.info("RPC interface 'supervisor' initialized");
      opened.push(config.family === "unix" ? await serveUnix(config, context) : serveInet(config, context));
      if (!config.username) context.log.critical(`Server '${config.section}' running without any HTTP authentication checking`);
    }
  } catch (error) {
    for (const server of opened) server.stop();
    throw error;
  }
  return opened;
}
