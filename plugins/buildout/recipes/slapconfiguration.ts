/**
 * slapos.cookbook:slapconfiguration (+ `.serialised`): while the section
 * initialises, reads this partition from the master (registerComputerPartition)
 * and fills the section:
 *
 * - `instance-state`, `instance-guid`, `instance-title`,
 *   `root-instance-title`, `root-instance-short-title` (default `UNKNOWN
 *   Instance` / `UNKNOWN`);
 * - `slap-software-type`, `slap-computer-partition-id`, `slap-computer-id`,
 *   `slap-software-release-url`, `slave-instance-list`, `timestamp` (the
 *   master's `slap_*` keys with `_` turned into `-`);
 * - `ipv4` / `ipv6` (sorted lists of the partition's addresses) and
 *   `ipv4-random` / `ipv6-random` (the smallest of each);
 * - `storage-dict` (storage name → `DATA/<name>` link, from `storage-home`);
 * - keys of the partition resource file `.slapos-resource` (searched upwards
 *   from the buildout folder), flattened with `-`, never overriding;
 * - `configuration` (the parameter dict) and `configuration.<key>` for each
 *   parameter whose name can be an option name.
 *
 * `.serialised` unwraps parameters sent as `{"_": "<json>"}`. Inputs:
 * `url`/`server-url`, `key`/`key-file`, `cert`/`cert-file`,
 * `computer`/`computer-id`, `partition`/`partition-id`, `storage-home`.
 * Install and update do nothing.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { isIP } from "node:net";
import { dirname, join, resolve } from "node:path";
import type { BuildoutView, OptionValue, Options, RecipeFactory } from "../recipe-api.ts";
import { UserError } from "./util/errors.ts";
import { setOptionValue } from "./util/options.ts";
import { fromWire, slapClient } from "./util/slap.ts";

/** ConfigParser's OPTCRE: a key with `=` or `:` could not be an option name. */
const NOT_AN_OPTION = /[=:]/;

export const RESOURCE_FILE = ".slapos-resource";

export type Dict = Record<string, OptionValue>;

