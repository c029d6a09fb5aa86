/**
 * `slapos.client.init`: the SLAP connection of the client commands, and the
 * hateoas navigator when the master has one — `[slapos] master_rest_url`,
 * else whatever `GET <master>/getHateoasUrl` answers (slapproxy answers 404:
 * then there is no navigator, and the commands that need one say so).
 */
import { SlapError } from "../errors.ts";
import { SlapClient } from "../slap/client.ts";
import type { ClientSettings } from "./client-config.ts";
import { HateoasNavigator } from "./hateoas.ts";

export interface ClientConnection {
  slap: SlapClient;
  settings: ClientSettings;
  /** The navigator; throws the reference's error when the master has no hateoas API. */
  hateoas(): Promise<HateoasNavigator>;
}

export function connect(settings: ClientSettings): ClientConnection {
  const tls = { keyFile: settings.keyFile, certFile: settings.certFile };
  const slap = new SlapClient({ masterUrl: settings.masterUrl, ...tls });
  let navigator: Promise<HateoasNavigator> | undefined;
  const discover = async (): Promise<HateoasNavigator> => {
    let url = settings.masterRestUrl;
    if (!url) {
      try {
        url = await slap.getHateoasUrl();
      } catch {
        url = undefined; // the reference ignores any failure of the probe
      }
    }
    if (!url) throw new SlapError("failure", "SlapOS Master Hateoas API required for this operation is not available.");
    // The navigator's requests go to absolute URLs; the client only lends its certificate and timeout.
    return new HateoasNavigator(url, new SlapClient({ masterUrl: url, ...tls }));
  };
  return {
    slap,
    settings,
    hateoas: () => (navigator ??= discover()),
  };
}
