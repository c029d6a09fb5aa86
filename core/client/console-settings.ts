/**
 * The connection settings of `slapos console` (format-collect-cli.md §6,
 * §6.5): the client configuration's rules, with the command line first —
 * `-k/--key_file` and `-c/--cert_file`, then `[slapconsole]`, then `[slapos]`
 * key and certificate only when neither is set yet.
 *
 * [BUG] fixed: in the reference, `[slapos] master_url` always overrides
 * `-u/--master_url`, so the option has no effect; here the option wins.
 */
import type { SlapConfig } from "../config/slap-config.ts";
import { clientSettings, type ClientSettings, type SettingsOverrides } from "./client-config.ts";

export function consoleSettings(config: SlapConfig, cli: SettingsOverrides): ClientSettings {
  return clientSettings(config, cli, { master: " (or give -u/--master_url)", tls: "; or give -k and -c" });
}
