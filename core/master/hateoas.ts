/**
 * The minimal ERP5-style hateoas API of the reference (slap-protocol.md
 * §3.3), enough for `slapos service list|info` and `slapos computer
 * list|info` with `master_rest_url = <master>/hateoas`. Answers are Flask
 * JSON (sorted keys, compact, trailing newline); raw database rows travel
 * as they are, so our tables keep the reference's columns.
 *
 * When the master can issue node certificates (`client_ca_key_file`), the
 * root document also links `self`, and
 * `/hateoas/computer_module/Base_getComputerToken` hands out registration
 * tokens, as a real master does for `slapos computer token`.
 */
import type { Hono } from "hono";
import { loads } from "../slap/marshal/decode.ts";
import { PyFloat, type PyDict, type PyValue } from "../slap/marshal/values.ts";
import { dict2xml } from "../slap/param-xml.ts";
import { externalBase, originOf, type MasterContext, type RequestOrigin } from "./context.ts";
import type { ComputerRow, PartitionRow, SlaveRow } from "./db/store.ts";
import { HttpError, errorResponse, redirectResponse } from "./http/errors.ts";
import { failure } from "./http/handler.ts";
import { flaskJson, type JsonValue } from "./http/json.ts";
import { werkzeugQuote } from "./slap/frontend.ts";
import { createToken } from "./register/tokens.ts";

const SERVICE_LIST = 'portal_type:"Instance Tree" AND validation_state:validated';
const SERVICE_INFO = `${SERVICE_LIST} AND title:=`;
const COMPUTER_LIST = 'portal_type:"Compute Node" AND validation_state:validated';
const COMPUTER_INFO = `${COMPUTER_LIST} AND reference:=`;

function json(value: JsonValue, status = 200): Response {
  return new Response(flaskJson(value), { status, headers: { "Content-Type": "application/json" } });
}

function rowJson(row: PartitionRow | ComputerRow): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(row)) out[key] = key === "timestamp" && typeof value === "number" ? new PyFloat(value) : (value as JsonValue);
  return out;
}

function quotedValue(text: string): string | undefined {
  if (!/^"((\\.|[^\\"])*)"$/.test(text)) return undefined;
  return text.replace(/^"+|"+$/g, "");
}

function findSlaveEntry(host: PartitionRow | null, reference: string): PyDict | undefined {
  if (!host?.slave_instance_list) return undefined;
  const list = loads(host.slave_instance_list);
  if (!Array.isArray(list)) return undefined;
  return list.find((item) => (item as PyDict).slave_reference === reference) as PyDict | undefined;
}

