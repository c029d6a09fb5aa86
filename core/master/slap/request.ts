/**
 * `requestComputerPartition`, local part (slap-protocol.md §4.5, §4.6):
 * find or allocate the partition of a non-shared instance, or the host of a
 * shared one, update what changed, and build the answer. Runs inside the
 * request's write transaction; forwarding and the frontend bypass are
 * decided before (forward.ts, frontend.ts).
 */
import { dumps } from "../../slap/marshal/encode.ts";
import { loads } from "../../slap/marshal/decode.ts";
import { pyDict, type PyDict, type PyObject, type PyValue } from "../../slap/marshal/values.ts";
import { dict2xml } from "../../slap/param-xml.ts";
import { pyRepr } from "../../slap/python-repr.ts";
import { SlapError } from "../../errors.ts";
import type { MasterContext } from "../context.ts";
import type { PartitionRow } from "../db/store.ts";
import { HttpError } from "../http/errors.ts";
import { sharedInstanceDocument, softwareInstanceDocument } from "./documents.ts";
import { nextTimestamp } from "./time.ts";

export const DEFAULT_SOFTWARE_TYPE = "default";

export interface ParsedRequest {
  /** `computer_partition_id` of the requester, or "user": prefixes forwarded names. */
  requesterId: string;
  /** Root title of the requester's tree; "" for a user (root) request. */
  requestedBy: string;
  softwareRelease: string;
  softwareType: string;
  partitionReference: string;
  parameters: PyDict;
  filter: PyDict;
  /** None keeps the stored state (or "started" for a new instance). */
  requestedState: string | null;
  shared: boolean;
}

/** The SLA computer: `filter_kw.computer_guid`, else the configured one. */
export function targetComputer(ctx: MasterContext, filter: PyDict): string {
  const guid = filter.computer_guid;
  if (guid === undefined || guid === null) return ctx.settings.computerId;
  if (typeof guid !== "string") throw new HttpError(400, "filter computer_guid must be a string");
  return guid;
}

async function choosePartition(ctx: MasterContext, request: ParsedRequest, computerId: string): Promise<PartitionRow | null> {
  const hook = ctx.hooks?.master.allocate;
  if (hook && hook.taps.length > 0) {
    const candidates = ctx.store.sql.freeOf.all(computerId);
    const chosen = await hook.promise({
      computerId,
      softwareRelease: request.softwareRelease,
      softwareType: request.softwareType || DEFAULT_SOFTWARE_TYPE,
      partitionReference: request.partitionReference,
      requestedBy: request.requestedBy,
      parameters: request.parameters,
      filter: request.filter,
      candidates: candidates.map((row) => ({ computerId: row.computer_reference, partitionId: row.reference })),
    });
    if (chosen !== undefined) {
      const row = ctx.store.sql.partition.get(chosen.partitionId, chosen.computerId);
      if (!row || row.slap_state !== "free") {
        throw new SlapError("plugin", `hook master.allocate chose ${chosen.computerId}/${chosen.partitionId}, which is not a free partition`);
      }
      return row;
    }
    return candidates[0] ?? null;
  }
  return ctx.store.sql.firstFree.get(computerId);
}

/**
 * A non-shared request: allocate or update, then answer a SoftwareInstance.
 * `found` is the instance's partition when the caller already looked it up
 * in this transaction (null: it does not exist).
 */
export async function requestInstance(ctx: MasterContext, request: ParsedRequest, found?: PartitionRow | null): Promise<PyObject> {
  const sql = ctx.store.sql;
  let partition = found !== undefined ? found : sql.instance.get(request.partitionReference, request.requestedBy);
  let requestedState = request.requestedState;
  let softwareType = request.softwareType;
  let name = partition?.partition_reference ?? null;
  if (!partition) {
    const computerId = targetComputer(ctx, request.filter);
    partition = await choosePartition(ctx, request, computerId);
    if (!partition) {
      ctx.log.warning("No more free computer partition");
      throw new HttpError(404, `No free computer partition found for: ${request.partitionReference}`);
    }
    name = request.partitionReference || partition.partition_reference;
    if (!softwareType) softwareType = DEFAULT_SOFTWARE_TYPE;
  } else if (request.requestedBy) {
    // A parent that is not started imposes its state on its children.
    const root = sql.instance.get(request.requestedBy, "");
    if (root && root.requested_state !== "started") requestedState = root.requested_state;
  }
  const xml = dict2xml(request.parameters);
  const state = requestedState || partition.requested_state;
  // What the node deploys changed: a new timestamp tells it to process the partition again.
  const deployedChanged =
    partition.timestamp === null ||
    partition.requested_state !== state ||
    partition.software_release !== request.softwareRelease ||
    partition.software_type !== softwareType ||
    partition.xml !== xml;
  if (deployedChanged || partition.slap_state !== "busy" || partition.partition_reference !== name) {
    const timestamp = deployedChanged ? nextTimestamp() : partition.timestamp;
    const requestedBy = request.requestedBy || partition.requested_by;
    sql.savePartition.run(name, requestedBy, state, request.softwareRelease, softwareType, xml, timestamp, partition.reference, partition.computer_reference);
    partition = {
      ...partition,
      slap_state: "busy",
      partition_reference: name,
      requested_by: requestedBy,
      requested_state: state,
      software_release: request.softwareRelease,
      software_type: softwareType,
      xml,
      timestamp,
    };
  }
  // The reference reads addresses by partition name only, across computers (reproduced, §4.5).
  const networks = sql.networksByName.all(partition.reference);
  return softwareInstanceDocument(partition, networks, requestedState || "started");
}

