/**
 * slapos.cookbook:request / requestoptional (+ `.serialised`): while the
 * section initialises, requests an instance from the master and reads its
 * connection parameters.
 *
 * Required: `server-url`, `computer-id`, `partition-id` (usually copied
 * from [slap-connection]), `software-url`, `name`; optional `key-file`,
 * `cert-file`, `software-type` (default `default`), `shared` (false),
 * `state` (default: `[slap-connection] requested` when started or stopped,
 * else started), `sla-<k>` (placement filters), `config-<k>` (parameters),
 * `return` (connection parameter names). `config` and `sla` alone are
 * obsolete errors. Sets `connection-<name>` for each returned name (`''`
 * when absent), `instance-guid`, `instance-state`, `instance-status` (not
 * for shared requests) and `requested-state`.
 *
 * Install: `request` fails when the request failed or a returned parameter
 * is missing (slapgrid retries later); `requestoptional` only warns.
 * `.serialised` sends `{"_": json}` and reads the answer's `_` JSON.
 */
import { SlapError } from "../../../core/errors.ts";
import { recordRequestedInstance } from "../../../core/node/instance/transaction.ts";
import type { SoftwareInstance } from "../../../core/slap/objects.ts";
import { pyStr } from "../../../core/slap/python-repr.ts";
import type { PyValue } from "../../../core/slap/marshal/values.ts";
import type { OptionValue, RecipeFactory } from "../recipe-api.ts";
import { jsonDumps } from "../py/json.ts";
import { PyDict } from "../py/types.ts";
import { UserError } from "./util/errors.ts";
import { isTrueValue, setOptionValue } from "./util/options.ts";
import { fromWire, slapClient } from "./util/slap.ts";

const PRODUCT_PREFIX = "product.";

interface Variant {
  optional: boolean;
  serialised: boolean;
}

function isSlapFailure(error: unknown): boolean {
  return error instanceof SlapError && ["not-found", "server", "not-ready"].includes(error.code);
}

function make(variant: Variant): RecipeFactory {
  return async (buildout, name, options) => {
    let softwareUrl = options.require("software-url");
    const reference = options.require("name");
    const returned = (options.get("return") ?? "").split(/\s+/).filter(Boolean);
    if (!returned.length) buildout.log.debug(`[${name}] No parameter to return to main instance. Be careful about that...`);
    const softwareType = options.get("software-type") ?? "default";
    if (options.has("config") || options.has("sla")) throw new UserError("'config' & 'sla' options are obsolete. Clean up your software release.");
    const filter: Record<string, PyValue> = {};
    const parameters: Record<string, PyValue> = {};
    for (const key of options.keys()) {
      const value = options.get(key) ?? "";
      if (key.startsWith("sla-") && value) filter[key.slice(4)] = value;
      if (key.startsWith("config-")) parameters[key.slice(7)] = value;
    }
    const wire: Record<string, PyValue> = variant.serialised
      ? { _: jsonDumps(PyDict.from(Object.entries(parameters).map(([k, v]) => [k, String(v)]))) }
      : parameters;
    const shared = isTrueValue(options.get("shared") ?? "false");
    let defaultState = (await buildout.section("slap-connection")).get("requested") ?? "started";
    if (defaultState !== "started" && defaultState !== "stopped") defaultState = "started";
    const state = options.get("state") ?? defaultState;
    options.set("requested-state", state);

    const client = slapClient(options.get("server-url"), options.get("key-file"), options.get("cert-file"));
    const computerId = options.require("computer-id");
    const partitionId = options.require("partition-id");
    if (softwareUrl.startsWith(PRODUCT_PREFIX)) {
      try {
        const list = await client.getSoftwareReleaseListFromSoftwareProduct({ product: softwareUrl.slice(PRODUCT_PREFIX.length) });
        if (list.length) softwareUrl = list[0]!;
        else buildout.log.warning(`[${name}] Error on get software release : No Software Release corresponding to this Software Product has been found.`);
      } catch (error) {
        buildout.log.warning(`[${name}] Error on get software release : ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    let failure: unknown;
    let instance: SoftwareInstance | undefined;
    let connection: Record<string, PyValue> = {};
    let decoded: Record<string, OptionValue> = {};
    // the slap library's transaction file (node-runtime.md §3.10): the node sends the list after a successful run
    recordRequestedInstance(partitionId);
    recordRequestedInstance(partitionId, reference);
    try {
      instance = await client.requestComputerPartition({
        softwareRelease: softwareUrl,
        partitionReference: reference,
        softwareType,
        parameters: wire,
        filter,
        shared,
        state,
        computerId,
        partitionId,
      });
      const dict = instance.getConnectionParameterDict();
      if (variant.serialised) {
        const text = dict._;
        const parsed = typeof text === "string" ? (JSON.parse(text) as OptionValue) : null;
        decoded = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {};
      } else connection = dict;
      if (!shared) {
        const guid = instance.getInstanceGuid();
        const requestedState = instance.getState();
        if (guid === undefined || requestedState === undefined) {
          buildout.log.warning(`[${name}] Impossible to fetch instance GUID nor state.`);
        } else {
          options.set("instance-guid", guid);
          options.set("instance_guid", guid);
          options.set("instance-state", requestedState);
          const target = [instance.getComputerId(), instance.getPartitionId()];
          const status = target[0] && target[1] ? await client.getComputerPartitionStatus(target[0], target[1]) : null;
          setOptionValue(options, "instance-status", fromWire(status));
        }
      }
    } catch (error) {
      if (!isSlapFailure(error)) throw error;
      buildout.log.warning(
        `[${name}] Request for ${JSON.stringify(reference)} with software release ${JSON.stringify(softwareUrl)} and software type ${JSON.stringify(softwareType)} failed with partition_parameter_kw=${JSON.stringify(parameters)}, filter_kw=${JSON.stringify(filter)}, shared=${shared}, state=${JSON.stringify(state)}.`,
      );
      failure = error;
      connection = {};
    }
    let missing: string | undefined;
    for (const param of returned) {
      let value: OptionValue = "";
      if (variant.serialised ? param in decoded : param in connection) value = variant.serialised ? decoded[param]! : pyStr(connection[param]!);
      else missing ??= param;
      setOptionValue(options, `connection-${param}`, value);
    }

    const status = (): string => {
      if (!instance || !instance.getComputerId()) return "not ready yet";
      return instance.getState() ?? "unknown";
    };
    const install = (): string[] => {
      if (variant.optional) {
        if (failure) buildout.log.warning(`[${name}] Optional request failed.`);
        else if (missing !== undefined) {
          buildout.log.warning(
            `[${name}] Connection parameter ${missing} not found. Requested instance is currently ${status()}. If this error persists, check status of this instance.`,
          );
        }
        return [];
      }
      if (failure) throw failure;
      if (missing !== undefined) {
        const message = `Connection parameter ${missing} not found. Status of requested instance is: ${status()}. If this error persists, check status of this instance.`;
        buildout.log.error(`[${name}] ${message}`);
        throw new UserError(message);
      }
      return [];
    };
    return { install, update: install };
  };
}

export const request = make({ optional: false, serialised: false });
export const requestOptional = make({ optional: true, serialised: false });
export const requestSerialised = make({ optional: false, serialised: true });
export const requestOptionalSerialised = make({ optional: true, serialised: true });
