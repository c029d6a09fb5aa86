/**
 * The whole of one request, in the reference's order of decisions
 * (slap-protocol.md §4.5, §4.6, §4.9, §4.10), shared by the SLAP route and
 * the JSON-RPC `slapos.post.v0.software_instance`:
 *
 * 1. decide where a new instance would be forwarded (may ask a master for
 *    its run id — outside any transaction);
 * 2. a shared request first tries the frontend bypass;
 * 3. in one write transaction: find the requester's tree, then find or
 *    allocate locally — or stop there if the instance must be forwarded;
 * 4. forward (outside the transaction), then record the forward.
 */
import { messageOf } from "../../errors.ts";
import type { PyObject } from "../../slap/marshal/values.ts";
import type { MasterContext, RequestOrigin } from "../context.ts";
import type { MultimasterEntry } from "../settings.ts";
import { forwardRequest, forwardTarget, recordForward } from "./forward.ts";
import { frontendBypass } from "./frontend.ts";
import { requestInstance, requestShared, targetComputer, type ParsedRequest } from "./request.ts";

export interface RequestOutcome {
  document: PyObject;
  kind: "instance" | "shared" | "frontend" | "forwarded";
}

type Decision = { target?: MultimasterEntry; error?: unknown };

/** Root title of the requester's tree, "" for a user or a free/unknown partition. */
export function requesterTree(ctx: MasterContext, computerId?: string, partitionId?: string): string {
  if (computerId === undefined || partitionId === undefined) return "";
  const partition = ctx.store.sql.partition.get(partitionId, computerId);
  return partition?.requested_by || partition?.partition_reference || "";
}

export async function performRequest(
  ctx: MasterContext,
  request: Omit<ParsedRequest, "requestedBy">,
  requester: { computerId?: string; partitionId?: string },
  origin: RequestOrigin,
): Promise<RequestOutcome> {
  const decision: Decision = await forwardTarget(ctx, { ...request, requestedBy: "" }, origin).then(
    (target) => ({ target }),
    (error) => ({ error }),
  );
  if (request.shared) {
    if (decision.error) throw decision.error;
    if (!decision.target) {
      const bypass = frontendBypass(ctx, { ...request, requestedBy: "" }, origin);
      if (bypass) return { document: bypass, kind: "frontend" };
    }
  }
  const local = await ctx.store.transaction("write", async () => {
    const parsed: ParsedRequest = { ...request, requestedBy: requesterTree(ctx, requester.computerId, requester.partitionId) };
    if (parsed.shared) {
      const slaveReference = `${parsed.requestedBy}_${parsed.partitionReference}`;
      const exists = ctx.store.sql.slave.get(slaveReference, targetComputer(ctx, parsed.filter));
      if (!exists && decision.target) return { parsed, forward: decision.target };
      return { parsed, document: requestShared(ctx, parsed), kind: "shared" as const };
    }
    const exists = ctx.store.sql.instance.get(parsed.partitionReference, parsed.requestedBy);
    if (!exists) {
      if (decision.error) throw decision.error;
      if (decision.target) return { parsed, forward: decision.target };
    }
    return { parsed, document: await requestInstance(ctx, parsed, exists), kind: "instance" as const };
  });
  if (local.document) return { document: local.document, kind: local.kind };
  const { document, name } = await forwardRequest(ctx, local.forward!, local.parsed);
  try {
    await ctx.store.transaction("write", () => recordForward(ctx, name, local.forward!.url, local.parsed.requestedState));
  } catch (error) {
    ctx.log.error(`could not record the forward of ${name} to ${local.forward!.url}: ${messageOf(error)}`);
    throw error;
  }
  return { document, kind: "forwarded" };
}
