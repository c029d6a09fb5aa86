/**
 * `slapos request REFERENCE SOFTWARE_URL` (format-collect-cli.md §6.1):
 * resolve `product.X`, build the parameters (`--parameters` words or a
 * `--parameters-file`, json-in-xml wrapped when the software's schema says
 * so), validate them against the schema (warnings only), request, and log
 * the reference's sequence with the connection parameters pretty-printed as
 * Python does. A master still provisioning (408) exits 2. `--wait` (ours)
 * re-requests until connection parameters are published, or exits 2 when
 * `--timeout` runs out.
 */
import { SlapError } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import type { SoftwareInstance } from "../slap/objects.ts";
import { pyDict, type PyDict, type PyValue } from "../slap/marshal/values.ts";
import { xml2dict } from "../slap/param-xml.ts";
import type { ClientConnection } from "./connect.ts";
import { readParametersFile, serialiseParameters } from "./parameters-file.ts";
import { pformat } from "./pprint.ts";
import { resolveSoftwareString } from "./product.ts";
import { Progress } from "./progress.ts";
import { loadsJson } from "../slap/python-json.ts";
import { SoftwareReleaseSchema, type Serialisation } from "./schema.ts";
import { validateRequestParameters } from "./validate-request.ts";

export interface RequestOptions {
  reference: string;
  softwareUrl: string;
  type?: string;
  state?: string;
  slave: boolean;
  /** `--node` words, parsed: the request's filter_kw. */
  node: Record<string, string>;
  /** `--parameters` words, parsed. */
  parameters?: Record<string, string>;
  parametersFile?: string;
  forceSerialisation?: Serialisation;
  wait: boolean;
  /** Seconds `--wait` waits at most; 0 waits for ever. */
  timeout: number;
}

const NOT_READY_WARNING =
  "Instance requested. Master is provisioning it. Please rerun in a couple of minutes to get connection information.";

/** The 408 placeholder: the master did not say where the instance is. */
function provisioning(instance: SoftwareInstance): boolean {
  return instance.getComputerId() === undefined && instance.getPartitionId() === undefined;
}

/** `getConnectionParameterDict()`: `_connection_dict`, else the legacy `connection_xml`, else {}. */
function connectionDict(instance: SoftwareInstance): PyValue {
  const raw = instance.raw.state._connection_dict;
  if (raw !== undefined && raw !== null) return raw;
  const xml = instance.raw.state.connection_xml;
  return typeof xml === "string" ? pyDict(Object.entries(xml2dict(xml))) : pyDict();
}

function isEmpty(value: PyValue): boolean {
  if (value instanceof Map) return value.size === 0;
  return !value || (typeof value === "object" && Object.keys(value).length === 0);
}

function unwrapJsonInXml(connection: PyValue): PyValue {
  const wrapped = connection instanceof Map ? connection.get("_") : (connection as PyDict | null)?._;
  if (typeof wrapped !== "string") return connection;
  try {
    return loadsJson(wrapped);
  } catch {
    return connection; // the reference would crash here; showing the raw text is more useful
  }
}

async function buildParameters(options: RequestOptions, schema: SoftwareReleaseSchema): Promise<PyDict> {
  if (!options.parametersFile) return pyDict(Object.entries(options.parameters ?? {}));
  const path = options.parametersFile;
  const { kind, parameters } = readParametersFile(path);
  // A parameter XML is sent as it is: no serialisation, so no schema needed ([BUG] fixed: the reference still demands one).
  if (kind === "xml") return serialiseParameters(parameters, undefined, path);
  const serialisation = options.forceSerialisation ?? (await schema.serialisation(true));
  if (!serialisation) {
    // [BUG] fixed: the reference dies with a TypeError traceback here.
    throw new SlapError(
      "failure",
      `Cannot tell how to serialise the parameters of ${path}: the schema ${schema.softwareUrl}.json does not say; use --force-serialisation xml or json-in-xml`,
    );
  }
  return serialiseParameters(parameters, serialisation, path);
}

/**
 * The state to show. A shared instance's answer has none: the reference then
 * reads the *host* partition and shows its state and, [BUG] fixed, its
 * connection parameters instead of the shared instance's; we show the state
 * that was requested. A partition answer without one is read again, as the
 * reference does.
 */
