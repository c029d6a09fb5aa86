/**
 * How `slapos node register` gets the node's certificate and key from the
 * master's web side (format-collect-cli.md §5.1): with a token,
 * `POST <web>/Person_requestComputer` (form `title`, header
 * `X-Access-Token`); with a login, `GET <web>/Person_requestComputer?title=`
 * with basic authentication, after checking the credentials on `GET <web>`.
 * TLS is not verified, as the reference (the node has no CA yet).
 *
 * Every refusal is one line and exit 1, with the reference's messages.
 */
import { SlapError, messageOf } from "../../errors.ts";

export interface CertificateKeyPair {
  certificate: string;
  key: string;
}

/** A refusal the reference logs at its own level before exiting 1; the command logs it and returns 1. */
export class RegisterRefusal extends SlapError {
  constructor(
    readonly level: "error" | "critical",
    message: string,
  ) {
    super("failure", message);
  }
}

export type Credentials = { token: string } | { login: string; password: string };

/** Seconds; a master that does not answer must not hang the registration forever. */
const TIMEOUT = 60;

function basic(login: string, password: string): string {
  return `Basic ${Buffer.from(`${login}:${password}`, "utf8").toString("base64")}`;
}

/**
 * A call to a master's web side (also `configure client`'s): TLS not verified,
 * redirects followed, a 60 s limit, and one-line errors naming the URL.
 */
export async function webRequest(url: string, init: RequestInit): Promise<{ status: number; ok: boolean; text: string }> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      signal: AbortSignal.timeout(TIMEOUT * 1000),
      tls: { rejectUnauthorized: false },
      redirect: "follow",
    } as RequestInit);
  } catch (cause) {
    const timedOut = (cause as Error)?.name === "TimeoutError";
    throw new SlapError("connection", timedOut ? `no answer from ${url} within ${TIMEOUT}s` : `cannot reach ${url}: ${messageOf(cause)}`, { cause });
  }
  return { status: response.status, ok: response.ok, text: await response.text() };
}

/** Join like the reference's '/'.join([web, path]). */
function under(web: string, path: string): string {
  return `${web}/${path}`;
}

/** `GET <web>` with basic auth: the page of a logged-in user has a Logout link. */
export async function checkCredentials(web: string, login: string, password: string): Promise<boolean> {
  const answer = await webRequest(web, { headers: { Authorization: basic(login, password) } });
  return answer.text.includes("Logout");
}

/** Ask the master for the node's certificate and key; the refusals end the command (exit 1). */
export async function requestCertificate(web: string, nodeName: string, credentials: Credentials): Promise<CertificateKeyPair> {
  const withToken = "token" in credentials;
  const answer = withToken
    ? await webRequest(under(web, "Person_requestComputer"), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Access-Token": credentials.token },
        body: new URLSearchParams({ title: nodeName }).toString(),
      })
    : await webRequest(under(web, `Person_requestComputer?title=${nodeName}`), {
        headers: { Authorization: basic(credentials.login, credentials.password) },
      });
  if (!answer.ok && answer.text.includes("Certificate still active.")) {
    throw new RegisterRefusal(
      "error",
      `The node name "${nodeName}" is already in use. Please change the name, or revoke the active certificate if you want to replace the node.`,
    );
  }
  if (answer.status === 403) {
    const hint = withToken ? "Please check the authentication token or require a new one." : "Please check username and password.";
    throw new RegisterRefusal("critical", `Access denied to the SlapOS Master. ${hint}`);
  }
  if (!answer.ok && answer.text.includes("NotImplementedError") && !withToken) {
    throw new RegisterRefusal("critical", "This SlapOS server does not support login/password authentication. Please use the token.");
  }
  if (!answer.ok) {
    const excerpt = answer.text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
    throw new SlapError("server", `${under(web, "Person_requestComputer")} answered ${answer.status}${excerpt ? `: ${excerpt}` : ""}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    throw new SlapError("server", `${under(web, "Person_requestComputer")} did not answer JSON with a certificate and a key`);
  }
  const { certificate, key } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof certificate !== "string" || !certificate || typeof key !== "string" || !key) {
    throw new SlapError("server", `${under(web, "Person_requestComputer")} answered without "certificate" and "key"`);
  }
  return { certificate, key };
}

/**
 * The computer id: the certificate text from `COMP-` up to `/email`, as the
 * reference reads it (`Subject: CN=COMP-1234/emailAddress=…` gives COMP-1234).
 */
export function computerIdOf(certificate: string): string {
  const start = certificate.indexOf("COMP-");
  const end = start < 0 ? -1 : certificate.indexOf("/email", start);
  const id = start < 0 || end < 0 ? "" : certificate.slice(start, end);
  if (!/^COMP-[^\s/]+$/.test(id)) {
    throw new SlapError("server", "the certificate from the master names no computer (no COMP-…/email… in its text)");
  }
  return id;
}
