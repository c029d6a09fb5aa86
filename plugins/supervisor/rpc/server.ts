/**
 * The control interface: supervisord's HTTP server (http.ts) on the unix socket
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
import { listenHttp, type HttpRequest, type HttpResponse, type HttpServer } from "./http.ts";
import { followFile } from "./logtail.ts";
import { splitNamespec } from "./process-control.ts";

const MAX_BODY = 16 * 1024 * 1024;

export interface ServerContext {
  dispatcher: Dispatcher;
  supervisor: Supervisor;
  log: MainLog;
  mainLogPath(): string | null;
}

export interface RunningServer {
  config: ServerConfig;
  stop(): void;
}

function authorized(request: HttpRequest, config: ServerConfig): boolean {
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

function xml(body: string): HttpResponse {
  return { status: 200, headers: { "Content-Type": "text/xml" }, body };
}

function plain(status: number, body: string): HttpResponse {
  return { status, headers: { "Content-Type": "text/plain" }, body };
}

async function handleRpc(request: HttpRequest, context: ServerContext): Promise<HttpResponse> {
  if (request.method !== "POST") return plain(405, "Method Not Allowed");
  const text = request.body.toString("utf8");
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

/** The decoded path of a request target (`/RPC2`, or an absolute URL). */
function pathOf(target: string): string | undefined {
  const match = /^(?:[a-z]+:\/\/[^/]*)?(\/[^?#]*)/i.exec(target);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

function handleTail(requestPath: string, context: ServerContext): HttpResponse {
  let path = requestPath.replace(/^\/+/, "");
  path = path.slice(path.indexOf("/") + 1);
  const slash = path.indexOf("/");
  const namespec = slash < 0 ? path : path.slice(0, slash);
  const channel = slash < 0 ? "stdout" : path.slice(slash + 1);
  const [groupName, processName] = splitNamespec(namespec);
  const process = context.supervisor.groups.get(groupName)?.processes.get(processName ?? "");
  const logfile = process ? (channel === "stdout" ? process.config.stdout_logfile : channel === "stderr" ? process.config.stderr_logfile : null) : null;
  if (!logfile || !existsSync(logfile)) return plain(404, "Not Found");
  return {
    status: 200,
    headers: { "Content-Type": "text/plain;charset=utf-8", "X-Accel-Buffering": "no" },
    body: followFile(logfile),
  };
}

function handleMainTail(context: ServerContext): HttpResponse {
  const path = context.mainLogPath();
  if (!path || !existsSync(path)) return plain(404, "Not Found");
  return { status: 200, headers: { "Content-Type": "text/plain;charset=utf-8" }, body: followFile(path) };
}

function handlerFor(config: ServerConfig, context: ServerContext) {
  return async (request: HttpRequest): Promise<HttpResponse> => {
    if (!authorized(request, config)) {
      return { status: 401, headers: { "Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="default"' }, body: "Unauthorized" };
    }
    const path = pathOf(request.path);
    if (path === undefined) return plain(400, "Bad Request");
    if (path.startsWith("/RPC2")) return handleRpc(request, context);
    if (request.method === "GET" && path.startsWith("/logtail")) return handleTail(path, context);
    if (request.method === "GET" && path.startsWith("/mainlogtail")) return handleMainTail(context);
    return plain(404, "Not Found");
  };
}

function listen(config: ServerConfig, context: ServerContext, unix?: string): HttpServer {
  return listenHttp({
    unix,
    hostname: config.family === "inet" ? config.host || "0.0.0.0" : undefined,
    port: config.family === "inet" ? config.port : undefined,
    maxBody: MAX_BODY,
    handler: handlerFor(config, context),
    onError: (error) => context.log.critical(`HTTP handler error: ${(error as Error)?.stack ?? error}`),
  });
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
  for (let attempt = 0; ; attempt++) {
    rmSync(temp, { force: true });
    const server = listen(config, context, temp);
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
        server.stop();
        continue;
      }
      if (config.chown[0] !== -1 || config.chown[1] !== -1) chownSync(config.file, config.chown[0], config.chown[1]);
      return {
        config,
        stop: () => {
          server.stop();
          try {
            unlinkSync(config.file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      server.stop();
      throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
}

function serveInet(config: Extract<ServerConfig, { family: "inet" }>, context: ServerContext): RunningServer {
  let server: HttpServer;
  try {
    server = listen(config, context);
  } catch (error) {
    throw new SlapError(
      "config",
      `Another program is already listening on a port that one of our HTTP servers is configured to use (${config.host || "*"}:${config.port}): ${(error as Error).message}`,
    );
  }
  return { config, stop: () => server.stop() };
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
