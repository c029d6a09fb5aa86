/**
 * `slapos configure client` (format-collect-cli.md §7.4): get a client
 * certificate for the user from the master's web side with a token, and
 * write the client configuration beside it:
 *
 *     <cfgdir>/slapos-client.cfg   [slapos] master_url, [slapconsole] cert_file/key_file
 *     <cfgdir>/client.crt          the certificate (0600)
 *     <cfgdir>/client.key          its key (0600)
 *
 * where the cfg path is `--cfg`, else `$SLAPOS_CLIENT_CONFIGURATION`, else
 * `~/.slapos/slapos-client.cfg`. It refuses (exit 1) when any of the three
 * exists. Unlike the reference, the existing files are checked before the
 * token is asked, a directory the command created is removed again when it
 * fails, and the three files appear together or not at all
 * (client-files.ts). Against a master that does not answer `getHateoasUrl`
 * but serves `<master>/hateoas` (slapproxy, ours), the configuration also
 * gets `master_rest_url` (configure-client-probe.ts).
 */
import { dirname, join } from "node:path";
import { lstatSync } from "node:fs";
import type { CommandContext } from "../cli/command.ts";
import { configurationPath } from "../config/discover.ts";
import { SlapError } from "../errors.ts";
import { webRequest } from "../node/register/credentials.ts";
import { askUntilAnswered } from "../node/register/prompt.ts";
import { masterRestUrlToWrite, withMasterRestUrl } from "./configure-client-probe.ts";
import { prepareDirectory, removeCreated, writeClientFiles } from "./client-files.ts";

/** slapos.core's `slapos-client.cfg.example`, whose three values the command replaces. */
export const CLIENT_CONFIGURATION_TEMPLATE = `[slapos]
master_url = https://slap.vifib.com/

[slapconsole]
# Put here the certificate retrieved from SlapOS Master.
# Beware: put certificate from YOUR account, not the one from your node.
# You (as identified person from SlapOS Master) will request an instance, not your node.
# Conclusion: node certificate != person certificate.
cert_file = certificate file location coming from your slapos master account
key_file = key file location coming from your slapos master account
`;

/** The template with master_url, cert_file and key_file set (the reference's three substitutions). */
export function clientConfiguration(masterUrl: string, certFile: string, keyFile: string): string {
  return CLIENT_CONFIGURATION_TEMPLATE.replace(/master_url = .*/g, () => `master_url = ${masterUrl}`)
    .replace(/cert_file = .*/g, () => `cert_file = ${certFile}`)
    .replace(/key_file = .*/g, () => `key_file = ${keyFile}`);
}

function urlOption(ctx: CommandContext, name: string): string {
  const value = String(ctx.options[name] ?? "");
  let ok = false;
  try {
    ok = /^https?:$/.test(new URL(value).protocol) && !/[\r\n]/.test(value);
  } catch {
    ok = false;
  }
  if (!ok) throw new SlapError("usage", `argument --${name}: not an http(s) URL: ${JSON.stringify(value)}`);
  return value;
}

function present(path: string): boolean {
  try {
    lstatSync(path); // a dangling symbolic link counts: writing there would follow it
    return true;
  } catch {
    return false;
  }
}

/** A refusal the reference logs at CRITICAL before exiting 1. */
class Refusal extends Error {}

/** `POST <web>/Person_getCertificate` with the token; TLS is not verified, as the reference (the user has no CA yet). */
async function certificateKeyPair(web: string, token: string): Promise<{ certificate: string; key: string }> {
  const url = `${web}/Person_getCertificate`;
  const response = await webRequest(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Access-Token": token },
    body: "",
  });
  const body = response.text;
  if (response.status === 403) {
    throw new Refusal("Access denied to the SlapOS Master. Please check the authentication token or require a new one.");
  }
  if (!response.ok) {
    const excerpt = body.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
    throw new SlapError("server", `${url} answered ${response.status}${excerpt ? `: ${excerpt}` : ""}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SlapError("server", `${url} did not answer JSON with a certificate and a key`);
  }
  const { certificate, key } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof certificate !== "string" || !certificate.includes("-----BEGIN CERTIFICATE-----") || typeof key !== "string" || !key.includes("PRIVATE KEY-----")) {
    throw new SlapError("server", `${url} answered without a PEM "certificate" and "key"`);
  }
  return { certificate, key };
}

export async function runConfigureClient(ctx: CommandContext): Promise<number> {
  const masterUrl = urlOption(ctx, "master-url");
  const web = urlOption(ctx, "master-url-web");
  const configPath = configurationPath("client", ctx.globals.cfg)!;
  const dir = dirname(configPath);
  const certPath = join(dir, "client.crt");
  const keyPath = join(dir, "client.key");
  const existing: Array<[string, string]> = [
    [configPath, "configuration"],
    [certPath, "certificate"],
    [keyPath, "key"],
  ];
  for (const [path, what] of existing) {
    if (present(path)) {
      ctx.log.critical(`There is a file in ${path}. Please remove it before creating a new ${what}.`);
      return 1;
    }
  }
  const created = prepareDirectory(dir, ctx.log);
  try {
    const given = ctx.options.token === undefined ? "" : String(ctx.options.token).trim();
    const token = given || askUntilAnswered("Credential security token: ", "token");
    let pair: { certificate: string; key: string };
    try {
      pair = await certificateKeyPair(web, token);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      ctx.log.critical(error.message);
      removeCreated(created, dir);
      return 1;
    }
    const masterRestUrl = await masterRestUrlToWrite(masterUrl, pair, ctx.log);
    if (masterRestUrl) ctx.log.debug(`The master does not say where its hateoas API is: master_rest_url = ${masterRestUrl}`);
    writeClientFiles(
      [
        { path: certPath, content: pair.certificate, what: "certificate" },
        { path: keyPath, content: pair.key, what: "key" },
        { path: configPath, content: withMasterRestUrl(clientConfiguration(masterUrl, certPath, keyPath), masterRestUrl), what: "configuration" },
      ],
      ctx.log,
    );
  } catch (error) {
    removeCreated(created, dir);
    throw error;
  }
  ctx.log.info(`SlapOS client configuration written to ${configPath}`);
  return 0;
}
