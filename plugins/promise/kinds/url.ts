/**
 * Kind "url": an HTTP(S) URL answers with the expected status. The
 * declaration mirrors slapos.toolbox's check_url_available plugin (same keys,
 * same messages):
 *
 *     {"kind": "url", "url": "https://[2001:db8::1]:8443/", "http-code": 200}
 *
 * Keys: `url`; `http-code` (or `status`, default 200); `ignore-code` (1: any
 * status passes); `allow-redirects` (default 1); `timeout` (seconds, default
 * between 1 and 5, below the promise timeout); `verify` (default 0: the
 * certificate is not checked), `ca-cert-file`, `cert-file` + `key-file`
 * (client certificate); `username` + `password` (basic authentication);
 * `grace` (ours, seconds, default 0): a refused connection is tried again
 * until this long after the check began — for a service started a moment
 * before its first check.
 * The anomaly check fails when the 3 latest runs failed.
 */
import { readFileSync } from "node:fs";
import type { PromiseLogLine, PromiseOutcome, PromiseRunInput } from "../../../core/hooks/groups/promise.ts";
import { reprString } from "../../../core/slap/python-repr.ts";
import { numberOption } from "./declaration.ts";

function text(value: unknown): string {
  return value === undefined || value === null ? "" : String(value);
}

function errorCode(error: unknown): string {
  return String((error as { code?: unknown }).code ?? "");
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const CONNECTION_CODES = new Set([
  "ConnectionRefused", "ECONNREFUSED", "ConnectionClosed", "ECONNRESET", "FailedToOpenSocket",
  "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UnableToConnect",
]);

function isTlsError(error: unknown): boolean {
  return /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO|HOSTNAME|ALTNAME/i.test(errorCode(error));
}

class UnreadableFile extends Error {}

async function sense(input: PromiseRunInput): Promise<PromiseLogLine> {
  const config = input.promise.config;
  const url = text(config.url);
  const expected = numberOption(config, "http-code", numberOption(config, "status", 200));
  const ignoreCode = numberOption(config, "ignore-code", 0) === 1;
  const allowRedirects = numberOption(config, "allow-redirects", 1) !== 0;
  const defaultTimeout = Math.max(1, Math.min(5, Math.floor(input.timeout) - 1));
  const timeout = numberOption(config, "timeout", defaultTimeout);
  const caFile = text(config["ca-cert-file"]);
  const certFile = text(config["cert-file"]);
  const keyFile = text(config["key-file"]);
  const verify = Boolean(caFile) || numberOption(config, "verify", 0) !== 0;
  const username = text(config.username);
  const password = text(config.password);
  const authenticated = Boolean(username && password);
  const requestType = authenticated ? "authenticated" : "non-authenticated";
  if (!url) return { level: "ERROR", message: "ERROR: no \"url\" to check" };

  const read = (path: string): string => {
    // The check runs inside the node: read only what the partition user could read.
    if (!input.readableByPartitionUser(path)) throw new UnreadableFile(`cannot read ${path}`);
    return readFileSync(path, "utf8");
  };
  const headers: Record<string, string> = {};
  if (authenticated) headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  const timer = AbortSignal.timeout(timeout * 1000);
  try {
    const tls: BunFetchRequestInitTLS = { rejectUnauthorized: verify };
    if (caFile) tls.ca = read(caFile);
    if (certFile && keyFile) {
      tls.cert = read(certFile);
      tls.key = read(keyFile);
    }
    const response = await fetch(url, {
      headers,
      redirect: allowRedirects ? "follow" : "manual",
      signal: AbortSignal.any([input.signal, timer]),
      tls,
      keepalive: false,
    });
    await response.body?.cancel().catch(() => undefined);
    const quoted = reprString(url);
    if (ignoreCode) return { level: "INFO", message: `${requestType} request to ${quoted} succeeded (return code ignored)` };
    if (response.status === expected) {
      return { level: "INFO", message: `${requestType} request to ${quoted} succeeded (returned expected code ${expected})` };
    }
    return {
      level: "ERROR",
      message: `${requestType} request to ${quoted} failed (returned ${response.status}, expected ${expected})`,
    };
  } catch (error) {
    if (error instanceof UnreadableFile) return { level: "ERROR", message: `ERROR: ${error.message}` };
    if (timer.aborted && !input.signal.aborted) {
      return { level: "ERROR", message: `ERROR: request to ${reprString(url)} timed out after ${timeout} seconds` };
    }
    if (isTlsError(error)) return { level: "ERROR", message: `ERROR SSL error while accessing ${reprString(url)}: ${errorMessage(error)}` };
    if (CONNECTION_CODES.has(errorCode(error))) {
      return { level: "ERROR", message: `ERROR connection not possible while accessing ${reprString(url)}` };
    }
    return { level: "ERROR", message: `ERROR: ${errorMessage(error)}` };
  }
}

export async function runUrlPromise(input: PromiseRunInput): Promise<PromiseOutcome> {
  const config = input.promise.config;
  const deadline = Date.now() + Math.min(numberOption(config, "grace", 0), Math.max(0, input.timeout - 1)) * 1000;
  let line = await sense(input);
  while (line.message.startsWith("ERROR connection not possible") && Date.now() < deadline && !input.signal.aborted) {
    await Bun.sleep(100);
    line = await sense(input);
  }
  const evaluate =
    input.mode === "anomaly"
      ? { resultCount: numberOption(config, "result-count", 3), failureAmount: numberOption(config, "failure-amount", 3) }
      : { resultCount: 1, failureAmount: 1 };
  return { log: [line], evaluate };
}
