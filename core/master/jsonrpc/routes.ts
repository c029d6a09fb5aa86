/**
 * The JSON-RPC API (slap-protocol.md §3.3): POST `/slapos.<verb>.v0.<name>`
 * with a JSON body validated against the method's schema; answers are
 * Python `json.dumps` documents; errors are `{"status", "type", "title"}`
 * with "not found" cases as 403, as the reference does.
 */
import type { Hono } from "hono";
import { SlapError, messageOf } from "../../errors.ts";
import { pyDict, type PyDict, type PyValue } from "../../slap/marshal/values.ts";
import { dict2xml } from "../../slap/param-xml.ts";
import { externalBase, originOf, type MasterContext, type RequestOrigin } from "../context.ts";
import { HttpError, statusName } from "../http/errors.ts";
import { checkValue } from "../http/input.ts";
import { pythonJson, type JsonValue } from "../http/json.ts";
import { bangTree, destroyedPartition, formatComputer, supply } from "../slap/operations.ts";
import { performRequest } from "../slap/request-flow.ts";
import { SCHEMAS, validate } from "./schema.ts";
import { instanceGuid, parseInstanceGuid, partitionJson, requestJson, sharedJson, toJson } from "./documents.ts";
import { loads } from "../../slap/marshal/decode.ts";

type Body = Record<string, unknown>;
type Method = (body: Body, origin: RequestOrigin) => JsonValue | Promise<JsonValue>;

const ACCEPT_DESCRIPTION =
  "The resource identified by the request is only capable of generating response entities which have content characteristics not acceptable according to the accept headers sent in the request.";

function reply(value: JsonValue, status = 200): Response {
  return new Response(pythonJson(value), { status, headers: { "Content-Type": "application/json" } });
}

function error(status: number, title: string): Response {
  return reply({ status, type: statusName(status), title }, status);
}

const success = (title: string) => ({ type: "success", title });
const forbidden = (title: string): never => {
  throw new HttpError(403, title);
};

function acceptsJson(accept: string | null): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(",").some((part) => {
    const [range, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q && Number(q.slice(2)) <= 0) return false;
    const type = range.trim().toLowerCase();
    return type === "*/*" || type === "application/*" || type === "application/json";
  });
}

function guidOf(body: Body) {
  const guid = String(body.instance_guid);
  return parseInstanceGuid(guid) ?? forbidden(`instance_guid ${guid} not handled.`);
}

