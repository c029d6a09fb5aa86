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

/** The computer dict the reference's tests post (two addresses per partition, tap0). */
export function formatDocument(references: string[], computer = "computer"): PyDict {
  return pyDict([
    ["reference", computer],
    ["address", "12.34.56.78"],
    ["netmask", "255.255.255.255"],
    [
      "partition_list",
      references.map((reference) =>
        pyDict([
          ["reference", reference],
          ["tap", pyDict([["name", "tap0"]])],
          [
            "address_list",
            [
              pyDict([["addr", "1.2.3.4"], ["netmask", "255.255.255.255"]]),
              pyDict([["addr", "4.3.2.1"], ["netmask", "255.255.255.255"]]),
            ],
          ],
        ]),
      ),
    ],
  ]);
}

/** FORMAT(n, c): an empty format, then slappart0..n-1, as the reference's tests do. */
export async function format(master: { url: string }, n: number, computer = "computer"): Promise<void> {
  const empty = await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument([], computer))]]);
  if (empty.status !== 200 || empty.body !== "done") throw new Error(`format failed: ${empty.status} ${empty.body}`);
  const names = Array.from({ length: n }, (_, i) => `slappart${i}`);
  const full = await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(formatDocument(names, computer))]]);
  if (full.status !== 200 || full.body !== "done") throw new Error(`format failed: ${full.status} ${full.body}`);
}

export interface Req {
  sr?: string;
  type?: string | null;
  name: string;
  from?: string;
  fromComputer?: string;
  shared?: boolean;
  params?: Record<string, PyValue>;
  filter?: Record<string, PyValue>;
  state?: string | null;
}

export function requestFields(r: Req): FormFields {
  const fields: FormFields = [
    ["software_release", r.sr ?? "http://sr//"],
    ["software_type", r.type ?? "default"],
    ["partition_reference", r.name],
    ["shared_xml", dumps(Boolean(r.shared))],
    ["partition_parameter_xml", dumps(pyDict(Object.entries(r.params ?? {})))],
    ["filter_xml", dumps(pyDict(Object.entries(r.filter ?? {})))],
    ["state", dumps(r.state ?? null)],
  ];
  if (r.from !== undefined) fields.push(["computer_id", r.fromComputer ?? "computer"], ["computer_partition_id", r.from]);
  return fields;
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
