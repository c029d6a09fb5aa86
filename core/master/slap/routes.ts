/**
 * The SLAP methods (slap-protocol.md §3.1): the XML API a node and the
 * client commands call, each answering what the reference answers.
 */
import type { Hono } from "hono";
import { dumps } from "../../slap/marshal/encode.ts";
import { pyDict, type PyValue } from "../../slap/marshal/values.ts";
import type { MasterContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { slapRoute, type HandlerInput, type SlapHandler } from "../http/handler.ts";
import { MAX_URL_LENGTH, asDict, type Fields } from "../http/input.ts";
import { computerInformation } from "./computer.ts";
import { partitionDocument } from "./documents.ts";
import {
  bangTree,
  destroyedPartition,
  formatComputer,
  parseComputerDict,
  renamePartition,
  rootTitleOf,
  setConnection,
  supply,
  suppliedMessage,
} from "./operations.ts";
import type { ParsedRequest } from "./request.ts";
import { performRequest } from "./request-flow.ts";
import { AnswerCache } from "./answer-cache.ts";

const IGNORED = "Ignored";
const REQUESTED_STATES = new Set(["started", "stopped", "destroyed"]);

/** Python truth of a decoded value. */
export function pyTruthy(value: PyValue): boolean {
  if (value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (typeof value === "bigint") return value !== 0n;
  if (typeof value === "object" && value && "valueOf" in value && typeof value.valueOf() === "number") return value.valueOf() !== 0;
  if (typeof value === "object" && value && Object.getPrototypeOf(value) === null) return Object.keys(value).length > 0;
  return true;
}

/** The request fields of requestComputerPartition (slap-protocol.md §4.5 inputs). */
export function parseRequestFields(fields: Fields): Omit<ParsedRequest, "requestedBy"> {
  const softwareRelease = fields.required("software_release", MAX_URL_LENGTH);
  const softwareType = fields.required("software_type");
  const partitionReference = fields.required("partition_reference");
  const state = fields.marshal("state");
  if (state !== null && (typeof state !== "string" || !REQUESTED_STATES.has(state))) {
    throw new HttpError(400, "field 'state' must be None, started, stopped or destroyed");
  }
  // [BUG] fixed: the reference crashes (500) when one of these three is missing; its intent is these defaults.
  const parameters = asDict(fields.marshal("partition_parameter_xml", pyDict()), "field 'partition_parameter_xml'");
  const filter = asDict(fields.marshal("filter_xml", pyDict()), "field 'filter_xml'");
  const shared = pyTruthy(fields.marshal("shared_xml", false));
  return {
    requesterId: fields.optional("computer_partition_id") ?? "user",
    softwareRelease,
    softwareType,
    partitionReference,
    parameters,
    filter,
    requestedState: state as string | null,
    shared,
  };
}

function marshalText(value: PyValue): string {
  return dumps(value);
}

async function write<T>(input: HandlerInput, fn: () => T): Promise<T> {
  return input.ctx.store.transaction("write", fn);
}

export function registerSlapRoutes(app: Hono, ctx: MasterContext): string[] {
  const paths: string[] = [];
  const get = (path: string, handler: SlapHandler) => {
    paths.push(path);
    app.get(path, slapRoute(ctx, handler));
  };
  const post = (path: string, handler: SlapHandler) => {
    paths.push(path);
    app.post(path, slapRoute(ctx, handler));
  };

  const information = (input: HandlerInput) => computerInformation(ctx, input.fields.required("computer_id"));
  get("/getComputerInformation", information);
  get("/getFullComputerInformation", information);

  get("/registerComputerPartition", async ({ fields }) => {
    const computerId = fields.required("computer_reference");
    const partitionId = fields.required("computer_partition_reference");
    return ctx.store.transaction("read", () => {
      const row = ctx.store.sql.partition.get(partitionId, computerId);
      if (!row) throw new HttpError(500, `Nonexisting partition ${partitionId} on ${computerId}`);
      return marshalText(partitionDocument(row, ctx.store.sql.networksOf.all(partitionId, computerId)));
    });
  });

  const answers = new AnswerCache();
  post("/requestComputerPartition", async ({ fields, origin }) => {
    const body = fields.body;
    const generation = ctx.store.generation();
    const known = body === undefined ? undefined : answers.get(body, generation);
    if (known !== undefined) return known;
    const writes = ctx.store.writes;
    const request = parseRequestFields(fields);
    const requester = { computerId: fields.optional("computer_id"), partitionId: fields.optional("computer_partition_id") };
    const outcome = await performRequest(ctx, request, requester, origin);
    const answer = marshalText(outcome.document);
    // Kept: an existing instance whose request changed nothing, as nobody else did meanwhile in this process
    // (another process's commit moves the generation past the one read before, so the answer is never found).
    // Such an answer depends on the body and the database alone; a master_url filter would make it depend
    // on how the master is reached.
    if (body !== undefined && outcome.kind === "instance" && !("master_url" in request.filter) && ctx.store.writes === writes) {
      answers.set(body, generation, answer);
    }
    return answer;
  });

  post("/setComputerPartitionConnectionXml", async (input) => {
    const { fields } = input;
    const slaveReference = fields.optional("slave_reference");
    const partitionId = fields.required("computer_partition_id");
    const computerId = fields.required("computer_id");
    const connection = asDict(fields.marshal("connection_xml"), "field 'connection_xml'");
    await write(input, () => setConnection(ctx, computerId, partitionId, connection, slaveReference));
    return "done";
  });

  for (const name of ["buildingSoftwareRelease", "availableSoftwareRelease", "softwareReleaseError"]) {
    post(`/${name}`, () => IGNORED);
  }
  post("/destroyedSoftwareRelease", async (input) => {
    const computerId = input.fields.required("computer_id");
    const url = input.fields.required("url", MAX_URL_LENGTH);
    await write(input, () => ctx.store.sql.removeSoftware.run(url, computerId));
    return "OK";
  });
  post("/supplySupply", async (input) => {
    const url = input.fields.required("url", MAX_URL_LENGTH);
    const computerId = input.fields.required("computer_id");
    const state = input.fields.required("state");
    await write(input, () => supply(ctx, computerId, url, state));
    return suppliedMessage(url, state);
  });

  for (const name of ["startedComputerPartition", "stoppedComputerPartition", "softwareInstanceError", "useComputer"]) {
    post(`/${name}`, () => IGNORED);
  }
  post("/destroyedComputerPartition", (input) => {
    const partitionId = input.fields.required("computer_partition_id");
    const computerId = input.fields.required("computer_id");
    return write(input, () => destroyedPartition(ctx, computerId, partitionId));
  });
  post("/softwareInstanceBang", async (input) => {
    const computerId = input.fields.required("computer_id");
    const partitionId = input.fields.required("computer_partition_id");
    await write(input, () => {
      const root = rootTitleOf(ctx, computerId, partitionId);
      if (root !== undefined) bangTree(ctx, root, "");
    });
    return "OK";
  });
  post("/softwareInstanceRename", (input) => {
    const newName = input.fields.required("new_name");
    const partitionId = input.fields.required("computer_partition_id");
    const computerId = input.fields.required("computer_id");
    return write(input, () => renamePartition(ctx, computerId, partitionId, newName));
  });
  post("/loadComputerConfigurationFromXML", async (input) => {
    const computer = parseComputerDict(input.fields.marshal("xml", undefined, ctx.settings.maxBodyBytes));
    await write(input, () => formatComputer(ctx, computer.computerId, computer.partitions, computer.address, computer.netmask));
    return "done";
  });
  post("/computerBang", () => marshalText(""));
  get("/getComputerPartitionStatus", () => marshalText("Not implemented."));
  get("/getComputerPartitionCertificate", () => marshalText(pyDict([["certificate", ""], ["key", ""]])));
  get("/getSoftwareReleaseListFromSoftwareProduct", ({ fields }) => {
    const product = fields.optional("software_product_reference");
    const url = fields.optional("software_release_url", MAX_URL_LENGTH);
    if (product !== undefined && url !== undefined) {
      throw new HttpError(400, "give software_product_reference or software_release_url, not both");
    }
    if (url) throw new HttpError(501, "software_release_url parameter is not supported yet.");
    if (product === undefined) throw new HttpError(400, "missing field 'software_product_reference'");
    const found = ctx.settings.softwareProductList[product];
    return marshalText(found === undefined ? [] : [found]);
  });
  return paths;
}
