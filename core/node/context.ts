/** What every node run carries: its options, the hooks, the master client, the log. */
import type { SlapConfig } from "../config/slap-config.ts";
import type { Hooks } from "../hooks/catalogue.ts";
import type { Logger } from "../log/logger.ts";
import { SlapClient } from "../slap/client.ts";
import type { SlapgridOptions } from "./options.ts";

export interface NodeRun {
  options: SlapgridOptions;
  hooks: Hooks;
  master: SlapClient;
  log: Logger;
  /** The command being run, e.g. "node software". */
  command: string;
  /** The configuration file, for sections beyond [slapos] (e.g. [manager:devperm]). */
  config?: SlapConfig;
}

export function masterClient(options: SlapgridOptions): SlapClient {
  return new SlapClient({
    masterUrl: options.masterUrl,
    keyFile: options.keyFile,
    certFile: options.certFile,
    caFile: options.masterCaFile,
  });
}
