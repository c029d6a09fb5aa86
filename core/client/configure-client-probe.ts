/**
 * Whether the client configuration needs `[slapos] master_rest_url` (ours,
 * not the reference's). A real SlapOS Master tells its clients where its
 * hateoas API is (`GET getHateoasUrl`); slapproxy and our master answer 404
 * there but serve the API at `<master>/hateoas`, so `slapos service list`
 * against them only works with `master_rest_url` set. With the certificate
 * it just received, `configure client` asks the master: nothing is added
 * when `getHateoasUrl` answers, `<master>/hateoas` when that answers a
 * hateoas root. A probe that fails adds nothing and never fails the command.
 */
import { messageOf } from "../errors.ts";
import type { Logger } from "../log/logger.ts";
import { normaliseMasterUrl } from "../slap/client.ts";

const PROBE_TIMEOUT = 10;

async function get(url: string, tls: { cert: string; key: string }): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(PROBE_TIMEOUT * 1000),
    tls: { ...tls, rejectUnauthorized: false },
    redirect: "follow",
  } as RequestInit);
  return { status: response.status, text: await response.text() };
}

function isHateoasRoot(text: string): boolean {
  try {
    const root = JSON.parse(text) as { _links?: { raw_search?: { href?: unknown } } };
    return typeof root?._links?.raw_search?.href === "string";
  } catch {
    return false;
  }
}

/** The `master_rest_url` to write, or undefined when the master needs none (or could not be asked). */
export async function masterRestUrlToWrite(masterUrl: string, pair: { certificate: string; key: string }, log: Logger): Promise<string | undefined> {
  const base = normaliseMasterUrl(masterUrl);
  const tls = { cert: pair.certificate, key: pair.key };
  try {
    const discovered = await get(`${base}getHateoasUrl`, tls);
    if (discovered.status === 200 && discovered.text.trim()) return undefined;
    const candidate = `${base}hateoas`;
    const root = await get(candidate, tls);
    if (root.status === 200 && isHateoasRoot(root.text)) return candidate;
  } catch (error) {
    log.debug(`Could not ask ${base} where its hateoas API is: ${messageOf(error)}`);
  }
  return undefined;
}

/** The configuration text with `master_rest_url` after `master_url` in [slapos]. */
export function withMasterRestUrl(configuration: string, masterRestUrl: string | undefined): string {
  if (!masterRestUrl) return configuration;
  return configuration.replace(/^(master_url = .*)$/m, (line) => `${line}\nmaster_rest_url = ${masterRestUrl}`);
}
