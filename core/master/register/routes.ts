/**
 * `Person_requestComputer`: what `slapos node register --token` calls on a
 * master (format-collect-cli.md §5.1). With form `title=<node name>` and
 * header `X-Access-Token: <token>` it registers a new computer `COMP-<n>`,
 * issues it a client certificate signed by the master's CA, and answers
 * `{"certificate": ..., "key": ...}`. The certificate text starts with a
 * `Subject: CN=COMP-<n>/emailAddress=...` line, from which the client
 * reads the computer id. Only available when `client_ca_key_file` is set.
 *
 * Answers the register client understands: 403 for a bad or used token,
 * a body holding "Certificate still active." when the name is taken, and
 * "NotImplementedError" for the login/password flow (GET), which we do
 * not support.
 */
import type { Hono } from "hono";
import { readFileSync } from "node:fs";
import { messageOf } from "../../errors.ts";
import type { MasterContext } from "../context.ts";
import { HttpError, errorResponse, text } from "../http/errors.ts";
import { failure, tooLarge } from "../http/handler.ts";
import { Fields, readFields } from "../http/input.ts";
import { pythonJson } from "../http/json.ts";
import { registerPersonCertificateRoute } from "./person.ts";
import { consumeToken } from "./tokens.ts";

export const REGISTER_PATH = "/Person_requestComputer";

function nextReference(ctx: MasterContext): string {
  const rows = ctx.store.db.query("SELECT reference FROM computer_registration").all() as Array<{ reference: string }>;
  let highest = 0;
  for (const { reference } of rows) {
    const n = Number(/^COMP-(\d+)$/.exec(reference)?.[1] ?? 0);
    if (n > highest) highest = n;
  }
  let n = highest + 1;
  while (ctx.store.sql.computer.get(`COMP-${n}`)) n++;
  return `COMP-${n}`;
}

async function register(ctx: MasterContext, fields: Fields, token: string): Promise<Response> {
  const tls = ctx.settings.tls!;
  const title = fields.required("title");
  if (!title.trim()) throw new HttpError(400, "field 'title' is empty");
  let caCert: string;
  let caKey: string;
  try {
    caCert = readFileSync(tls.clientCaFile!, "utf8");
    caKey = readFileSync(tls.clientCaKeyFile!, "utf8");
  } catch (error) {
    throw new HttpError(500, `cannot read the CA files: ${messageOf(error)}`);
  }
  // node:crypto's X.509 code loads only when a node registers.
  const { issueCertificate } = await import("./x509.ts");
  return ctx.store.transaction("write", () => {
    const valid = ctx.store.db.query("SELECT 1 FROM computer_token WHERE token=? AND used_by IS NULL").get(token);
    if (!valid) throw new HttpError(403, "unknown or already used token");
    const taken = ctx.store.db.query("SELECT reference FROM computer_registration WHERE title=?").get(title) as { reference: string } | null;
    if (taken) {
      return text(`Certificate still active. The node name ${JSON.stringify(title)} is registered as ${taken.reference}.`, 409);
    }
    const reference = nextReference(ctx);
    if (!consumeToken(ctx.store.db, token, reference)) throw new HttpError(403, "unknown or already used token");
    const issued = issueCertificate(caCert, caKey, reference, `${reference}@slapos`);
    ctx.store.db
      .query("INSERT INTO computer_registration (reference, title, serial, created) VALUES (?, ?, ?, ?)")
      .run(reference, title, issued.serial, Date.now() / 1000);
    ctx.store.db.query("INSERT OR IGNORE INTO computer (reference) VALUES (?)").run(reference);
    ctx.log.info(`Registered node ${JSON.stringify(title)} as ${reference}`);
    return new Response(pythonJson({ certificate: issued.certificate, key: issued.key }), {
      headers: { "Content-Type": "application/json" },
    });
  });
}

export function registerRegistrationRoutes(app: Hono, ctx: MasterContext): string[] {
  app.post(REGISTER_PATH, async (c) => {
    const request = c.req.raw;
    const url = new URL(request.url);
    try {
      if (!ctx.settings.tls?.clientCaKeyFile || !ctx.settings.tls.clientCaFile) return errorResponse(404);
      if (tooLarge(request, 65536)) return errorResponse(413);
      const token = request.headers.get("x-access-token");
      if (!token) throw new HttpError(403, "an X-Access-Token header is required");
      return await register(ctx, await readFields(request, url), token);
    } catch (error) {
      return failure(ctx, error, url.pathname);
    }
  });
  app.get(REGISTER_PATH, () =>
    ctx.settings.tls?.clientCaKeyFile
      ? text("NotImplementedError: login and password registration is not supported here; use a token (slapos proxy token).", 501)
      : errorResponse(404),
  );
  return [REGISTER_PATH, ...registerPersonCertificateRoute(app, ctx)];
}
