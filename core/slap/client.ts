/**
 * The SLAP client: every call the node and the client commands make to a
 * master (slap-protocol.md §3.1, §5; node-runtime.md §6), over HTTP or HTTPS
 * with a client certificate. Form fields go out in the reference's order and
 * encoding; answers come back as typed objects. HTTP 404 is a `not-found`
 * SlapError, 408 `not-ready`, any other status >= 400 `server`, a timeout or
 * refused connection `connection`, a TLS failure `authentication`.
 */
import { readFileSync } from "node:fs";
import { SlapError, messageOf } from "../errors.ts";
import { VERSION } from "../version.ts";
import { urlencode, type FormFields } from "./form.ts";
import { dumps, loads } from "./marshal/index.ts";
import { PyObject, PyTuple, pyDict, type PyDict, type PyValue } from "./marshal/values.ts";
import { Computer, ComputerPartition, SoftwareInstance } from "./objects.ts";

export interface SlapConnection {
  masterUrl: string;
  keyFile?: string;
  certFile?: string;
  /** When set, the master's certificate is verified against it (the reference never verifies). */
  caFile?: string;
  /** Seconds; the reference's default is 60. */
  timeout?: number;
  /** Largest answer accepted, in bytes. */
  maxResponseBytes?: number;
}

export interface RequestArgs {
  softwareRelease: string;
  partitionReference: string;
  softwareType?: string;
  parameters?: Record<string, PyValue>;
  /** `filter_kw`: computer_guid, instance_guid, ... */
  filter?: Record<string, PyValue>;
  shared?: boolean;
  /** Requested state; undefined sends None (the master keeps or defaults it). */
  state?: string;
  /** Set when a partition requests (a child instance). */
  computerId?: string;
  partitionId?: string;
}

/** A bare IPv6 host gets brackets, and the URL a trailing slash (slap-protocol.md §1.1). */
export function normaliseMasterUrl(url: string): string {
  let out = url.replace(/^(\w+:\/\/)([0-9a-fA-F]*:[0-9a-fA-F:]+):(\d+)(\/|$)/, (whole, scheme, host, port, tail) =>
    host.split(":").length > 2 ? `${scheme}[${host}]:${port}${tail}` : whole,
  );
  if (!out.endsWith("/")) out += "/";
  return out;
}

export class SlapClient {
  readonly masterUrl: string;
  private readonly tls?: { cert?: string; key?: string; ca?: string; rejectUnauthorized: boolean };
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(connection: SlapConnection) {
    this.masterUrl = normaliseMasterUrl(connection.masterUrl);
    this.timeoutMs = (connection.timeout ?? 60) * 1000;
    this.maxResponseBytes = connection.maxResponseBytes ?? 64 * 1024 * 1024;
    if (this.masterUrl.startsWith("https")) {
      const read = (path: string | undefined, what: string) => {
        if (!path) return undefined;
        try {
          return readFileSync(path, "utf8");
        } catch (cause) {
          throw new SlapError("config", `cannot read ${what} ${path}: ${messageOf(cause)}`, { cause });
        }
      };
      this.tls = {
        cert: read(connection.certFile, "cert_file"),
        key: read(connection.keyFile, "key_file"),
        ca: read(connection.caFile, "master_ca_file"),
        rejectUnauthorized: Boolean(connection.caFile),
      };
    }
  }

