/** urllib.parse (also reachable as six.moves.urllib.parse and py2's urlparse). */
import { REQUIRED, builtin } from "../args.ts";
import { iterate, truthy } from "../ops.ts";
import { pyStr } from "../repr.ts";
import { quote, quotePlus, unquote, unquotePlus } from "../quote.ts";
import { PyDict, PyException, PyFunction, PyObject, PyTuple, type PyValue } from "../types.ts";
import { makeModule } from "./module.ts";

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

interface Split {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

export function urlsplit(url: string, defaultScheme = ""): Split {
  let rest = url.trim();
  let scheme = defaultScheme;
  const m = SCHEME.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
  }
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end < 0 ? "" : rest.slice(2 + end);
  }
  let fragment = "";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  return { scheme, netloc, path: rest, query, fragment };
}

function netlocParts(netloc: string): { username: PyValue; password: PyValue; hostname: PyValue; port: PyValue } {
  const at = netloc.lastIndexOf("@");
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  let username: PyValue = null;
  let password: PyValue = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(":");
    username = colon >= 0 ? userinfo.slice(0, colon) : userinfo;
    password = colon >= 0 ? userinfo.slice(colon + 1) : null;
  }
  let host = hostport;
  let portText = "";
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  if (v6) {
    host = v6[1]!;
    portText = v6[2] ?? "";
  } else {
    const colon = hostport.lastIndexOf(":");
    if (colon >= 0) {
      host = hostport.slice(0, colon);
      portText = hostport.slice(colon + 1);
    }
  }
  let port: PyValue = null;
  if (portText) {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new PyException("ValueError", `Port could not be cast to integer value as '${portText}'`);
    port = Number(portText);
  }
  return { username, password, hostname: host ? host.toLowerCase() : null, port };
}

function resultObject(typeName: string, fields: Array<[string, string]>, geturl: () => string, netloc: string): PyObject {
  const parts = netlocParts(netloc);
  const attrs = new Map<string, PyValue>(fields);
  for (const [k, v] of Object.entries(parts)) attrs.set(k, v);
  attrs.set("geturl", new PyFunction("geturl", () => geturl()));
  attrs.set("__iter__", new PyFunction("__iter__", () => fields.map((f) => f[1])));
  attrs.set("__len__", fields.length);
  attrs.set("__getitem__", new PyFunction("__getitem__", ([i]) => fields[Number(i)]?.[1] ?? null));
  attrs.set("_replace", new PyFunction("_replace", (_a, kwargs) => {
    const next = fields.map(([k, v]) => [k, k in kwargs ? pyStr(kwargs[k]!) : v] as [string, string]);
    const url = unsplit(next.map((f) => f[1]));
    return typeName === "SplitResult" ? splitResult(url) : parseResult(url);
  }));
  attrs.set("__str__", `${typeName}(${fields.map(([k, v]) => `${k}='${v}'`).join(", ")})`);
  return new PyObject(typeName, attrs);
}

function unsplit(parts: string[]): string {
  const [scheme, netloc, path, ...rest] = parts as [string, string, string, ...string[]];
  let query: string;
  let fragment: string;
  let fullPath = path;
  if (rest.length === 3) {
    const [params, q, f] = rest as [string, string, string];
    if (params) fullPath += ";" + params;
    query = q;
    fragment = f;
  } else [query, fragment] = rest as [string, string];
  let url = fullPath;
  if (netloc || (scheme && ["http", "https", "ftp", "file"].includes(scheme) && url.startsWith("/"))) {
    if (url && !url.startsWith("/")) url = "/" + url;
    url = "//" + (netloc ?? "") + url;
  }
  if (scheme) url = scheme + ":" + url;
  if (query) url += "?" + query;
  if (fragment) url += "#" + fragment;
  return url;
}

function splitResult(url: string): PyObject {
  const s = urlsplit(url);
  const fields: Array<[string, string]> = [["scheme", s.scheme], ["netloc", s.netloc], ["path", s.path], ["query", s.query], ["fragment", s.fragment]];
  return resultObject("SplitResult", fields, () => unsplit(fields.map((f) => f[1])), s.netloc);
}

