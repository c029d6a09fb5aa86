/**
 * Helpers for the master's tests: a master on loopback with a fresh
 * database, the reference test suite's FORMAT and REQ (slap-protocol-cases.md
 * "Conventions"), and raw HTTP calls for byte-exact checks.
 */
import { join } from "node:path";
import { startMaster, type MasterOptions, type RunningMaster } from "../../../core/master/index.ts";
import { Logger } from "../../../core/log/logger.ts";
import { SlapClient } from "../../../core/slap/client.ts";
import { urlencode, type FormFields } from "../../../core/slap/form.ts";
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import { PyObject, pyDict, type PyDict, type PyValue } from "../../../core/slap/marshal/values.ts";
import { Computer } from "../../../core/slap/objects.ts";
import { tempDir } from "../../helpers/tmp.ts";
import type { Capture } from "../../helpers/wire.ts";
import { formatDocument, requestFields, type Req } from "./fixtures.ts";

export { formatDocument, requestFields, type Req };

export const quietLog = new Logger("slapos.test-master");

export interface TestMaster extends RunningMaster {
  client: SlapClient;
  dir: string;
  databaseUri: string;
}

/** A master with computer_id "computer" on a fresh database in a temp folder. */
export async function testMaster(settings: Partial<MasterOptions["settings"]> = {}, options: Partial<MasterOptions> = {}): Promise<TestMaster> {
  const dir = tempDir("slapos-master-");
  const databaseUri = settings.databaseUri ?? join(dir, "proxy.db");
  const master = await startMaster({
    settings: { computerId: "computer", port: 0, ...settings, databaseUri },
    log: options.log ?? quietLog,
    hooks: options.hooks,
  });
  return Object.assign(master, { client: new SlapClient({ masterUrl: master.url }), dir, databaseUri });
}

export interface RawAnswer {
  status: number;
  body: string;
  headers: Headers;
}

export async function rawGet(master: { url: string }, path: string, fields: FormFields = [], headers: Record<string, string> = {}): Promise<RawAnswer> {
  const query = fields.length ? `?${urlencode(fields)}` : "";
  const response = await fetch(`${master.url}${path}${query}`, { headers, redirect: "manual" });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

export async function rawPost(master: { url: string }, path: string, fields: FormFields, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const response = await fetch(`${master.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: urlencode(fields),
    redirect: "manual",
  });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** FORMAT(n, c): an empty format, then slappart0..n-1, as the reference's tests do. */
export async function format(master: { url: string }, n: number, computer = "computer"): Promise<void> {
  const empty = await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument([], computer))]]);
  if (empty.status !== 200 || empty.body !== "done") throw new Error(`format failed: ${empty.status} ${empty.body}`);
  const names = Array.from({ length: n }, (_, i) => `slappart${i}`);
  const full = await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument(names, computer))]]);
  if (full.status !== 200 || full.body !== "done") throw new Error(`format failed: ${full.status} ${full.body}`);
}

/** REQ(...): the raw answer. */
export function reqRaw(master: { url: string }, r: Req, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return rawPost(master, "/requestComputerPartition", requestFields(r), headers);
}

/** REQ(...) that must succeed: the answer's object. */
export async function req(master: { url: string }, r: Req, headers: Record<string, string> = {}): Promise<PyObject> {
  const answer = await reqRaw(master, r, headers);
  if (answer.status !== 200) throw new Error(`request ${r.name} failed: ${answer.status} ${answer.body}`);
  return loads(answer.body) as PyObject;
}

export function state(object: PyObject): PyDict {
  return object.state;
}

export function params(object: PyObject): PyDict {
  return object.state._parameter_dict as PyDict;
}

/** FULL(c) */
export async function full(master: { url: string }, computer = "computer"): Promise<Computer> {
  const answer = await rawGet(master, "/getFullComputerInformation", [["computer_id", computer]]);
  if (answer.status !== 200) throw new Error(`getFullComputerInformation ${computer}: ${answer.status}`);
  return Computer.from(loads(answer.body));
}

/** P(c, id) */
export async function partition(master: { url: string }, id: string, computer = "computer"): Promise<PyObject> {
  const found = (await full(master, computer)).getComputerPartitionList().find((p) => p.getId() === id);
  if (!found) throw new Error(`no partition ${id} on ${computer}`);
  return found.raw;
}

/**
 * The body a replayed capture sends: its form again, each value through
 * `rewrite` (paths of the capturing machine), with the captured content
 * type set in `headers`; undefined for a GET.
 */
export function replayBody(capture: Capture, rewrite: (value: string) => string, headers: Record<string, string>): string | undefined {
  if (capture.method !== "POST") return undefined;
  headers["Content-Type"] = capture.requestHeaders["content-type"];
  const form = new URLSearchParams();
  for (const [key, value] of capture.form) form.append(key, rewrite(value));
  return form.toString();
}
