/**
 * `getFullComputerInformation` (slap-protocol.md §3.1, §3.2): the computer
 * document a node reads at every run. It is the hottest path of the
 * master, so its marshalled body is cached per computer against the
 * store's generation (any committed write, ours or another process's,
 * invalidates it), unless a plugin transforms the document.
 */
import { dumps } from "../../slap/marshal/encode.ts";
import type { MasterContext } from "../context.ts";
import type { NetworkRow } from "../db/store.ts";
import { HttpError } from "../http/errors.ts";
import { computerDocument, partitionDocument, softwareReleaseDocument } from "./documents.ts";

interface CacheEntry {
  generation: string;
  /** The marshalled document, already UTF-8 encoded: re-encoding 20 KB per answer is most of the cost. */
  body: Uint8Array;
}

const encoder = new TextEncoder();

const caches = new WeakMap<MasterContext, Map<string, CacheEntry>>();
const MAX_CACHED_COMPUTERS = 256;

/** The unknown computer: the reference raises inside the server, which the client sees as 500. */
export class UnknownComputer extends HttpError {
  constructor(computerId: string) {
    super(500, `${computerId} is not registered.`);
  }
}

function groupByPartition(networks: NetworkRow[]): Map<string, NetworkRow[]> {
  const out = new Map<string, NetworkRow[]>();
  for (const network of networks) {
    const list = out.get(network.partition_reference);
    if (list) list.push(network);
    else out.set(network.partition_reference, [network]);
  }
  return out;
}

/** Build the Computer document; runs inside a read transaction. */
export function buildComputer(ctx: MasterContext, computerId: string) {
  const sql = ctx.store.sql;
  if (!sql.computer.get(computerId) && computerId !== ctx.settings.computerId) throw new UnknownComputer(computerId);
  const software = sql.softwareOf.all(computerId).map(softwareReleaseDocument);
  const networks = groupByPartition(sql.networksOfComputer.all(computerId));
  const partitions = sql.partitionsOf.all(computerId).map((row) => partitionDocument(row, networks.get(row.reference) ?? []));
  return computerDocument(computerId, software, partitions);
}

/** The marshalled body of getFullComputerInformation for `computerId`, UTF-8 encoded. */
export async function computerInformation(ctx: MasterContext, computerId: string): Promise<Uint8Array> {
  const hook = ctx.hooks?.master.computer;
  const transformed = (hook?.taps.length ?? 0) > 0;
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  if (!transformed) {
    const generation = ctx.store.generation();
    const hit = cache.get(computerId);
    if (hit && hit.generation === generation) return hit.body;
  }
  return ctx.store.transaction("read", async () => {
    const generation = ctx.store.generation();
    let document = buildComputer(ctx, computerId);
    if (hook && transformed) document = await hook.promise(document, { computerId });
    const body = encoder.encode(dumps(document));
    if (!transformed) {
      if (cache.size >= MAX_CACHED_COMPUTERS) cache.clear();
      cache.set(computerId, { generation, body });
    }
    return body;
  });
}