export function registerJsonRpcRoutes(app: Hono, ctx: MasterContext): string[] {
  const sql = ctx.store.sql;
  const read = <T>(fn: () => T) => ctx.store.transaction("read", fn);
  const write = <T>(fn: () => T) => ctx.store.transaction("write", fn);

  const registered = (computerId: string) => {
    if (!sql.computer.get(computerId)) forbidden(`${computerId} is not registered.`);
  };

  const methods: Record<string, Method> = {
    "/slapos.get.v0.hateoas_url": (_b, origin) => ({ hateoas_url: `${externalBase(origin)}hateoas/` }),
    "/slapos.remove.v0.compute_node_certificate": () => success("Ignored"),
    "/slapos.post.v0.compute_node_certificate": () => ({ key: "", certificate: "" }),
    "/slapos.get.v0.software_instance_certificate": () => ({ key: "", certificate: "" }),
    "/slapos.post.v0.compute_node_usage": () => success("Ignored"),
    "/slapos.put.v0.compute_node_bang": () => success("Ignored"),
    "/slapos.put.v0.software_instance_error": () => success("Ignored"),
    "/slapos.put.v0.software_installation_error": () => success("Ignored"),
    "/slapos.get.v0.compute_node_status": () => ({ text: "Unknown (not implemented)" }),
    "/slapos.post.v0.software_installation": async (b) => {
      const state = (b.state as string | undefined) ?? "available";
      await write(() => supply(ctx, b.computer_guid as string, b.software_release_uri as string, state));
      return success(`Supplied ${b.software_release_uri} to be ${state}`);
    },
    "/slapos.put.v0.software_installation_reported_state": async (b) => {
      if (b.reported_state !== "destroyed") return success("Ignored");
      await write(() => sql.removeSoftware.run(b.software_release_uri as string, b.computer_guid as string));
      return success("Destroyed");
    },
    "/slapos.allDocs.v0.compute_node_software_installation_list": (b) =>
      read(() => {
        registered(b.computer_guid as string);
        return {
          result_list: sql.softwareOf.all(b.computer_guid as string).map((r) => ({ software_release_uri: r.url, state: r.requested_state })),
        };
      }),
    "/slapos.put.v0.compute_node_format": async (b) => {
      const computerId = b.computer_guid as string;
      // [BUG] fixed: ip_list, network-interface and netmask are optional, as the schema says (the reference crashed after partial writes).
      const partitions = (b.compute_partition_list as Body[]).map((p) => ({
        partitionId: p.partition_id as string,
        addresses: ((p.ip_list as Body[] | undefined) ?? []).map((ip) => ({
          address: ip["ip-address"] as string,
          netmask: (ip.netmask as string | undefined) ?? null,
          interfaceName: (ip["network-interface"] as string | undefined) || (p.partition_id as string),
        })),
      }));
      await write(() => formatComputer(ctx, computerId, partitions, null, null));
      return success("Formatted");
    },
    "/slapos.allDocs.v0.compute_node_instance_list": (b) =>
      read(() => {
        registered(b.computer_guid as string);
        const rows = sql.partitionsOf.all(b.computer_guid as string).filter((r) => r.slap_state === "busy");
        return {
          result_list: rows.map((r) => ({
            title: r.partition_reference,
            instance_guid: instanceGuid(r.partition_reference ?? "None", r.requested_by, false),
            state: r.requested_state,
            compute_partition_id: r.reference,
            software_release_uri: r.software_release,
          })),
        };
      }),
    "/slapos.post.v0.software_instance": async (b, origin) => {
      const title = b.title as string;
      const shared = Boolean(b.shared);
      const state = (b.state as string | undefined) ?? "started";
      const parameters = pyDict(Object.entries((b.parameters as PyDict | undefined) ?? {}));
      const filter = pyDict(Object.entries((b.sla_parameters as PyDict | undefined) ?? {}));
      checkValue(parameters, "parameters");
      checkValue(filter, "sla_parameters");
      const request = {
        requesterId: "None",
        softwareRelease: b.software_release_uri as string,
        softwareType: b.software_type as string,
        partitionReference: title,
        parameters,
        filter,
        requestedState: state,
        shared,
      };
      try {
        const outcome = await performRequest(ctx, request, {}, origin);
        return requestJson(title, shared, state, parameters, request, outcome.document);
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) forbidden(e.description ?? "not found");
        throw e;
      }
    },
    "/slapos.get.v0.software_instance": (b) =>
      read(() => {
        const guid = guidOf(b);
        if (guid.shared) {
          const slave = ctx.store.db
            .query("SELECT * FROM slave WHERE reference=? AND asked_by=? ORDER BY rowid LIMIT 1")
            .get(`${guid.requestedBy}_${guid.title}`, guid.requestedBy) as Parameters<typeof sharedJson>[0] | null;
          if (!slave) return forbidden(`No shared instance ${b.instance_guid} found.`);
          const host = sql.partition.get(slave.hosted_by ?? "", slave.computer_reference);
          if (!host) return forbidden(`No partition hosting ${b.instance_guid} found.`);
          return sharedJson(slave, host) ?? forbidden(`No shared instance ${b.instance_guid} found.`);
        }
        const row = sql.instance.get(guid.title, guid.requestedBy);
        return row ? partitionJson(ctx, row) : forbidden(`No software instance ${b.instance_guid} found.`);
      }),
    "/slapos.get.v0.compute_partition": (b) =>
      read(() => {
        const row = sql.partition.get(b.compute_partition_id as string, b.computer_guid as string);
        if (!row || !row.partition_reference) return forbidden(`No instance on partition ${b.compute_partition_id} found.`);
        return partitionJson(ctx, row);
      }),
    "/slapos.get.v0.instance_tree": (b) =>
      read(() => {
        const title = b.title as string;
        const partitions = title ? sql.rootPartitionsTitled.all(title) : sql.rootPartitions.all();
        const shared = title ? sql.rootSharedTitled.all(`_${title}`) : sql.rootShared.all();
        if (partitions.length === 1 && !shared.length) return partitionJson(ctx, partitions[0]);
        if (!partitions.length && shared.length === 1) {
          const host = sql.partition.get(shared[0].hosted_by ?? "", shared[0].computer_reference);
          if (!host) return forbidden(`No partition hosting ${title} found.`);
          return sharedJson(shared[0], host) ?? forbidden(`No instance tree ${title} found.`);
        }
        return forbidden(`No instance tree ${title} found.`);
      }),
    "/slapos.allDocs.v0.instance_tree_list": () =>
      read(() => ({
        result_list: [
          ...sql.rootPartitions.all().map((r) => ({ title: r.partition_reference })),
          ...sql.rootShared.all().map((r) => ({ title: r.reference.slice(r.reference.indexOf("_") + 1) })),
        ],
      })),
    "/slapos.allDocs.v0.instance_node_instance_list": (b) =>
      read(() => {
        const guid = guidOf(b);
        const row = guid.shared ? null : sql.instance.get(guid.title, guid.requestedBy);
        if (!row) return forbidden(`No software instance ${b.instance_guid} found.`);
        const decoded = row.slave_instance_list ? loads(row.slave_instance_list) : [];
        const entries = (Array.isArray(decoded) ? decoded : []) as PyDict[];
        return {
          result_list: entries.map((entry) => {
            const rest: PyDict = { ...entry };
            const slaveTitle = String(rest.slave_title);
            const type = rest.slap_software_type as PyValue;
            delete rest.slave_title;
            delete rest.slap_software_type;
            delete rest.slave_reference;
            const at = slaveTitle.indexOf("_");
            const sharedTitle = slaveTitle.slice(at + 1);
            return {
              title: sharedTitle,
              instance_guid: instanceGuid(sharedTitle, slaveTitle.slice(0, at), true),
              software_type: type as JsonValue,
              state: "started",
              parameters: toJson(rest),
              compute_partition_id: row.reference,
            };
          }),
        };
      }),
    "/slapos.put.v0.software_instance_reported_state": async (b) => {
      if (b.reported_state !== "destroyed") return success("Ignored");
      const guid = guidOf(b);
      if (guid.shared) return success("Ignored");
      return write(() => {
        const row = sql.instance.get(guid.title, guid.requestedBy);
        if (!row) return forbidden(`No software instance ${b.instance_guid} found.`);
        const answer = destroyedPartition(ctx, row.computer_reference, row.reference);
        return answer === "OK" ? success("Destroyed") : forbidden(answer);
      });
    },
    "/slapos.put.v0.software_instance_bang": async (b) => {
      const guid = guidOf(b);
      if (guid.shared) forbidden("NotImplemented");
      await write(() => bangTree(ctx, guid.title, guid.requestedBy));
      return success("Bang handled");
    },
    "/slapos.put.v0.software_instance_title": async (b) => {
      const guid = guidOf(b);
      if (guid.shared) forbidden("NotImplemented");
      const title = b.title as string;
      await write(() => {
        // [BUG] fixed: renaming a root also re-links its children, as the SLAP rename does.
        if (!guid.requestedBy && sql.instance.get(guid.title, "")) sql.renameChildren.run(title, guid.title);
        ctx.store.db.query("UPDATE partition SET partition_reference=? WHERE partition_reference=? AND requested_by=?").run(title, guid.title, guid.requestedBy);
      });
      return success("Renamed");
    },
    "/slapos.put.v0.software_instance_connection_parameter": async (b) => {
      const guid = guidOf(b);
      const connection = pyDict(Object.entries(b.connection_parameter_dict as PyDict));
      checkValue(connection, "connection_parameter_dict");
      const xml = dict2xml(connection);
      await write(() => {
        if (guid.shared) {
          ctx.store.db.query("UPDATE slave SET connection_xml=? WHERE reference=? AND asked_by=?").run(xml, `${guid.requestedBy}_${guid.title}`, guid.requestedBy);
        } else {
          ctx.store.db.query("UPDATE partition SET connection_xml=? WHERE partition_reference=? AND requested_by=?").run(xml, guid.title, guid.requestedBy);
        }
      });
      return success("Updated");
    },
    "/slapos.allDocs.WIP.compute_node_list": () => read(() => ({ result_list: sql.computers.all().map((r) => ({ computer_guid: r.reference })) })),
  };

  for (const [path, method] of Object.entries(methods)) {
    app.post(path, async (c) => {
      const request = c.req.raw;
      if (!acceptsJson(request.headers.get("accept"))) return error(406, ACCEPT_DESCRIPTION);
      if (Number(request.headers.get("content-length") ?? 0) > ctx.settings.maxBodyBytes) {
        return error(413, "The data value transmitted exceeds the capacity limit.");
      }
      let body: unknown;
      try {
        body = JSON.parse(await request.text());
      } catch {
        return error(400, "The request body is not valid JSON.");
      }
      const problem = validate(body, SCHEMAS[path]);
      if (problem) return error(400, problem);
      try {
        return reply(await method(body as Body, originOf(request, new URL(request.url), ctx.serverPort)));
      } catch (e) {
        if (e instanceof HttpError && e.status < 500) return error(e.status, e.description ?? statusName(e.status));
        if (e instanceof SlapError && (e.code === "bad-request" || e.code === "marshal")) return error(400, messageOf(e));
        ctx.log.error(`${path}: ${messageOf(e)}`);
        return error(500, "Internal server error");
      }
    });
  }
  return Object.keys(methods);
}
