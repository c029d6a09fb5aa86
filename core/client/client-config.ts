/**
 * The client configuration (`ClientConfig`, format-collect-cli.md §6):
 * `[slapconsole] cert_file/key_file` first, then `[slapos] key_file/cert_file`
 * only when neither was set; `[slapos] master_url` is required, and an https
 * master needs a key or a certificate; `[slapos] master_rest_url` is
 * optional. Key and certificate paths are `~`-expanded.
 */
import type { SlapConfig } from "../config/slap-config.ts";
import { expandHome } from "../config/discover.ts";
import { SlapError } from "../errors.ts";

export interface ClientSettings {
  masterUrl: string;
  /** The hateoas API (`<master>/hateoas` on our master and on slapproxy). */
  masterRestUrl?: string;
  keyFile?: string;
  certFile?: string;
}

/** Settings given on the command line (`slapos console -u/-k/-c`); they come before the file's. */
export interface SettingsOverrides {
  masterUrl?: string;
  keyFile?: string;
  certFile?: string;
}

/** What the errors add, for a command whose options can stand in for the file's values. */
export interface OverrideHints {
  /** Appended to the missing `master_url` error. */
  master: string;
  /** Appended inside the parenthesis of the missing key/certificate error. */
  tls: string;
}

export function clientSettings(config: SlapConfig, cli: SettingsOverrides = {}, hints: OverrideHints = { master: "", tls: "" }): ClientSettings {
  const where = config.path ?? "the client configuration";
  let keyFile = cli.keyFile || config.get("slapconsole", "key_file") || undefined;
  let certFile = cli.certFile || config.get("slapconsole", "cert_file") || undefined;
  if (!cli.masterUrl && !config.has("slapos")) throw new SlapError("config", `No section: 'slapos' in ${where}`);
  if (!keyFile && !certFile) {
    keyFile = config.get("slapos", "key_file") || undefined;
    certFile = config.get("slapos", "cert_file") || undefined;
  }
  const masterUrl = cli.masterUrl || config.get("slapos", "master_url");
  if (!masterUrl) throw new SlapError("config", `No option 'master_url' in section 'slapos' of ${where}${hints.master}`);
  if (masterUrl.startsWith("https") && !keyFile && !certFile) {
    throw new SlapError("config", `No option 'key_file' and/or 'cert_file' in ${where} (needed by the https master ${masterUrl}${hints.tls})`);
  }
  return {
    masterUrl,
    masterRestUrl: config.get("slapos", "master_rest_url") || undefined,
    keyFile: keyFile ? expandHome(keyFile) : undefined,
    certFile: certFile ? expandHome(certFile) : undefined,
  };
}
