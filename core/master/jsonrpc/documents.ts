/**
 * The JSON-RPC instance document (slap-protocol.md §3.3), in the
 * reference's key order, from a partition row, a shared instance, or a
 * request's answer.
 */
import { loads } from "../../slap/marshal/decode.ts";
import { PyFloat, PyObject, isPlainDict, type PyDict, type PyValue } from "../../slap/marshal/values.ts";
import { xml2dict } from "../../slap/param-xml.ts";
import type { MasterContext } from "../context.ts";
import type { PartitionRow, SlaveRow } from "../db/store.ts";
import type { JsonValue } from "../http/json.ts";

export function instanceGuid(title: string, requestedBy: string, shared: boolean): string {
  return `${title}___${requestedBy}___${shared ? 1 : 0}`;
}

/** `<title>___<requested_by>___<0|1>`, or undefined when it is not one. */
export function parseInstanceGuid(guid: string): { title: string; requestedBy: string; shared: boolean } | undefined {
  const first = guid.indexOf("___");
  if (first < 0) return undefined;
  const second = guid.indexOf("___", first + 3);
  if (second < 0) return undefined;
  const flag = guid.slice(second + 3).trim();
  if (!/^[-+]?\d+$/.test(flag)) return undefined;
  return { title: guid.slice(0, first), requestedBy: guid.slice(first + 3, second), shared: Number(flag) !== 0 };
}

/** A marshal value as JSON (tuples become arrays, floats stay floats). */
export function toJson(value: PyValue | undefined): JsonValue {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof PyFloat) return value;
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (value instanceof Set) return [...value].map(toJson);
  if (value instanceof PyObject) return null;
  if (isPlainDict(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  if (typeof value === "object") return null;
  return value;
}

function document(fields: {
  title: string | null;
  guid: string;
  sr: string | null;
  type: string | null;
  state: string | null;
  connection: JsonValue;
  parameters: JsonValue;
  shared: boolean;
  root: string | null;
  ipList: JsonValue;
  computer: string | null;
  partition: string | null;
  timestamp: number;
}): Record<string, JsonValue> {
  return {
    title: fields.title,
    instance_guid: fields.guid,
    software_release_uri: fields.sr,
    software_type: fields.type,
    state: fields.state,
    connection_parameters: fields.connection,
    parameters: fields.parameters,
    shared: fields.shared,
    root_instance_title: fields.root,
    ip_list: fields.ipList,
    full_ip_list: [],
    sla_parameters: {},
    computer_guid: fields.computer,
    compute_partition_id: fields.partition,
    processing_timestamp: fields.timestamp,
    access_status_message: "",
  };
}

export function partitionJson(ctx: MasterContext, row: PartitionRow): Record<string, JsonValue> {
  const networks = ctx.store.sql.networksOf.all(row.reference, row.computer_reference);
  return document({
    title: row.partition_reference,
    guid: instanceGuid(row.partition_reference ?? "None", row.requested_by, false),
    sr: row.software_release,
    type: row.software_type,
    state: row.requested_state,
    connection: xml2dict(row.connection_xml),
    parameters: xml2dict(row.xml),
    shared: false,
    root: row.requested_by || row.partition_reference,
    ipList: networks.map((n) => [n.reference, n.address]),
    computer: row.computer_reference,
    partition: row.reference,
    timestamp: Math.trunc(row.timestamp ?? 0),
  });
}

/** The host's list entry of a shared instance, without the master's own keys. */
export function sharedEntry(host: PartitionRow, reference: string): PyDict | undefined {
  if (!host.slave_instance_list) return undefined;
  const list = loads(host.slave_instance_list);
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((item) => isPlainDict(item) && item.slave_title === reference) as PyDict | undefined;
  if (!entry) return undefined;
  const out: PyDict = { ...entry };
  delete out.slave_title;
  delete out.slap_software_type;
  delete out.slave_reference;
  return out;
}

export function sharedJson(slave: SlaveRow, host: PartitionRow): Record<string, JsonValue> | undefined {
  const at = slave.reference.indexOf("_");
  const title = slave.reference.slice(at + 1);
  const askedBy = slave.asked_by ?? "";
  const parameters = sharedEntry(host, slave.reference);
  if (!parameters) return undefined;
  return document({
    title,
    guid: instanceGuid(title, askedBy, true),
    sr: host.software_release,
    type: host.software_type,
    state: "started",
    connection: xml2dict(slave.connection_xml),
    parameters: toJson(parameters),
    shared: true,
    root: askedBy || title,
    ipList: [],
    computer: host.computer_reference,
    partition: host.reference,
    timestamp: Math.trunc(host.timestamp ?? 0),
  });
}

/** The answer of `slapos.post.v0.software_instance`, from what the request produced. */
export function requestJson(
  title: string,
  shared: boolean,
  state: string,
  parameters: PyDict,
  body: { softwareRelease: string; softwareType: string },
  answer: PyObject,
): Record<string, JsonValue> {
  const s = answer.state;
  if (answer.className === "SoftwareInstance") {
    const parameterDict: PyDict = { ...((s._parameter_dict as PyDict) ?? {}) };
    const timestamp = shared ? 0 : Math.trunc(Number(parameterDict.timestamp ?? 0));
    delete parameterDict.timestamp;
    const ipList = Array.isArray(s.ip_list) ? s.ip_list : [];
    return document({
      title,
      guid: instanceGuid(title, "", shared),
      sr: (s.slap_software_release_url as string) ?? null,
      type: (s.slap_software_type as string) ?? null,
      state: shared ? "started" : ((s._requested_state as string) ?? state),
      connection: toJson(s._connection_dict),
      parameters: toJson(parameterDict),
      shared,
      root: title,
      ipList: toJson(ipList),
      computer: (s.slap_computer_id as string) ?? null,
      partition: (s.slap_computer_partition_id as string) ?? null,
      timestamp,
    });
  }
  return document({
    title,
    guid: instanceGuid(title, "", shared),
    sr: body.softwareRelease,
    type: body.softwareType,
    state,
    connection: toJson(s._connection_dict),
    parameters: toJson(parameters),
    shared,
    root: title,
    ipList: [],
    computer: (s._computer_id as string) ?? null,
    partition: (s._partition_id as string) ?? null,
    timestamp: 0,
  });
}
