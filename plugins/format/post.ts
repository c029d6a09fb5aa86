/**
 * `Computer.send` (§1.12): POST the compact marshalled computer to
 * `<master_url>/loadComputerConfigurationFromXML`, with the client
 * certificate when both key_file and cert_file are set (the master's
 * certificate is not verified, as in the reference). The hateoas probe
 * comes first unless `master_rest_url` is set; dry-run probes but posts
 * nothing.
 */
import type { ComputerDocument } from "../../core/hooks/groups/format.ts";
import { SlapClient } from "../../core/slap/client.ts";
import type { FormatConfig } from "./config.ts";
import { serialise } from "./model.ts";

export async function postComputer(computer: ComputerDocument, conf: FormatConfig): Promise<void> {
  const withCertificate = Boolean(conf.keyFile && conf.certFile);
  const client = new SlapClient({
    masterUrl: conf.masterUrl,
    keyFile: withCertificate ? conf.keyFile! : undefined,
    certFile: withCertificate ? conf.certFile! : undefined,
  });
  if (!conf.masterRestUrl) {
    try {
      await client.getHateoasUrl();
    } catch {
      // the reference swallows every error of this probe
    }
  }
  if (conf.dryRun) return;
  await client.loadComputerConfigurationFromXML(serialise(computer));
}
