/**
 * slapos.cookbook:slapconfiguration.jsonschema — slapconfiguration that
 * validates the parameters against the software release's JSON schemas.
 *
 * `jsonschema` is the path of `software.cfg.json`; its serialisation
 * (json-in-xml or xml) says whether parameters come as `{"_": json}`.
 * Four options take `none`, `main`, `shared` or `all`: `validate-parameters`
 * (default all), `set-default` (none: fill schema defaults), `unstringify`
 * (none: "1" → 1, "True" → true where the schema wants integer / boolean)
 * and `report-error` (all: send validation errors to the master). Invalid
 * main parameters fail the part; shared instances are split into
 * `valid-shared-instance-list` and `invalid-shared-instance-list`
 * (`{reference, parameters[, errors]}`). `unwrap-shared` (default true)
 * unwraps shared parameters when they are not validated.
 */
import type { OptionValue, RecipeFactory } from "../recipe-api.ts";
import { expose, fetchParameters, isDict, unwrap, type Dict } from "./slapconfiguration.ts";
import { UserError } from "./util/errors.ts";
import { deleteOption, optionValue, setOptionValue } from "./util/options.ts";
import { SoftwareReleaseSchema, formatErrors } from "./util/json-schema.ts";

const ACCEPTED = ["none", "main", "shared", "all"];

function parseScope(value: string | undefined, key: string, fallback: string): { main: boolean; shared: boolean } {
  const text = value ?? fallback;
  const index = ACCEPTED.indexOf(text);
  if (index < 0) throw new UserError(`'${text}' is not a valid value for option '${key}'. Accepted values are ('none', 'main', 'shared', 'all')`);
  return { main: (index & 1) !== 0, shared: (index & 2) !== 0 };
}

export const slapconfigurationJsonschema: RecipeFactory = async (buildout, name, options) => {
  const validate = parseScope(options.get("validate-parameters"), "validate-parameters", "all");
  const setDefaults = parseScope(options.get("set-default"), "set-default", "none");
  const unstringify = parseScope(options.get("unstringify"), "unstringify", "none");
  const reportError = parseScope(options.get("report-error"), "report-error", "all");
  const fetched = await fetchParameters(buildout, options);
  const description = new SoftwareReleaseSchema(options.require("jsonschema"), options.get("slap-software-type"));
  const report = async (message: string, slaveReference?: string) => {
    try {
      await fetched.client.softwareInstanceError(fetched.computerId, fetched.partitionId, message, slaveReference);
    } catch (error) {
      buildout.log.warning(`[${name}] could not report the error to the master: ${(error as Error).message}`);
    }
  };

  let parameters: OptionValue = fetched.parameters;
  if (description.serialisation() === "json-in-xml") {
    parameters = unwrap(parameters);
    const unwrapShared = !["false", "0", "no"].includes((options.get("unwrap-shared") ?? "true").toLowerCase());
    const shared = optionValue(options, "slave-instance-list");
    if (unwrapShared && !validate.shared && Array.isArray(shared) && shared.length) {
      const unwrapped = shared.map((instance) => {
        if (!isDict(instance)) return instance;
        const entry: Dict = { ...instance };
        let payload: OptionValue | undefined = entry._;
        delete entry._;
        if (typeof payload === "string") payload = JSON.parse(payload) as OptionValue;
        if (isDict(payload)) for (const [k, v] of Object.entries(payload)) if (!(k in entry)) entry[k] = v;
        return entry;
      });
      setOptionValue(options, "slave-instance-list", unwrapped);
    }
  }

  if (validate.main) {
    const url = description.requestSchemaUrl();
    if (!url) throw new UserError(`requested software-type '${description.softwareType}' seems to have no JSON schema entry in the software.cfg.json.`);
    const instance: Dict = isDict(parameters) ? parameters : {};
    const errors = description.validator(url, { setDefaults: setDefaults.main, unstringify: unstringify.main }).errors(instance);
    if (errors.length) {
      const message = `Invalid parameters:\n${formatErrors(errors)}`;
      if (reportError.main) await report(message);
      throw new UserError(message);
    }
    parameters = instance;
  }

  if (validate.shared) {
    const list = optionValue(options, "slave-instance-list");
    deleteOption(options, "slave-instance-list");
    const valid: Dict[] = [];
    const invalid: Dict[] = [];
    if (Array.isArray(list) && list.length) {
      const url = description.sharedSchemaUrl();
      if (!url) throw new UserError(`requested shared software-type '${description.softwareType}' seems to have no JSON schema entry in the software.cfg.json.`);
      const validator = description.validator(url, { setDefaults: setDefaults.shared, unstringify: unstringify.shared });
      for (const raw of list) {
        if (!isDict(raw)) continue;
        const entry: Dict = { ...raw };
        const reference = String(entry.slave_reference ?? "");
        delete entry.slave_reference;
        const unwrapped = unwrap(entry);
        const instance: Dict = isDict(unwrapped) ? unwrapped : {};
        const errors = validator.errors(instance);
        const item: Dict = { reference, parameters: instance };
        if (errors.length) {
          item.errors = formatErrors(errors);
          invalid.push(item);
          if (reportError.shared) await report(item.errors as string, reference);
        } else valid.push(item);
      }
    }
    setOptionValue(options, "valid-shared-instance-list", valid);
    setOptionValue(options, "invalid-shared-instance-list", invalid);
  }

  expose(options, validate.main || isDict(parameters) ? parameters : {});
  if (!validate.main && !isDict(parameters)) setOptionValue(options, "configuration", parameters);
  return { install: () => [], update: () => [] };
};