async function requestedState(connection: ClientConnection, instance: SoftwareInstance, options: RequestOptions): Promise<string | undefined> {
  const state = instance.getState();
  if (state) return state;
  if (options.slave) return options.state ?? "started";
  try {
    const partition = await connection.slap.registerComputerPartition(instance.getComputerId()!, instance.getPartitionId()!);
    return partition.getState();
  } catch (error) {
    if (error instanceof SlapError && error.code === "not-ready") return undefined;
    throw error;
  }
}

export async function doRequest(connection: ClientConnection, options: RequestOptions, log: Logger): Promise<number> {
  const { reference } = options;
  log.info(`Validating request parameters for ${reference} as an instance of ${options.softwareUrl} ...`);
  const softwareUrl = await resolveSoftwareString(connection.slap, options.softwareUrl, log);
  const warned = new Set<string>();
  const warn = (message: string) => {
    if (warned.has(message)) return; // Python shows a given warning once
    warned.add(message);
    log.warning(message);
  };
  const schema = new SoftwareReleaseSchema(softwareUrl, options.type, warn);
  const parameters = await buildParameters(options, schema);
  await validateRequestParameters(schema, parameters, warn);

  log.info(`Requesting ${reference} as an instance of ${softwareUrl} ...`);
  const request = () =>
    connection.slap
      .requestComputerPartition({
        softwareRelease: softwareUrl,
        partitionReference: reference,
        parameters,
        softwareType: options.type,
        filter: options.node,
        state: options.state,
        shared: options.slave,
      })
      .catch((error: unknown) => {
        // The reference shows the raw "url - params" of the 404; say what it means instead.
        if (!(error instanceof SlapError && error.code === "not-found")) throw error;
        const what = options.slave ? "no partition of that software to host this shared instance" : "no free partition";
        throw new SlapError("not-found", `The master could not allocate ${reference}: ${what} on the requested computer (HTTP 404)`, { cause: error });
      });
  const display = async (instance: SoftwareInstance): Promise<PyValue> => {
    const raw = connectionDict(instance);
    return (await schema.serialisation(false)) === "json-in-xml" ? unwrapJsonInXml(raw) : raw;
  };

  let instance = await request();
  if (options.wait) {
    const waited = await waitForConnection(instance, request, display, options, log);
    if (!waited) return 2;
    instance = waited;
  }
  const state = provisioning(instance) ? undefined : await requestedState(connection, instance, options);
  if (state === undefined) {
    log.warning(NOT_READY_WARNING);
    return 2;
  }
  log.info(`Instance requested.\nState is : ${state}.`);
  log.info("Connection parameters of instance are:");
  log.info(pformat(await display(instance)));
  log.info("You can rerun the command to get up-to-date information.");
  return 0;
}

/** Re-request until connection parameters show up; undefined when `--timeout` ran out. */
async function waitForConnection(
  first: SoftwareInstance,
  request: () => Promise<SoftwareInstance>,
  display: (instance: SoftwareInstance) => Promise<PyValue>,
  options: RequestOptions,
  log: Logger,
): Promise<SoftwareInstance | undefined> {
  const ready = async (instance: SoftwareInstance) => !provisioning(instance) && !isEmpty(await display(instance));
  if (await ready(first)) return first;
  const progress = new Progress(`Waiting for the connection parameters of ${options.reference}`, log);
  const deadline = options.timeout > 0 ? Date.now() + options.timeout * 1000 : Infinity;
  let instance = first;
  let pause = 1000;
  try {
    for (;;) {
      const where = instance.getPartitionId() ? ` on ${instance.getPartitionId()} of ${instance.getComputerId()}` : "";
      progress.update(provisioning(instance) ? "the master is provisioning it" : `requested${where}, nothing published yet`);
      const left = deadline - Date.now();
      if (left <= 0) {
        progress.stop();
        log.warning(
          `Timed out after ${options.timeout} s waiting for the connection parameters of ${options.reference}. You can rerun the command to get up-to-date information.`,
        );
        return undefined;
      }
      await Bun.sleep(Math.min(pause, left));
      pause = Math.min(pause * 1.5, 10_000);
      try {
        instance = await request();
      } catch (error) {
        // A master restarting or briefly unreachable is not a reason to stop waiting.
        if (!(error instanceof SlapError && error.code === "connection")) throw error;
        continue;
      }
      if (await ready(instance)) return instance;
    }
  } finally {
    progress.stop();
  }
}
