/**
 * Defaults of the reference for the options every node command reads
 * (format-collect-cli.md §7, node-runtime.md §0), and the merge rule
 * "command line > file > defaults".
 */
import { SlapError } from "../errors.ts";
import type { SlapConfig } from "./slap-config.ts";

/** `[slapos]` keys that have a default in the reference. */
export const SLAPOS_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  root_check: "True",
  pidfile_software: "/opt/slapos/slapgrid-sr.pid",
  pidfile_instance: "/opt/slapos/slapgrid-cp.pid",
  pidfile_report: "/opt/slapos/slapgrid-ur.pid",
  maximum_periodicity: "86400",
  promise_timeout: "20",
  software_min_free_space: "1000M",
  instance_min_free_space: "1000M",
  maximal_delay: "0",
  forbid_supervisord_automatic_launch: "false",
});

/** `[slapformat]` defaults (format-collect-cli.md §1.1 step 1, with the base-name fix). */
export const FORMAT_DEFAULTS: Readonly<Record<string, string>> = Object.freeze({
  alter_network: "True",
  alter_user: "True",
  partition_has_ipv6_range: "True",
  ipv6_prefixshift: "16",
  create_tap: "True",
  tap_ipv6: "True",
  tap_gateway_interface: "",
  create_tun: "False",
  tun_ipv6: "True",
  software_user: "slapsoft",
  // [BUG] fixed: the reference leaves these at None and names partitions "None0".
  partition_base_name: "slappart",
  user_base_name: "slapuser",
  tap_base_name: "slaptap",
});

export type Merged = Record<string, string | number | boolean | string[]>;

/**
 * Merge layers, later ones winning: defaults, then each named section of the
 * file in order, then the command-line values that were given (undefined ones
 * are skipped). Command-line keys are normalised from dashes to underscores,
 * as the reference's option names are.
 */
export function mergeOptions(
  defaults: Readonly<Record<string, string>>,
  config: SlapConfig,
  sections: string[],
  cli: Record<string, unknown> = {},
): Merged {
  const merged: Merged = { ...defaults };
  for (const section of sections) Object.assign(merged, config.items(section));
  for (const [key, value] of Object.entries(cli)) {
    if (value === undefined || value === null) continue;
    merged[key.replace(/-/g, "_")] = value as Merged[string];
  }
  return merged;
}

/** Python-style truth for config strings: only "true"/"false" (any case) are accepted. */
export function parseBoolean(value: unknown, name: string): boolean {
  if (typeof value === "boolean") return value;
  const text = String(value).trim().toLowerCase();
  if (text === "true") return true;
  if (text === "false") return false;
  throw new SlapError("config", `${name} must be true or false, not ${JSON.stringify(value)}`);
}