function parseResult(url: string): PyObject {
  const s = urlsplit(url);
  let path = s.path;
  let params = "";
  const lastSlash = path.lastIndexOf("/");
  const semi = path.indexOf(";", lastSlash + 1);
  if (semi >= 0) {
    params = path.slice(semi + 1);
    path = path.slice(0, semi);
  }
  const fields: Array<[string, string]> = [["scheme", s.scheme], ["netloc", s.netloc], ["path", path], ["params", params], ["query", s.query], ["fragment", s.fragment]];
  return resultObject("ParseResult", fields, () => unsplit(fields.map((f) => f[1])), s.netloc);
}

function removeDots(path: string): string {
  const out: string[] = [];
  const segments = path.split("/");
  segments.forEach((seg, i) => {
    if (seg === "..") {
      if (out.length > 1) out.pop();
      if (i === segments.length - 1) out.push("");
    } else if (seg === ".") {
      if (i === segments.length - 1) out.push("");
    } else out.push(seg);
  });
  return out.join("/");
}

function urljoin(base: string, url: string): string {
  if (!base) return url;
  if (!url) return base;
  const b = urlsplit(base);
  const u = urlsplit(url, b.scheme);
  if (u.scheme !== b.scheme) return url;
  if (u.netloc) return unsplit([u.scheme, u.netloc, removeDots(u.path), u.query, u.fragment]);
  if (!u.path) return unsplit([b.scheme, b.netloc, b.path, u.query || b.query, u.fragment]);
  const path = u.path.startsWith("/") ? u.path : b.path.slice(0, b.path.lastIndexOf("/") + 1) + u.path;
  return unsplit([b.scheme, b.netloc, removeDots(path), u.query, u.fragment]);
}

function parseQsl(qs: string, keepBlank: boolean): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const field of qs.split(/[&;]/)) {
    if (!field) continue;
    const eqAt = field.indexOf("=");
    const k = eqAt >= 0 ? field.slice(0, eqAt) : field;
    const v = eqAt >= 0 ? field.slice(eqAt + 1) : "";
    if (v || keepBlank) out.push([unquotePlus(k), unquotePlus(v)]);
  }
  return out;
}

export function urllibParseModule(name = "urllib.parse"): PyObject {
  return makeModule(name, [
    builtin("quote", [["string", REQUIRED], ["safe", "/"]], (s, safe) => quote(pyStr(s), pyStr(safe))),
    builtin("quote_plus", [["string", REQUIRED], ["safe", ""]], (s, safe) => quotePlus(pyStr(s), pyStr(safe))),
    builtin("unquote", [["string", REQUIRED]], (s) => unquote(pyStr(s))),
    builtin("unquote_plus", [["string", REQUIRED]], (s) => unquotePlus(pyStr(s))),
    builtin("urlencode", [["query", REQUIRED], ["doseq", false]], (query, doseq) => {
      const pairs = query instanceof PyDict ? query.entries() : iterate(query).map((x) => iterate(x) as [PyValue, PyValue]);
      const out: string[] = [];
      for (const [k, v] of pairs) {
        if (truthy(doseq) && typeof v !== "string" && (Array.isArray(v) || v instanceof PyTuple)) {
          for (const x of iterate(v)) out.push(`${quotePlus(pyStr(k))}=${quotePlus(pyStr(x))}`);
        } else out.push(`${quotePlus(pyStr(k))}=${quotePlus(pyStr(v))}`);
      }
      return out.join("&");
    }),
    builtin("urlsplit", [["url", REQUIRED]], (u) => splitResult(pyStr(u))),
    builtin("urlparse", [["url", REQUIRED]], (u) => parseResult(pyStr(u))),
    builtin("urlunsplit", [["components", REQUIRED]], (c) => unsplit(iterate(c).map(pyStr))),
    builtin("urlunparse", [["components", REQUIRED]], (c) => unsplit(iterate(c).map(pyStr))),
    builtin("urljoin", [["base", REQUIRED], ["url", REQUIRED]], (b, u) => urljoin(pyStr(b), pyStr(u))),
    builtin("parse_qsl", [["qs", REQUIRED], ["keep_blank_values", false]], (q, k) => parseQsl(pyStr(q), truthy(k)).map(([a, b]) => new PyTuple([a, b]))),
    builtin("parse_qs", [["qs", REQUIRED], ["keep_blank_values", false]], (q, k) => {
      const dict = new PyDict();
      for (const [a, b] of parseQsl(pyStr(q), truthy(k))) {
        const list = (dict.get(a) as PyValue[] | undefined) ?? [];
        list.push(b);
        dict.set(a, list);
      }
      return dict;
    }),
  ]);
}
