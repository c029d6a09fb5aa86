/**
 * Multi-master forwarding (slap-protocol.md §4.9): a request for an SR
 * listed in a `[multimaster/<url>]` section, or with `filter_kw.master_url`
 * naming another master, is sent to that master with the slap client, under
 * the name `<requester>_<name>`, and the remote answer is passed back as a
 * ComputerPartition. Nothing is allocated locally; the forward is recorded
 * in `forwarded_partition_request`.
 */
import { SlapError, messageOf } from "../../errors.ts";
import { SlapClient } from "../../slap/client.ts";
import type { FormFields } from "../../slap/form.ts";
import { dumps } from "../../slap/marshal/encode.ts";
import { loads } from "../../slap/marshal/decode.ts";
import { PyObject, pyDict, tuple, type PyDict } from "../../slap/marshal/values.ts";
import { externalBase, type MasterContext, type RequestOrigin } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import type { MultimasterEntry } from "../settings.ts";
import type { ParsedRequest } from "./request.ts";

const selfCache = new WeakMap<MasterContext, Map<string, boolean>>();

/** Is `masterUrl` this master? Compared with how we are reached, then by asking it for its run id. */
async function isCurrentMaster(ctx: MasterContext, masterUrl: string, origin: RequestOrigin): Promise<boolean> {
  if (masterUrl === `http://${origin.host}:${origin.serverPort}/`) return true;
  const scheme = ctx.settings.tls ? "https" : "http";
  const own = [`${scheme}://${ctx.settings.host}:${origin.serverPort}/`, externalBase(origin)];
  if (own.includes(masterUrl.endsWith("/") ? masterUrl : `${masterUrl}/`)) return true;
  let cache = selfCache.get(ctx);
  if (!cache) selfCache.set(ctx, (cache = new Map()));
  const known = cache.get(masterUrl);
  if (known !== undefined) return known;
  try {
    const runId = await new SlapClient({ masterUrl, timeout: 10 }).getRunId();
    const answer = runId === ctx.runId;
    cache.set(masterUrl, answer);
    return answer;
  } catch {
    return false;
  }
}

/**
 * Where a request not allocated here must go: the master named by
 * `filter_kw.master_url` (404 if unlisted), else the first section listing
 * the SR, else nowhere (undefined).
 */
export async function forwardTarget(ctx: MasterContext, request: ParsedRequest, origin: RequestOrigin): Promise<MultimasterEntry | undefined> {
  const masterUrl = request.filter.master_url;
  if (masterUrl !== undefined && masterUrl !== null && masterUrl !== "") {
    if (typeof masterUrl !== "string") throw new HttpError(400, "filter master_url must be a string");
    if (!(await isCurrentMaster(ctx, masterUrl, origin))) {
      const entry = ctx.settings.multimaster.find((e) => e.url === masterUrl);
      if (!entry) {
        const message = `External SlapOS Master URL ${masterUrl} is not listed in multimaster list.`;
        ctx.log.warning(message);
        throw new HttpError(404, message);
      }
      return entry;
    }
  }
  return ctx.settings.multimaster.find((e) => e.softwareReleaseList.includes(request.softwareRelease));
}

/** Send the request to the remote master; answers the ComputerPartition the reference's client builds. */
export async function forwardRequest(ctx: MasterContext, entry: MultimasterEntry, request: ParsedRequest): Promise<{ document: PyObject; name: string }> {
  const name = `${request.requesterId}_${request.partitionReference}`;
  const https = entry.url.startsWith("https");
  if (https && (!entry.key || !entry.cert)) {
    const message = `External master ${entry.url} configuration did not specify key or certificate.`;
    ctx.log.warning(message);
    throw new HttpError(404, message);
  }
  ctx.log.info(`Forwarding request of ${name} (state=${request.requestedState}) to ${entry.url} `);
  const client = new SlapClient({ masterUrl: entry.url, keyFile: entry.key, certFile: entry.cert });
  const filter: PyDict = pyDict(Object.entries(request.filter));
  const asPartition = Boolean(entry.computer && entry.partition);
  if (!asPartition) filter.source_instance_id = name;
  const fields: FormFields = [
    ["software_release", request.softwareRelease],
    ["partition_reference", name],
    ["partition_parameter_xml", dumps(request.parameters)],
    ["filter_xml", dumps(filter)],
    ["software_type", request.softwareType],
    ["state", dumps(request.requestedState)],
    ["shared_xml", dumps(request.shared)],
  ];
  if (asPartition) fields.push(["computer_id", entry.computer!], ["computer_partition_id", entry.partition!]);
  let body: string;
  try {
    body = await client.post("requestComputerPartition", fields);
  } catch (error) {
    if (error instanceof SlapError && error.code === "not-ready") throw new HttpError(408, "Resource not ready");
    if (error instanceof SlapError && error.code === "not-found") throw new HttpError(404, messageOf(error));
    throw new HttpError(500, `forwarding to ${entry.url} failed: ${messageOf(error)}`);
  }
  const answer = loads(body);
  if (!(answer instanceof PyObject)) throw new HttpError(500, `${entry.url} answered something that is not an instance`);
  const state = pyDict(Object.entries(answer.state));
  const computerId = (state.slap_computer_id ?? state._computer_id ?? null) as string | null;
  const partitionId = (state.slap_computer_partition_id ?? state._partition_id ?? null) as string | null;
  const document = pyDict([
    ["_computer_id", computerId],
    ["_partition_id", partitionId],
    ["_request_dict", null],
    ["_hateoas_navigator", null],
  ]);
  Object.assign(document, state);
  if (request.shared) document._synced = true;
  document._master_url = entry.url;
  document._connection_helper = null;
  document._software_release_document = request.softwareRelease;
  return { document: new PyObject("slapos.slap.slap", "ComputerPartition", tuple(computerId, partitionId, null), document), name };
}

/** Record (or, for a destroy, forget) the forward, as the reference does. */
export function recordForward(ctx: MasterContext, name: string, masterUrl: string, state: string | null): void {
  if (state === "destroyed") ctx.store.sql.unforward.run(name, masterUrl);
  else ctx.store.sql.forward.run(name, masterUrl);
}
