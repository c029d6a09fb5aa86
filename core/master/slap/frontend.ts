/**
 * Frontend bypass (slap-protocol.md §4.10): a shared request for the
 * apache-frontend or KVM VNC frontend SR is answered without allocating
 * anything, with connection parameters that point straight at the backend
 * (or, when the master itself is reached over https, through its
 * /http_proxy/ route).
 */
import { pyDict, type PyObject } from "../../slap/marshal/values.ts";
import { externalBase, type MasterContext, type RequestOrigin } from "../context.ts";
import { fakeFrontendDocument } from "./documents.ts";
import type { ParsedRequest } from "./request.ts";

export const APACHE_FRONTEND_SR = "http://git.erp5.org/gitweb/slapos.git/blob_plain/HEAD:/software/apache-frontend/software.cfg";
export const KVM_FRONTEND_SR = "http://git.erp5.org/gitweb/slapos.git/blob_plain/refs/tags/slapos-0.92:/software/kvm/software.cfg";

const ALWAYS_SAFE = /[A-Za-z0-9\-._~$!'()*+,;]/;

/** werkzeug's URL quoting of a route argument (`safe` adds to the always-safe set). */
export function werkzeugQuote(text: string, safe = "/:"): string {
  let out = "";
  for (const char of text) {
    if (ALWAYS_SAFE.test(char) || safe.includes(char)) out += char;
    else for (const byte of new TextEncoder().encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function parseUrl(text: string): { scheme: string; netloc: string; path: string; query: string; fragment: string } {
  const match = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(text);
  return {
    scheme: match?.[1] ?? "",
    netloc: match?.[2] ?? "",
    path: match?.[3] ?? "",
    query: match?.[4] ?? "",
    fragment: match?.[5] ?? "",
  };
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** The bypass answer for a frontend request, or undefined when the request is not one. */
export function frontendBypass(ctx: MasterContext, request: ParsedRequest, origin: RequestOrigin): PyObject | undefined {
  const parameters = request.parameters;
  if (request.softwareRelease === APACHE_FRONTEND_SR && ["", "RootSoftwareInstance", "default"].includes(request.softwareType)) {
    const target = parameters.url;
    if (!isText(target)) return undefined;
    let secureAccess = target;
    let domain = parseUrl(target).netloc;
    if (origin.scheme === "https") {
      const parsed = parseUrl(target);
      const base = externalBase(origin);
      let proxied = `${base}http_proxy/${werkzeugQuote(parsed.scheme)}/${werkzeugQuote(parsed.netloc, ":")}${werkzeugQuote(parsed.path)}`;
      if (parsed.query) proxied += `?${parsed.query}`;
      if (parsed.fragment) proxied += `#${parsed.fragment}`;
      secureAccess = proxied;
      domain = parseUrl(proxied).netloc;
    }
    ctx.log.warning(`Bypassing frontend for ${request.partitionReference} => ${target}`);
    return fakeFrontendDocument(`Fake frontend for ${target}`, pyDict([
      ["secure_access", secureAccess],
      ["domain", domain],
    ]));
  }
  if (request.softwareRelease === KVM_FRONTEND_SR && request.softwareType === "frontend") {
    let host = parameters.host;
    const port = parameters.port;
    if (!isText(host) || port === undefined || port === null || port === "" || port === 0) return undefined;
    if (host.includes(":") && !host.startsWith("[")) host = `[${host}]`;
    const url = `https://${host}:${String(port)}/`;
    ctx.log.warning(`Bypassing KVM VNC frontend for ${request.partitionReference} => ${url}`);
    return fakeFrontendDocument(`Fake KVM VNC frontend for ${url}`, pyDict([
      ["url", url],
      ["domainname", host],
      ["port", port],
      ["path", "/"],
    ]));
  }
  return undefined;
}
