/**
 * `Person_getCertificate`: what `slapos configure client` calls on a master
 * (format-collect-cli.md §7.4). `POST` with header `X-Access-Token: <token>`
 * (a `slapos proxy token` token, single use) answers
 * `{"certificate": ..., "key": ...}`: a client certificate for a new person
 * `PERSON-<n>`, signed by the master's CA, which the client commands
 * (`service list`, `request`, ...) then present. Our master has no
 * accounts: every certificate its CA signed is accepted, so a person
 * certificate differs from a node's only by its subject. The person's
 * reference is recorded as the token's user (no table of its own).
 *
 * 403 for a missing, unknown or used token; 404 when the master cannot
 * issue certificates (no `client_ca_key_file`), as for node registration.
 */
import type { Hono } from "hono";
import { readFileSync } from "node:fs";
import { messageOf } from "../../errors.ts";
import type { MasterContext } from "../context.ts";
import { HttpError, errorResponse } from "../http/errors.ts";
import { failure, tooLarge } from "../http/handler.ts";
import { pythonJson } from "../http/json.ts";
import { consumeToken } from "./tokens.ts";

export const PERSON_CERTIFICATE_PATH = "/Person_getCertificate";

/** The next free `PERSON-<n>`, from the tokens persons have used. */
function nextPerson(ctx: MasterContext): string {
  const rows = ctx.store.db.query("SELECT used_by FROM computer_token WHERE used_by LIKE 'PERSON-%'").all() as Array<{ used_by: string }>;
  let highest = 0;
  for (const { used_by } of rows) highest = Math.max(highest, Number(/^PERSON-(\d+)$/.exec(used_by)?.[1] ?? 0));
  return `PERSON-${highest + 1}`;
}

function readCa(ctx: MasterContext): { cert: string; key: string } {
  const tls = ctx.settings.tls!;
  try {
    return { cert: readFileSync(tls.clientCaFile!, "utf8"), key: readFileSync(tls.clientCaKeyFile!, "utf8") };
  } catch (error) {
    throw new HttpError(500, `cannot read the CA files: ${messageOf(error)}`);
  }
}

async function personCertificate(ctx: MasterContext, token: string): Promise<Response> {
  const ca = readCa(ctx);
  // node:crypto's X.509 code loads only when a certificate is issued (it costs ~5 MB of RSS).
  const { issueCertificate } = await import("./x509.ts");
  return ctx.store.transaction("write", () => {
    const person = nextPerson(ctx);
    if (!consumeToken(ctx.store.db, token, person)) throw new HttpError(403, "unknown or already used token");
    // Inside the transaction: a failure to sign rolls the token back, so it can be used again.
    const issued = issueCertificate(ca.cert, ca.key, person, `${person}@slapos`);
    ctx.log.info(`Issued a client certificate to ${person} (serial ${issued.serial})`);
    return new Response(pythonJson({ certificate: issued.certificate, key: issued.key }), {
      headers: { "Content-Type": "application/json" },
    });
  });
}

/** Add the route; returns its path. */
export function registerPersonCertificateRoute(app: Hono, ctx: MasterContext): string[] {
  app.post(PERSON_CERTIFICATE_PATH, async (c) => {
    const request = c.req.raw;
    const url = new URL(request.url);
    try {
      if (!ctx.settings.tls?.clientCaKeyFile || !ctx.settings.tls.clientCaFile) return errorResponse(404);
      if (tooLarge(request, 65536)) return errorResponse(413);
      const token = request.headers.get("x-access-token")?.trim();
      if (!token) throw new HttpError(403, "an X-Access-Token header is required");
      return await personCertificate(ctx, token);
    } catch (error) {
      return failure(ctx, error, url.pathname);
    }
  });
  return [PERSON_CERTIFICATE_PATH];
}
