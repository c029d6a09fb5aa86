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
import { expandHome } from "../config/discover.ts";
import { SlapError } from "../errors.ts";
import type { ClientSettings } from "./client-config.ts";

export interface ConsoleOverrides {
  masterUrl?: string;
  keyFile?: string;
  certFile?: string;
}

export function consoleSettings(config: SlapConfig, cli: ConsoleOverrides): ClientSettings {
  const where = config.path ?? "the client configuration";
  let keyFile = cli.keyFile || config.get("slapconsole", "key_file") || undefined;
  let certFile = cli.certFile || config.get("slapconsole", "cert_file") || undefined;
  if (!cli.masterUrl && !config.has("slapos")) throw new SlapError("config", `No section: 'slapos' in ${where}`);
  if (!keyFile && !certFile) {
    keyFile = config.get("slapos", "key_file") || undefined;
    certFile = config.get("slapos", "cert_file") || undefined;
  }
  const masterUrl = cli.masterUrl || config.get("slapos", "master_url");
  if (!masterUrl) throw new SlapError("config", `No option 'master_url' in section 'slapos' of ${where} (or give -u/--master_url)`);
  if (masterUrl.startsWith("https") && !keyFile && !certFile) {
    throw new SlapError("config", `No option 'key_file' and/or 'cert_file' in ${where} (needed by the https master ${masterUrl}; or give -k and -c)`);
  }
  return {
    masterUrl,
    masterRestUrl: config.get("slapos", "master_rest_url") || undefined,
    keyFile: keyFile ? expandHome(keyFile) : undefined,
    certFile: certFile ? expandHome(certFile) : undefined,
  };
}