function sameValue(a: PyValue, b: PyValue): boolean {
  return dumps(a) === dumps(b);
}

/** A shared request: find the host, update its list of shared instances, answer for the shared instance. */
export function requestShared(ctx: MasterContext, request: ParsedRequest): PyObject {
  const sql = ctx.store.sql;
  const computerId = targetComputer(ctx, request.filter);
  const args: string[] = [request.softwareRelease, computerId];
  if (request.softwareType) args.push(request.softwareType);
  let guid: string | undefined;
  if ("instance_guid" in request.filter) {
    const value = request.filter.instance_guid;
    if (typeof value !== "string") throw new HttpError(400, "filter instance_guid must be a string");
    guid = value.startsWith(`${computerId}-`) ? value.slice(computerId.length + 1) : value;
    args.push(guid);
  }
  let host: PartitionRow | null;
  if (request.softwareType && guid !== undefined) host = sql.hostForTypeGuid.get(request.softwareRelease, computerId, request.softwareType, guid);
  else if (request.softwareType) host = sql.hostForType.get(request.softwareRelease, computerId, request.softwareType);
  else if (guid !== undefined) host = sql.hostForGuid.get(request.softwareRelease, computerId, guid);
  else host = sql.hostFor.get(request.softwareRelease, computerId);
  if (!host) {
    const message = `No partition corresponding to slave request: ${pyRepr(args)}`;
    ctx.log.warning(message);
    throw new HttpError(404, message);
  }
  const slaveReference = `${request.requestedBy}_${request.partitionReference}`;
  const entry = pyDict([
    ["slave_title", slaveReference],
    ["slap_software_type", request.softwareType],
    ["slave_reference", slaveReference],
  ]);
  for (const [key, value] of Object.entries(request.parameters)) entry[key] = value;

  // [BUG] fixed: destroying a shared instance on a host that never had a list crashed (500).
  const stored = host.slave_instance_list ? (loads(host.slave_instance_list) as PyDict[]) : [];
  let list: PyDict[] = Array.isArray(stored) ? stored : [];
  let changed = false;
  if (request.requestedState === "destroyed") {
    const before = list.length;
    list = list.filter((item) => item.slave_reference !== slaveReference);
    changed = list.length !== before;
  } else {
    const at = list.findIndex((item) => item.slave_reference === slaveReference);
    if (at < 0) {
      list.push(entry);
      changed = true;
    } else if (!sameValue(list[at], entry)) {
      list[at] = entry;
      changed = true;
    }
  }
  const listText = dumps(list);
  // A re-request that changes nothing writes nothing, so the store's generation (and the answers cached on it) stay.
  if (changed || listText !== host.slave_instance_list) {
    const timestamp = changed ? nextTimestamp() : host.timestamp;
    sql.setSlaveList.run(listText, timestamp, host.reference, computerId);
    host = { ...host, slave_instance_list: listText, timestamp };
  }

  let slave = sql.slave.get(slaveReference, computerId);
  if (!slave) {
    sql.insertSlave.run(slaveReference, computerId, request.requestedBy, host.reference);
    slave = { reference: slaveReference, computer_reference: computerId, connection_xml: null, hosted_by: host.reference, asked_by: request.requestedBy };
  }
  const networks = sql.networksOf.all(host.reference, host.computer_reference);
  return sharedInstanceDocument(host, slave.hosted_by, slave.connection_xml, dict2xml(request.parameters), networks);
}