export function registerHateoasRoutes(app: Hono, ctx: MasterContext): string[] {
  const sql = ctx.store.sql;
  const prefix = (origin: RequestOrigin) => `${origin.prefix}/hateoas`;

  const partitionsList = (origin: RequestOrigin, title?: string) =>
    (title === undefined ? sql.rootPartitions.all() : sql.rootPartitionsTitled.all(title)).map((row) => ({
      ...rowJson(row),
      url_string: row.software_release,
      title: row.partition_reference,
      relative_url: `${prefix(origin)}/partitions/${werkzeugQuote(row.partition_reference ?? "None")}`,
    }));

  const sharedList = (origin: RequestOrigin, title?: string) => {
    const rows: SlaveRow[] = title === undefined ? sql.rootShared.all() : sql.rootSharedTitled.all(`_${title}`);
    const out: JsonValue[] = [];
    for (const row of rows) {
      const host = row.hosted_by === null ? null : sql.partitionAnyComputer.get(row.hosted_by);
      if (!host || !findSlaveEntry(host, row.reference)) continue;
      const name = row.reference.slice(1);
      out.push({ url_string: host.software_release, title: name, relative_url: `${prefix(origin)}/shared/${werkzeugQuote(name)}` });
    }
    return out;
  };

  const computersList = (origin: RequestOrigin, reference?: string) => {
    const rows = reference === undefined ? sql.computers.all() : [sql.computer.get(reference)].filter((r): r is ComputerRow => r !== null);
    return rows.map((row) => ({ ...rowJson(row), title: row.reference, relative_url: `${prefix(origin)}/computers/${werkzeugQuote(row.reference)}` }));
  };

  const search = (query: string, origin: RequestOrigin): JsonValue[] | undefined => {
    if (query === SERVICE_LIST) return [...partitionsList(origin), ...sharedList(origin)];
    if (query.startsWith(SERVICE_INFO)) {
      const title = quotedValue(query.slice(SERVICE_INFO.length));
      if (title === undefined) return undefined;
      const found = partitionsList(origin, title);
      return found.length ? found : sharedList(origin, title);
    }
    if (query === COMPUTER_LIST) return computersList(origin);
    if (query.startsWith(COMPUTER_INFO)) {
      const reference = quotedValue(query.slice(COMPUTER_INFO.length));
      return reference === undefined ? undefined : computersList(origin, reference);
    }
    return undefined;
  };

  const handle = (fn: (url: URL, origin: RequestOrigin) => Response | Promise<Response>) => async (c: { req: { raw: Request } }) => {
    const request = c.req.raw;
    const url = new URL(request.url);
    try {
      const origin = originOf(request, url, ctx.serverPort);
      return await ctx.store.transaction("read", () => fn(url, origin));
    } catch (error) {
      return failure(ctx, error, url.pathname);
    }
  };

  app.get(
    "/hateoas",
    handle((url, origin) => redirectResponse(`${externalBase(origin)}hateoas/${url.search}`, 308)),
  );
  app.get(
    "/hateoas/",
    handle((url, origin) => {
      const mode = url.searchParams.get("mode");
      const base = externalBase(origin);
      if (mode === null) {
        const links: Record<string, JsonValue> = {
          raw_search: { href: `${base}hateoas/?mode=search&query={query}&select_list={select_list}` },
          traverse: { href: `${base}hateoas/?mode=traverse&relative_url={relative_url}&view={view}` },
        };
        if (ctx.settings.tls?.clientCaKeyFile) links.self = { href: `${base}hateoas` };
        return json({ _links: links });
      }
      if (mode === "search") {
        const query = url.searchParams.get("query");
        if (query === null) throw new HttpError(400, "missing field 'query'");
        const contents = search(query, origin);
        if (contents === undefined) throw new HttpError(400, `Unhandled query: ${query}`);
        return json({ _embedded: { contents } });
      }
      if (mode === "traverse") {
        const target = url.searchParams.get("relative_url");
        if (target === null) throw new HttpError(400, "missing field 'relative_url'");
        return redirectResponse(target, 302);
      }
      throw new HttpError(400, `Unhandled mode: ${mode}`);
    }),
  );
  app.get(
    "/hateoas/partitions/:name",
    handle((url) => {
      const name = decodeURIComponent(url.pathname.slice("/hateoas/partitions/".length));
      const row = sql.partitionNamed.get(name);
      if (!row) return errorResponse(404);
      return json(serviceDocument(name, row.requested_state, row.xml, row.connection_xml, row.software_release, row.software_type, 0));
    }),
  );
  app.get(
    "/hateoas/shared/:name",
    handle((url) => {
      const name = decodeURIComponent(url.pathname.slice("/hateoas/shared/".length));
      const slave = sql.slaveAnyComputer.get(`_${name}`);
      const host = slave?.hosted_by ? sql.partitionAnyComputer.get(slave.hosted_by) : null;
      const entry = slave && findSlaveEntry(host, slave.reference);
      if (!slave || !host || !entry) return errorResponse(404);
      const parameters: Record<string, PyValue> = { ...entry };
      delete parameters.slave_title;
      delete parameters.slave_reference;
      const softwareType = parameters.slap_software_type as string | null;
      delete parameters.slap_software_type;
      return json(serviceDocument(name, "unused", dict2xml(parameters), slave.connection_xml, host.software_release, softwareType, 1));
    }),
  );
  app.get(
    "/hateoas/computers/:reference",
    handle((url) => {
      const reference = decodeURIComponent(url.pathname.slice("/hateoas/computers/".length));
      const row = sql.computer.get(reference);
      if (!row) return errorResponse(404);
      const field = (key: string) => ({ type: "StringField", key, default: row.reference });
      return json({
        _embedded: { _view: { form_id: field("computer"), my_reference: field("reference"), my_title: field("reference") } },
        _links: { type: { name: "Computer" } },
      });
    }),
  );
  app.get("/hateoas/computer_module/Base_getComputerToken", async (c) => {
    const url = new URL(c.req.url);
    if (!ctx.settings.tls?.clientCaKeyFile) return errorResponse(404);
    try {
      const token = await ctx.store.transaction("write", () => createToken(ctx.store.db));
      return json({ access_token: token });
    } catch (error) {
      return failure(ctx, error, url.pathname);
    }
  });
  return ["/hateoas", "/hateoas/"];
}

function serviceDocument(
  reference: string,
  state: string | null,
  xml: string | null,
  connectionXml: string | null,
  softwareRelease: string | null,
  softwareType: string | null,
  shared: number,
): JsonValue {
  const field = (name: string, value: JsonValue, type = "StringField") => ({ type, key: `field_my_${name}`, default: value });
  return {
    _embedded: {
      _view: {
        form_id: { type: "StringField", key: "form_id", default: "InstanceTree_viewAsHateoas" },
        my_reference: field("reference", reference),
        my_slap_state: field("slap_state", state),
        my_text_content: field("text_content", xml),
        my_connection_parameter_list: field("connection_parameter_list", connectionXml),
        my_url_string: field("url_string", softwareRelease),
        my_source_reference: field("source_reference", softwareType),
        my_root_slave: field("root_slave", shared, "IntegerField"),
      },
    },
    _links: { type: { name: "Instance Tree" } },
  };
}
