/**
 * Our master as `dist/slapos proxy start` over HTTPS, requiring client
 * certificates signed by its CA, with the registration port open (where
 * `node register` and `configure client` spend `proxy token` tokens).
 * Stopped by the caller (`stopMaster`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { slapos, startSlapos } from "./binary.ts";
import { makeCerts, type TestCerts } from "./certs.ts";
import { freePort, waitFor } from "./ports.ts";
import { tempDir } from "./tmp.ts";

export interface RegistrationMaster {
  process: ReturnType<typeof startSlapos>;
  /** The SLAP side, `https://127.0.0.1:PORT`. */
  url: string;
  /** The registration (web) side, `https://127.0.0.1:REGISTRATION_PORT`. */
  web: string;
  /** The master's slapos.cfg (for `proxy token --cfg`). */
  cfg: string;
  /** The CA, the server's and a client certificate signed by the CA. */
  certs: TestCerts;
  /** fetch() options presenting the client certificate. */
  tls: RequestInit;
}

/** Start it with `computer_id` as its own computer; resolves once it answers. */
export async function startRegistrationMaster(computerId: string): Promise<RegistrationMaster> {
  const dir = tempDir();
  const certs = makeCerts(tempDir());
  const [port, registration] = [await freePort(), await freePort()];
  const cfg = join(dir, "master.cfg");
  writeFileSync(
    cfg,
    [
      "[slapos]",
      `computer_id = ${computerId}`,
      "[slapproxy]",
      "host = 127.0.0.1",
      `port = ${port}`,
      `database_uri = ${join(dir, "master.db")}`,
      `server_cert_file = ${certs.serverCert}`,
      `server_key_file = ${certs.serverKey}`,
      `client_ca_file = ${certs.caCert}`,
      `client_ca_key_file = ${join(certs.dir, "ca.key")}`,
      `registration_port = ${registration}`,
      "",
    ].join("\n"),
  );
  const process = startSlapos(["proxy", "start", "--cfg", cfg]);
  const url = `https://127.0.0.1:${port}`;
  const tls = { tls: { rejectUnauthorized: false, cert: readFileSync(certs.clientCert, "utf8"), key: readFileSync(certs.clientKey, "utf8") } } as RequestInit;
  await waitFor(async () => (await fetch(`${url}/getRunId`, tls)).ok, 30, "proxy start");
  return { process, url, web: `https://127.0.0.1:${registration}`, cfg, certs, tls };
}

/** A fresh single-use token (`slapos proxy token`). */
export async function proxyToken(master: RegistrationMaster): Promise<string> {
  const r = await slapos(["proxy", "token", "--cfg", master.cfg]);
  const found = /Computer token: (\S+)/.exec(r.stdout);
  if (r.code !== 0 || !found) throw new Error(`slapos proxy token failed (exit ${r.code}): ${r.stderr}`);
  return found[1];
}

export async function stopMaster(master: RegistrationMaster | undefined): Promise<void> {
  master?.process.kill("SIGTERM");
  await master?.process.exited;
}
