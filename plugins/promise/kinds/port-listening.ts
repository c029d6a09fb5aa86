/**
 * Kind "port-listening": a TCP (or Unix) socket accepts connections. The
 * declaration mirrors slapos.toolbox's check_socket_listening plugin:
 *
 *     {"kind": "port-listening", "host": "10.0.0.1", "port": 8080}
 *     {"kind": "port-listening", "pathname": "/srv/slappart0/var/run/app.sock"}
 *     {"kind": "port-listening", "abstract": "app"}
 *
 * and logs what it does: `socket connection OK ('10.0.0.1', 8080)` or
 * `ConnectionRefusedError: [Errno 111] Connection refused`. The anomaly
 * check fails when the 3 latest runs failed (`result-count`,
 * `failure-amount`).
 */
import { lookup } from "node:dns/promises";
import { createConnection, isIPv6, type Socket } from "node:net";
import type { PromiseLogLine, PromiseOutcome, PromiseRunInput } from "../../../core/hooks/groups/promise.ts";
import { reprString } from "../../../core/slap/python-repr.ts";
import { numberOption } from "./declaration.ts";

export const ADDRESS_USAGE =
  "Address must be specified in 1 of the following 3 forms: (host, port), path or abstract";

/** Node error codes as Python names its socket errors. */
const PYTHON_ERRORS: Record<string, [string, number, string]> = {
  ECONNREFUSED: ["ConnectionRefusedError", 111, "Connection refused"],
  ECONNRESET: ["ConnectionResetError", 104, "Connection reset by peer"],
  ENOENT: ["FileNotFoundError", 2, "No such file or directory"],
  EACCES: ["PermissionError", 13, "Permission denied"],
  ETIMEDOUT: ["TimeoutError", 110, "Connection timed out"],
  EHOSTUNREACH: ["OSError", 113, "No route to host"],
  ENETUNREACH: ["OSError", 101, "Network is unreachable"],
  EADDRNOTAVAIL: ["OSError", 99, "Cannot assign requested address"],
  ECONNABORTED: ["ConnectionAbortedError", 103, "Software caused connection abort"],
};

export function pythonSocketError(error: unknown): string {
  const code = (error as { code?: string }).code ?? "";
  const known = PYTHON_ERRORS[code];
  if (known) return `${known[0]}: [Errno ${known[1]}] ${known[2]}`;
  return `OSError: ${error instanceof Error ? error.message : String(error)}`;
}

function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

function connect(options: { host: string; port: number } | { path: string }, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createConnection(options as never);
    const stop = () => {
      socket.destroy();
      reject(signal.reason);
    };
    signal.addEventListener("abort", stop, { once: true });
    socket.once("connect", () => {
      signal.removeEventListener("abort", stop);
      socket.destroy();
      resolve();
    });
    socket.once("error", (error) => {
      signal.removeEventListener("abort", stop);
      socket.destroy();
      reject(error);
    });
  });
}

async function sense(config: Record<string, unknown>, signal: AbortSignal): Promise<PromiseLogLine> {
  const host = text(config.host);
  const port = text(config.port);
  const path = text(config.pathname);
  const abstract = text(config.abstract);
  if (host) {
    if (path || abstract || !port) return { level: "ERROR", message: ADDRESS_USAGE };
    const portNumber = Number.parseInt(port, 10);
    let address: string;
    try {
      address = (await lookup(host.replace(/^\[(.*)\]$/, "$1"))).address;
    } catch {
      return { level: "ERROR", message: "[Errno -2] Name or service not known" };
    }
    const shown = isIPv6(address) ? `(${reprString(address)}, ${portNumber}, 0, 0)` : `(${reprString(address)}, ${portNumber})`;
    try {
      await connect({ host: address, port: portNumber }, signal);
      return { level: "INFO", message: `socket connection OK ${shown}` };
    } catch (error) {
      return { level: "ERROR", message: pythonSocketError(error) };
    }
  }
  if (Boolean(path) === Boolean(abstract)) return { level: "ERROR", message: ADDRESS_USAGE };
  const target = path || `\0${abstract}`;
  try {
    await connect({ path: target }, signal);
    return { level: "INFO", message: `socket connection OK ${reprString(target)}` };
  } catch (error) {
    return { level: "ERROR", message: pythonSocketError(error) };
  }
}

export async function runPortListeningPromise(input: PromiseRunInput): Promise<PromiseOutcome> {
  const config = input.promise.config;
  const line = await sense(config, input.signal);
  const evaluate =
    input.mode === "anomaly"
      ? { resultCount: numberOption(config, "result-count", 3), failureAmount: numberOption(config, "failure-amount", 3) }
      : { resultCount: 1, failureAmount: 1 };
  return { log: [line], evaluate };
}