export function isDict(value: OptionValue | undefined): value is Dict {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** librecipe.unwrap: `{"_": json}` → the decoded JSON; anything else unchanged. */
export function unwrap(value: OptionValue): OptionValue {
  if (isDict(value) && typeof value._ === "string") {
    try {
      return JSON.parse(value._) as OptionValue;
    } catch (error) {
      throw new UserError(`the serialised parameter "_" is not JSON: ${(error as Error).message}`);
    }
  }
  return value;
}

function flatten(data: Dict, prefix = ""): Dict {
  const out: Dict = {};
  for (const [key, value] of Object.entries(data)) {
    const name = prefix + key.replaceAll("_", "-");
    if (isDict(value)) Object.assign(out, flatten(value, name + "-"));
    else out[name] = value;
  }
  return out;
}

function findResourceFile(start: string): string | undefined {
  let folder = resolve(start);
  for (;;) {
    const candidate = join(folder, RESOURCE_FILE);
    if (existsSync(candidate)) return candidate;
    if (folder === "/") return undefined;
    folder = dirname(folder);
  }
}

/** The partition's parameters as read, and how to reach the master again (report-error). */
export interface Fetched {
  parameters: Dict;
  client: ReturnType<typeof slapClient>;
  computerId: string;
  partitionId: string;
}

/** What every variant computes: sets the section's options, returns the remaining parameter dict. */
export async function fetchParameters(buildout: BuildoutView, options: Options): Promise<Fetched> {
  const client = slapClient(options.get("server-url") || options.get("url"), options.get("key-file") || options.get("key"), options.get("cert-file") || options.get("cert"));
  const computerId = options.get("computer-id") || options.get("computer");
  const partitionId = options.get("partition-id") || options.get("partition");
  if (!computerId || !partitionId) throw new UserError("computer-id and partition-id are required");
  const partition = await client.registerComputerPartition(computerId, partitionId);
  const parameters = fromWire(partition.getInstanceParameterDict()) as Dict;
  options.set("instance-state", partition.getState());
  for (const key of ["slap_software_type", "slap_computer_partition_id", "slap_computer_id", "slap_software_release_url", "slave_instance_list", "timestamp"]) {
    if (key in parameters) {
      setOptionValue(options, key.replaceAll("_", "-"), parameters[key]!);
      delete parameters[key];
    }
  }
  const pop = (key: string, fallback: string) => {
    const value = key in parameters ? parameters[key]! : fallback;
    delete parameters[key];
    return value;
  };
  setOptionValue(options, "instance-title", pop("instance_title", "UNKNOWN Instance"));
  setOptionValue(options, "root-instance-title", pop("root_instance_title", "UNKNOWN"));
  setOptionValue(options, "root-instance-short-title", pop("root_instance_short_title", "UNKNOWN"));
  options.set("instance-guid", partition.getInstanceGuid());

  const ipv4 = new Set<string>();
  const ipv6 = new Set<string>();
  const ipList = parameters.ip_list;
  delete parameters.ip_list;
  if (Array.isArray(ipList)) {
    for (const entry of ipList) {
      if (!Array.isArray(entry) || entry.length < 2) continue;
      const ip = String(entry[1]);
      if (isIP(ip) === 4) ipv4.add(ip);
      else if (isIP(ip) === 6) ipv6.add(ip);
    }
  }
  delete parameters.full_address_list;
  delete parameters.full_ip_list;
  const sorted4 = [...ipv4].sort();
  const sorted6 = [...ipv6].sort();
  setOptionValue(options, "ipv4", sorted4);
  setOptionValue(options, "ipv6", sorted6);
  if (sorted4.length) options.set("ipv4-random", sorted4[0]!);
  if (sorted6.length) options.set("ipv6-random", sorted6[0]!);

  const root = buildout.buildout.get("directory") ?? process.cwd();
  const storageHome = options.get("storage-home");
  const storage: Dict = {};
  if (storageHome && existsSync(storageHome) && statSync(storageHome).isDirectory()) {
    for (const name of readdirSync(storageHome)) {
      const path = join(storageHome, name, options.get("slap-computer-partition-id") ?? partitionId);
      if (!existsSync(path) || !statSync(path).isDirectory()) continue;
      const link = join(root, "DATA", name);
      mkdirSync(join(root, "DATA"), { recursive: true });
      let present = true;
      try {
        lstatSync(link);
      } catch {
        present = false;
      }
      if (!present) symlinkSync(path, link);
      storage[name] = link;
    }
  }
  setOptionValue(options, "storage-dict", storage);

  const resource = findResourceFile(root);
  if (resource) {
    buildout.log.debug(`Using partition resource file ${resource}`);
    let data: OptionValue;
    try {
      data = JSON.parse(readFileSync(resource, "utf8")) as OptionValue;
    } catch (error) {
      throw new UserError(`${resource} is not JSON: ${(error as Error).message}`);
    }
    if (isDict(data)) {
      for (const [key, value] of Object.entries(flatten(data))) if (!options.has(key)) setOptionValue(options, key, value);
    }
  }
  return { parameters, client, computerId, partitionId };
}

/** `configuration` and `configuration.<key>` (keys that can be option names). */
export function expose(options: Options, configuration: OptionValue): void {
  setOptionValue(options, "configuration", configuration);
  if (!isDict(configuration)) return;
  for (const [key, value] of Object.entries(configuration)) {
    if (NOT_AN_OPTION.test(key)) continue;
    setOptionValue(options, `configuration.${key}`, value);
  }
}

function make(serialised: boolean): RecipeFactory {
  return async (buildout, _name, options) => {
    const { parameters } = await fetchParameters(buildout, options);
    expose(options, serialised ? unwrap(parameters) : parameters);
    return { install: () => [], update: () => [] };
  };
}

export const slapconfiguration = make(false);
export const slapconfigurationSerialised = make(true);
