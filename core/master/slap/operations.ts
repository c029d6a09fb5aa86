/**
 * The master's writes other than requests (slap-protocol.md §4.4, §4.7,
 * §4.8): format, supply, connection parameters, destruction, rename, bang.
 * Each runs inside the caller's write transaction.
 */
import type { PyValue } from "../../slap/marshal/values.ts";
import { isPlainDict } from "../../slap/marshal/values.ts";
import { dict2xml } from "../../slap/param-xml.ts";
import { pyRepr } from "../../slap/python-repr.ts";
import type { MasterContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { MAX_REFERENCE_LENGTH, checkText } from "../http/input.ts";
import { nextTimestamp } from "./time.ts";

export interface FormatAddress {
  address: string;
  netmask: string | null;
  interfaceName: string;
}

export interface FormatPartition {
  partitionId: string;
  addresses: FormatAddress[];
}

/** "Format": computer row, drop unlisted partitions and their shared instances, rewrite addresses. */
export function formatComputer(
  ctx: MasterContext,
  computerId: string,
  partitions: FormatPartition[],
  address: string | null,
  netmask: string | null,
): void {
  const sql = ctx.store.sql;
  const db = ctx.store.db;
  sql.upsertComputer.run(computerId, address, netmask);
  const listed = partitions.map((p) => p.partitionId);
  const placeholders = listed.map(() => "?").join(",");
  db.query(`DELETE FROM partition WHERE computer_reference=? AND reference NOT IN (${placeholders})`).run(computerId, ...listed);
  db.query(`DELETE FROM slave WHERE computer_reference=? AND hosted_by NOT IN (${placeholders})`).run(computerId, ...listed);
  sql.deleteNetworks.run(computerId);
  for (const partition of partitions) {
    sql.insertPartition.run(partition.partitionId, computerId);
    for (const a of partition.addresses) sql.insertNetwork.run(a.interfaceName, partition.partitionId, computerId, a.address, a.netmask);
  }
}

function text(value: PyValue | undefined, what: string, optional = false): string | null {
  if ((value === undefined || value === null) && optional) return null;
  if (typeof value !== "string") throw new HttpError(400, `${what} must be a string`);
  if (value.length > MAX_REFERENCE_LENGTH) throw new HttpError(400, `${what} is longer than ${MAX_REFERENCE_LENGTH} characters`);
  return checkText(value, what);
}

/** Read slapformat's computer dict (slap-protocol.md §4.4) into what formatComputer takes. */
export function parseComputerDict(value: PyValue): { computerId: string; address: string | null; netmask: string | null; partitions: FormatPartition[] } {
  if (!isPlainDict(value)) throw new HttpError(400, "xml must be a marshalled computer dictionary");
  const computerId = text(value.reference, "computer reference")!;
  if (!computerId) throw new HttpError(400, "computer reference is empty");
  const list = value.partition_list;
  if (!Array.isArray(list)) throw new HttpError(400, "partition_list must be a list");
  const seen = new Set<string>();
  const partitions = list.map((item, index) => {
    if (!isPlainDict(item)) throw new HttpError(400, `partition_list[${index}] must be a dictionary`);
    const partitionId = text(item.reference, `partition_list[${index}] reference`)!;
    if (!partitionId) throw new HttpError(400, `partition_list[${index}] reference is empty`);
    if (seen.has(partitionId)) throw new HttpError(400, `partition ${partitionId} is listed twice`);
    seen.add(partitionId);
    const tap = item.tap;
    if (!isPlainDict(tap)) throw new HttpError(400, `partition ${partitionId}: tap must be a dictionary`);
    // An empty tap name falls back to the partition reference (webrunner compatibility).
    const interfaceName = text(tap.name ?? "", `partition ${partitionId} tap name`) || partitionId;
    const addresses = item.address_list ?? [];
    if (!Array.isArray(addresses)) throw new HttpError(400, `partition ${partitionId}: address_list must be a list`);
    return {
      partitionId,
      addresses: addresses.map((a, i) => {
        if (!isPlainDict(a)) throw new HttpError(400, `partition ${partitionId}: address_list[${i}] must be a dictionary`);
        return {
          address: text(a.addr, `partition ${partitionId} address_list[${i}] addr`)!,
          netmask: text(a.netmask, `partition ${partitionId} address_list[${i}] netmask`, true),
          interfaceName,
        };
      }),
    };
  });
  return {
    computerId,
    address: text(value.address, "computer address", true),
    netmask: text(value.netmask, "computer netmask", true),
    partitions,
  };
}

export function supply(ctx: MasterContext, computerId: string, url: string, state: string): void {
  if (state !== "available" && state !== "destroyed") throw new HttpError(400, `Wrong state ${state}: supply takes available or destroyed`);
  ctx.store.sql.supply.run(url, computerId, state);
}

/** `Supplied '<url>' to be <state>`, the URL quoted as Python's repr. */
export function suppliedMessage(url: string, state: string): string {
  return `Supplied ${pyRepr(url)} to be ${state}`;
}

export function setConnection(ctx: MasterContext, computerId: string, partitionId: string, connection: Record<string, PyValue>, slaveReference?: string): void {
  const xml = dict2xml(connection);
  if (!slaveReference || slaveReference === "None") ctx.store.sql.setConnection.run(xml, partitionId, computerId);
  else ctx.store.sql.setSlaveConnection.run(xml, partitionId, slaveReference);
}

/**
 * Second phase of destruction: free the partition, or, for a root that
 * still has children, ask the children to be destroyed first. Answers the
 * reference's text.
 */
export function destroyedPartition(ctx: MasterContext, computerId: string, partitionId: string): string {
  const sql = ctx.store.sql;
  const partition = sql.partition.get(partitionId, computerId);
  if (!partition) return `Unknown partition ${pyRepr(partitionId)} on ${pyRepr(computerId)}`;
  if (!partition.requested_by && partition.partition_reference !== null) {
    const children = sql.childrenOf.all(partition.partition_reference);
    if (children.length) {
      sql.destroyChildren.run(partition.partition_reference);
      return `Not destroying yet because this partition has child partitions: ${children.map((c) => c.partition_reference).join(", ")}`;
    }
  }
  sql.free.run(partitionId, computerId);
  return "OK";
}

export function renamePartition(ctx: MasterContext, computerId: string, partitionId: string, newName: string): string {
  const sql = ctx.store.sql;
  const partition = sql.partition.get(partitionId, computerId);
  if (!partition) return `Unknown partition ${pyRepr(partitionId)} on ${pyRepr(computerId)}`;
  if (!partition.requested_by && partition.partition_reference !== null) sql.renameChildren.run(newName, partition.partition_reference);
  sql.rename.run(newName, partitionId, computerId);
  return "done";
}

/** Bang: every partition of the tree rooted at `root` gets the same new timestamp, on every computer. */
export function bangTree(ctx: MasterContext, root: string, requestedBy: string): void {
  ctx.store.sql.bang.run(nextTimestamp(), root, requestedBy, root);
}

/** Root title of a partition's tree (its requested_by, or its own name), or undefined if unknown/free. */
export function rootTitleOf(ctx: MasterContext, computerId: string, partitionId: string): string | undefined {
  const partition = ctx.store.sql.partition.get(partitionId, computerId);
  if (!partition) return undefined;
  return partition.requested_by || partition.partition_reference || undefined;
}
