/**
 * `slapos service list` and `slapos service info REFERENCE [--news]`
 * (format-collect-cli.md §6.3), through the master's hateoas API. Output is
 * Python's `json.dumps` on stdout: the list as `{title: software url}` with
 * keys sorted, the info with the reference's keys in its order.
 */
import { compareCodePoints } from "../slap/marshal/encode.ts";
import { SlapError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { PyFloat, type PyValue } from "../slap/marshal/values.ts";
import type { ClientConnection } from "./connect.ts";
import { dig, isObject, type JsonObject } from "./hateoas.ts";
import { xml2map } from "./ordered-xml.ts";
import { printLine } from "./output.ts";
import { dumpsJson, loadsJson } from "../slap/python-json.ts";
import { SoftwareReleaseSchema, type Serialisation } from "./schema.ts";

/** `service list --json`: one object per root instance, sorted by title. */
export interface ServiceListEntry {
  title: string;
  "software-url": string | null;
}

export async function doServiceList(connection: ClientConnection, json: boolean): Promise<number> {
  const navigator = await connection.hateoas();
  const byTitle = new Map<string, PyValue>();
  for (const row of await navigator.instanceTrees()) byTitle.set(String(row.get("title")), row.get("url_string") ?? null);
  if (json) {
    const entries = [...byTitle].sort(([a], [b]) => compareCodePoints(a, b));
    const list = entries.map(([title, url]) => new Map<string, PyValue>([["title", title], ["software-url", url]]));
    printLine(dumpsJson(list, { indent: 2 }));
    return 0;
  }
  printLine(dumpsJson(byTitle, { indent: 2, sortKeys: true }));
  return 0;
}

/** JSON text that the reference would `json.loads`; kept as text when it is not JSON. */
function decoded(text: PyValue | undefined): PyValue | undefined {
  if (typeof text !== "string") return text;
  try {
    return loadsJson(text);
  } catch {
    return text;
  }
}

/** The connection parameters: a list of {connection_key, connection_value} (a master) or a parameter XML (slapproxy). */
function connectionParameters(raw: PyValue | undefined): Map<string, PyValue> {
  if (Array.isArray(raw)) {
    const out = new Map<string, PyValue>();
    for (const item of raw) if (isObject(item)) out.set(String(item.get("connection_key")), item.get("connection_value") ?? null);
    return out;
  }
  return xml2map(typeof raw === "string" ? raw : undefined);
}

/** Python's bool(). */
function truthy(value: PyValue | undefined): boolean {
  if (value instanceof PyFloat) return value.value !== 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** none/green/red/orange from the news texts (`#access` and `#error`), unsupported without news. */
function statusOf(news: PyValue | undefined): string {
  if (!Array.isArray(news)) return "unsupported";
  let bits = 0;
  for (const entry of news) {
    const text = dig(entry, "text");
    if (typeof text !== "string") continue;
    if (text.startsWith("#access")) bits |= 1;
    else if (text.startsWith("#error")) bits |= 2;
    if (bits === 3) break;
  }
  return ["none", "green", "red", "orange"][bits];
}

/**
 * The info document of an instance tree read through hateoas (`data`, its
 * form fields), for a software whose serialisation is `serialisation`.
 */
export function serviceInfo(data: JsonObject, serialisation: Serialisation | undefined, news: boolean): Map<string, PyValue> {
  let connectionDict: PyValue = connectionParameters(data.get("connection_parameter_list"));
  if (serialisation === "json-in-xml" && (connectionDict as Map<string, PyValue>).has("_")) {
    connectionDict = decoded((connectionDict as Map<string, PyValue>).get("_")) ?? null;
  }
  const textContent = data.get("text_content");
  const parameters = typeof textContent === "string" ? xml2map(textContent) : new Map<string, PyValue>();
  if (parameters.size === 1 && parameters.has("_")) parameters.set("_", decoded(parameters.get("_")) ?? null);

  const info = new Map<string, PyValue>([
    ["software-url", data.get("url_string") ?? null],
    ["software-type", data.get("source_reference") ?? null],
    ["shared", truthy(data.get("root_slave"))],
    ["requested-state", data.get("slap_state") ?? null],
    ["instance-parameters", parameters],
    ["connection-parameters", connectionDict],
  ]);
  const newsList = dig(data.get("news"), "instance");
  info.set("status", statusOf(newsList));
  if (news && Array.isArray(newsList)) info.set("news", newsList);
  return info;
}

export async function doServiceInfo(connection: ClientConnection, reference: string, news: boolean, log: Logger): Promise<number> {
  const navigator = await connection.hateoas();
  let data: JsonObject;
  try {
    data = await navigator.instanceTree(reference);
  } catch (error) {
    if (error instanceof SlapError && error.code === "not-ready") {
      log.warning("Instance does not exist or is not ready yet.");
      return 2;
    }
    if (error instanceof SlapError && error.code === "not-found") {
      log.warning(`Instance ${reference} does not exist.`);
      return 2;
    }
    throw error;
  }
  const warned = new Set<string>();
  const warn = (message: string) => {
    if (!warned.has(message)) log.warning(message);
    warned.add(message);
  };
  const schema = new SoftwareReleaseSchema(String(data.get("url_string") ?? null), undefined, warn);
  const info = serviceInfo(data, await schema.serialisation(false), news);
  printLine(dumpsJson(info, { indent: 2 }));
  return 0;
}
