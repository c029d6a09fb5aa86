/**
 * The master's hateoas API as the reference's client walks it
 * (slap-protocol.md §3.3, `slapos/slap/hateoas.py`): GET the root document
 * once, expand its `raw_search` link for catalogue queries and its
 * `traverse` link to read one document, whose ERP5 form fields (`my_*`,
 * `your_*`) become plain data. The same calls, in the same order, as
 * `slapos service list|info` and `slapos computer list|info` make.
 */
import { SlapError } from "../errors.ts";
import type { SlapClient } from "../slap/client.ts";
import type { PyValue } from "../slap/marshal/values.ts";
import { loadsJson } from "../slap/python-json.ts";
import { expandTemplate, type TemplateValue } from "./uri-template.ts";

/** A decoded JSON object: keys in the master's order. */
export type JsonObject = Map<string, PyValue>;

/** The field types whose values the reference copies out of a form. */
const FIELD_TYPES = new Set(["StringField", "EmailField", "IntegerField", "FloatField", "TextAreaField"]);

export function isObject(value: PyValue | undefined): value is JsonObject {
  return value instanceof Map;
}

/** `doc[k1][k2]...`, or undefined as soon as a step is missing. */
export function dig(value: PyValue | undefined, ...keys: string[]): PyValue | undefined {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current.get(key);
  }
  return current;
}

function text(value: PyValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export class HateoasNavigator {
  private root?: JsonObject;

  /** `http` is a client whose base is the hateoas URL itself (its certificate and timeout). */
  constructor(
    readonly url: string,
    private readonly http: SlapClient,
  ) {}

  private async getJson(url: string): Promise<PyValue> {
    const body = await this.http.get(url);
    try {
      return loadsJson(body);
    } catch (cause) {
      throw new SlapError("server", `the hateoas API at ${url} answered something that is not JSON`, { cause });
    }
  }

  private async rootDocument(): Promise<JsonObject> {
    if (this.root) return this.root;
    const root = await this.getJson(this.url);
    if (!isObject(root)) throw new SlapError("server", `the hateoas root document at ${this.url} is not a JSON object`);
    this.root = root;
    return root;
  }

  private async link(name: string): Promise<string> {
    const href = text(dig(await this.rootDocument(), "_links", name, "href"));
    if (!href) throw new SlapError("server", `the hateoas root document at ${this.url} has no '${name}' link`);
    return href;
  }

  /** `jio_allDocs`: the rows of a catalogue query. */
  async search(query: string, selectList: string[]): Promise<JsonObject[]> {
    const values: Record<string, TemplateValue> = { query, select_list: selectList, limit: 40 };
    const url = expandTemplate(await this.link("raw_search"), values);
    const contents = dig(await this.getJson(url), "_embedded", "contents");
    if (!Array.isArray(contents)) throw new SlapError("server", `the hateoas search at ${url} has no _embedded.contents list`);
    return contents.filter(isObject);
  }

  /** `jio_get`: one document, its form fields flattened (`my_title` → `title`), plus `portal_type`. */
  async get(relativeUrl: string): Promise<JsonObject> {
    const url = expandTemplate(await this.link("traverse"), { relative_url: relativeUrl, view: "slaposjs_view" });
    const document = await this.getJson(url);
    const form = dig(document, "_embedded", "_view");
    if (!isObject(form)) throw new SlapError("server", `the hateoas document ${relativeUrl} has no form (_embedded._view)`);
    const data: JsonObject = new Map();
    data.set("portal_type", dig(document, "_links", "type", "name") ?? null);
    for (const [key, field] of form) {
      const name = key.startsWith("my_") ? key.slice(3) : key.startsWith("your_") ? key.slice(5) : undefined;
      if (name === undefined || !isObject(field)) continue;
      if (FIELD_TYPES.has(String(field.get("type")))) data.set(name, field.get("default") ?? null);
    }
    return data;
  }

  /** A computer token (a real SlapOS Master): `<self>/computer_module/Base_getComputerToken`. */
  async getToken(): Promise<string> {
    const self = text(dig(await this.rootDocument(), "_links", "self", "href"));
    if (!self) throw new SlapError("server", `the master at ${this.url} does not offer computer tokens (no 'self' link in its hateoas root)`);
    const answer = await this.getJson(`${self}/computer_module/Base_getComputerToken`);
    const token = text(dig(answer, "access_token"));
    if (!token) throw new SlapError("server", `the master's token answer has no access_token`);
    return token;
  }

  // --- the queries of the client commands --------------------------------

  private static readonly SERVICES = 'portal_type:"Instance Tree" AND validation_state:validated';
  private static readonly COMPUTERS = 'portal_type:"Compute Node" AND validation_state:validated';

  /** Root instances (instance trees): each row has at least `title` and `url_string`. */
  instanceTrees(): Promise<JsonObject[]> {
    return this.search(HateoasNavigator.SERVICES, ["title", "url_string"]);
  }

  /** The root instance titled `title`, read in full; not-found when there is none. */
  async instanceTree(title: string): Promise<JsonObject> {
    const rows = await this.search(`${HateoasNavigator.SERVICES} AND title:="${title}"`, ["title", "relative_url"]);
    if (rows.length > 1) throw new SlapError("server", `There are more than one Instance Tree for this reference: ${title}`);
    const row = rows.find((r) => r.get("title") === title);
    const relativeUrl = text(row?.get("relative_url"));
    if (!relativeUrl) throw new SlapError("not-found", "This document does not exist.");
    return this.get(relativeUrl);
  }

  computers(): Promise<JsonObject[]> {
    return this.search(HateoasNavigator.COMPUTERS, ["title", "reference"]);
  }

  async computer(reference: string): Promise<JsonObject> {
    const rows = await this.search(`${HateoasNavigator.COMPUTERS} AND reference:="${reference}"`, ["reference", "relative_url"]);
    if (rows.length > 1) throw new SlapError("server", `There are more than one Computer for this reference: ${reference}`);
    const row = rows.find((r) => r.get("reference") === reference);
    const relativeUrl = text(row?.get("relative_url"));
    if (!relativeUrl) throw new SlapError("not-found", "This computer does not exist.");
    return this.get(relativeUrl);
  }
}