  private async call(method: "GET" | "POST", path: string, fields: FormFields): Promise<string> {
    const encoded = urlencode(fields);
    const url = new URL(method === "GET" && encoded ? `${path}?${encoded}` : path, this.masterUrl).toString();
    const headers: Record<string, string> = { Accept: "*/*", "User-Agent": `slapos.core/${VERSION}` };
    if (method === "POST") headers["Content-Type"] = "application/x-www-form-urlencoded";
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: method === "POST" ? encoded : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
        tls: this.tls,
        redirect: "follow",
      } as RequestInit);
    } catch (cause) {
      const text = messageOf(cause);
      const tlsProblem = /certificate|tls|ssl|handshake/i.test(text) || /CERT|TLS|SSL/.test(String((cause as { code?: string }).code ?? ""));
      if (tlsProblem) throw new SlapError("authentication", `TLS failure talking to ${url}: ${text}`, { cause });
      const timedOut = (cause as Error)?.name === "TimeoutError";
      throw new SlapError("connection", timedOut ? `timed out after ${this.timeoutMs / 1000}s: ${url}` : `cannot reach ${url}: ${text}`, { cause });
    }
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > this.maxResponseBytes) {
      await response.body?.cancel();
      throw new SlapError("server", `answer of ${length} bytes from ${url} is over the limit`);
    }
    const body = await response.text();
    if (response.status === 404) {
      const params = fields.map(([k, v]) => `${k}=${v}`).join("&");
      throw new SlapError("not-found", `${url} - ${params}`.slice(0, 2000));
    }
    if (response.status === 408) throw new SlapError("not-ready", `${path}: the master is not ready yet`);
    if (response.status >= 400) {
      const excerpt = body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 300);
      throw new SlapError("server", `${response.status} ${response.statusText} from ${url}${excerpt ? `: ${excerpt}` : ""}`);
    }
    return body;
  }

  get(path: string, fields: FormFields = []): Promise<string> {
    return this.call("GET", path, fields);
  }

  post(path: string, fields: FormFields): Promise<string> {
    return this.call("POST", path, fields);
  }

  // --- computer -----------------------------------------------------------

  /** One call per run, with the reference's fallback to getComputerInformation on 404. */
  async getFullComputerInformation(computerId: string): Promise<Computer> {
    let body: string;
    try {
      body = await this.get("getFullComputerInformation", [["computer_id", computerId]]);
    } catch (error) {
      if (!(error instanceof SlapError) || error.code !== "not-found") throw error;
      body = await this.get("getComputerInformation", [["computer_id", computerId]]);
    }
    return Computer.from(loads(body));
  }

  /** Format: post the computer document (format-collect-cli.md §1.12). */
  async loadComputerConfigurationFromXML(computer: PyDict): Promise<string> {
    return this.post("loadComputerConfigurationFromXML", [["xml", dumps(computer)]]);
  }

  async useComputer(computerId: string, useString: string): Promise<void> {
    if (!useString) return; // the reference skips empty usage
    await this.post("useComputer", [["computer_id", computerId], ["use_string", useString]]);
  }

  async computerBang(computerId: string, message: string): Promise<void> {
    await this.post("computerBang", [["computer_id", computerId], ["message", message]]);
  }

  // --- software releases -------------------------------------------------

  async supply(url: string, computerId: string, state: "available" | "destroyed" = "available"): Promise<string> {
    return this.post("supplySupply", [["url", url], ["computer_id", computerId], ["state", state]]);
  }

  async softwareReleaseState(
    state: "building" | "available" | "destroyed",
    url: string,
    computerId: string,
  ): Promise<void> {
    await this.post(`${state}SoftwareRelease`, [["url", url], ["computer_id", computerId]]);
  }

  async softwareReleaseError(url: string, computerId: string, errorLog: string): Promise<void> {
    await this.post("softwareReleaseError", [["url", url], ["computer_id", computerId], ["error_log", errorLog]]);
  }

  async getSoftwareReleaseListFromSoftwareProduct(query: { product?: string; url?: string }): Promise<string[]> {
    const fields: FormFields = [];
    if (query.product !== undefined) fields.push(["software_product_reference", query.product]);
    if (query.url !== undefined) fields.push(["software_release_url", query.url]);
    const value = loads(await this.get("getSoftwareReleaseListFromSoftwareProduct", fields));
    return Array.isArray(value) ? value.map(String) : [];
  }

  // --- partitions --------------------------------------------------------

  async registerComputerPartition(computerId: string, partitionId: string): Promise<ComputerPartition> {
    if (!computerId || !partitionId) throw new SlapError("not-found", "computer and partition ids are required");
    const body = await this.get("registerComputerPartition", [
      ["computer_reference", computerId],
      ["computer_partition_reference", partitionId],
    ]);
    return ComputerPartition.from(loads(body));
  }

  /**
   * requestComputerPartition, fields in the reference's order. A 408 (a real
   * master still allocating) gives an instance whose ids are not known yet.
   */
  async requestComputerPartition(args: RequestArgs): Promise<SoftwareInstance> {
    const fields: FormFields = [
      ["software_release", args.softwareRelease],
      ["partition_reference", args.partitionReference],
      ["partition_parameter_xml", dumps(pyDict(Object.entries(args.parameters ?? {})))],
      ["filter_xml", dumps(pyDict(Object.entries(args.filter ?? {})))],
      ["software_type", args.softwareType ?? "default"],
      ["state", dumps(args.state ?? null)],
      ["shared_xml", dumps(Boolean(args.shared))],
    ];
    if (args.computerId !== undefined && args.partitionId !== undefined) {
      fields.push(["computer_id", args.computerId], ["computer_partition_id", args.partitionId]);
    }
    try {
      return SoftwareInstance.from(loads(await this.post("requestComputerPartition", fields)));
    } catch (error) {
      if (!(error instanceof SlapError) || error.code !== "not-ready") throw error;
      const state = pyDict([
        ["_requested_state", args.state ?? "started"],
        ["_parameter_dict", pyDict(Object.entries(args.parameters ?? {}))],
      ]);
      return new SoftwareInstance(new PyObject("slapos.slap.slap", "SoftwareInstance", new PyTuple(), state));
    }
  }

  /** setConnectionDict; a non-shared partition sends slave_reference=None, as the reference does. */
  async setConnectionDict(
    computerId: string,
    partitionId: string,
    connection: Record<string, PyValue>,
    slaveReference?: string,
  ): Promise<void> {
    await this.post("setComputerPartitionConnectionXml", [
      ["computer_id", computerId],
      ["computer_partition_id", partitionId],
      ["connection_xml", dumps(pyDict(Object.entries(connection)))],
      ["slave_reference", slaveReference ?? "None"],
    ]);
  }

  async partitionState(state: "started" | "stopped" | "destroyed", computerId: string, partitionId: string): Promise<string> {
    return this.post(`${state}ComputerPartition`, [["computer_id", computerId], ["computer_partition_id", partitionId]]);
  }

  async softwareInstanceError(computerId: string, partitionId: string, errorLog: string, slaveReference?: string): Promise<void> {
    const fields: FormFields = [["computer_id", computerId], ["computer_partition_id", partitionId], ["error_log", errorLog]];
    if (slaveReference !== undefined) fields.push(["slave_reference", slaveReference]);
    await this.post("softwareInstanceError", fields);
  }

  async softwareInstanceBang(computerId: string, partitionId: string, message: string): Promise<void> {
    await this.post("softwareInstanceBang", [["computer_id", computerId], ["computer_partition_id", partitionId], ["message", message]]);
  }

  async softwareInstanceRename(computerId: string, partitionId: string, newName: string, slaveReference?: string): Promise<string> {
    const fields: FormFields = [["computer_id", computerId], ["computer_partition_id", partitionId], ["new_name", newName]];
    if (slaveReference !== undefined) fields.push(["slave_reference", slaveReference]);
    return this.post("softwareInstanceRename", fields);
  }

  async getComputerPartitionCertificate(computerId: string, partitionId: string): Promise<{ certificate: string; key: string }> {
    const value = loads(
      await this.get("getComputerPartitionCertificate", [["computer_id", computerId], ["computer_partition_id", partitionId]]),
    ) as PyDict;
    return { certificate: String(value?.certificate ?? ""), key: String(value?.key ?? "") };
  }

  async getComputerPartitionStatus(computerId: string, partitionId: string): Promise<PyValue> {
    return loads(await this.get("getComputerPartitionStatus", [["computer_id", computerId], ["computer_partition_id", partitionId]]));
  }

  // --- discovery ---------------------------------------------------------

  /** The probe every run starts with; a master without hateoas answers 404 and this gives undefined. */
  async getHateoasUrl(): Promise<string | undefined> {
    try {
      return (await this.get("getHateoasUrl")).trim() || undefined;
    } catch (error) {
      if (error instanceof SlapError && (error.code === "not-found" || error.code === "server")) return undefined;
      throw error;
    }
  }

  /** The master's run id (our master and slapproxy have it), to detect "that master is me". */
  async getRunId(): Promise<string> {
    return (await this.get("getRunId")).trim();
  }
}
