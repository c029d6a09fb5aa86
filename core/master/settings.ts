/**
 * The master's settings, from `slapos.cfg` and the command line exactly as
 * `slapos proxy start` merges them (format-collect-cli.md §6.6): CLI values
 * win; then the keys of `[slapproxy]` and `[slapos]`, visited in file
 * order, fill what is still unset or empty (so the first of the two
 * sections in the file wins); each `[multimaster/<url>]` section is a
 * master to forward to (slap-protocol.md §4.9).
 */
import type { SlapConfig } from "../config/slap-config.ts";
import { SlapError } from "../errors.ts";

export interface MultimasterEntry {
  url: string;
  key?: string;
  cert?: string;
  computer?: string;
  partition?: string;
  softwareReleaseList: string[];
}

export interface TlsSettings {
  certFile: string;
  keyFile: string;
  /** Require client certificates signed by this CA. */
  clientCaFile?: string;
  /** The CA's key: lets `Person_requestComputer` issue node certificates. */
  clientCaKeyFile?: string;
}

export interface MasterSettings {
  computerId: string;
  databaseUri: string;
  host: string;
  port: number;
  softwareProductList: Record<string, string>;
  /** In configuration order: the first section whose list holds an SR wins. */
  multimaster: MultimasterEntry[];
  localSoftwareReleaseRoot?: string;
  /** Largest request body accepted; larger ones get 413. */
  maxBodyBytes: number;
  tls?: TlsSettings;
  /** A second HTTPS port, without client certificates, serving only node registration. */
  registrationPort?: number;
  logFile?: string;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** `software_product_list`: `<product> <url>` lines, each split on one space. */
export function parseSoftwareProductList(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? "").split("\n")) {
    if (!line) continue;
    const parts = line.split(" ");
    if (parts.length !== 2) throw new SlapError("config", `software_product_list: expected "<product> <url>", got ${JSON.stringify(line)}`);
    out[parts[0]] = parts[1];
  }
  return out;
}

/** Options given on the command line, by the reference's attribute names. */
export interface MasterCliOptions {
  database_uri?: string;
  port?: string | number;
  host?: string;
  local_software_release_root?: string;
}

function integer(value: string, name: string): number {
  if (!/^\s*\d+\s*$/.test(value)) throw new SlapError("config", `${name} must be an integer, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Merge CLI and configuration into settings; a missing required option is a one-line config error. */
export function masterSettings(config: SlapConfig, cli: MasterCliOptions = {}): MasterSettings {
  const merged: Record<string, string> = {};
  for (const [key, value] of Object.entries(cli)) if (value !== undefined && value !== "") merged[key] = String(value);
  const multimaster: MultimasterEntry[] = [];
  for (const section of config.sections()) {
    const items = config.items(section);
    if (section === "slapproxy" || section === "slapos") {
      for (const [key, value] of Object.entries(items)) if (!merged[key]) merged[key] = value;
    } else if (section.startsWith("multimaster/")) {
      multimaster.push({
        url: section.slice("multimaster/".length),
        key: items.key || undefined,
        cert: items.cert || undefined,
        computer: items.computer || undefined,
        partition: items.partition || undefined,
        softwareReleaseList: (items.software_release_list ?? "")
          .trim()
          .split("\n")
          .map((line) => line.trim())
          .filter(Boolean),
      });
    }
  }
  if (!merged.database_uri) throw new SlapError("config", "database-uri is required.");
  if (!merged.computer_id) throw new SlapError("config", "computer_id is required: set it in [slapos] or [slapproxy]");
  // The reference requires both; we default to loopback, port 8080 (slapos.cfg.example's).
  merged.host ||= "127.0.0.1";
  merged.port ||= "8080";
  let tls: TlsSettings | undefined;
  if (merged.server_cert_file || merged.server_key_file) {
    if (!merged.server_cert_file || !merged.server_key_file) {
      throw new SlapError("config", "server_cert_file and server_key_file go together: set both to serve HTTPS");
    }
    tls = {
      certFile: merged.server_cert_file,
      keyFile: merged.server_key_file,
      clientCaFile: merged.client_ca_file || undefined,
      clientCaKeyFile: merged.client_ca_key_file || undefined,
    };
  } else if (merged.client_ca_file) {
    throw new SlapError("config", "client_ca_file needs HTTPS: set server_cert_file and server_key_file too");
  }
  return {
    computerId: merged.computer_id,
    databaseUri: merged.database_uri,
    host: merged.host,
    port: integer(merged.port, "port"),
    softwareProductList: parseSoftwareProductList(merged.software_product_list),
    multimaster,
    localSoftwareReleaseRoot: merged.local_software_release_root || undefined,
    maxBodyBytes: merged.max_body_size ? integer(merged.max_body_size, "max_body_size") : DEFAULT_MAX_BODY_BYTES,
    tls,
    registrationPort: merged.registration_port ? integer(merged.registration_port, "registration_port") : undefined,
    logFile: merged.log_file || undefined,
  };
}
