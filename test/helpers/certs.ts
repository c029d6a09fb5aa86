/**
 * Certificates for TLS tests, made with openssl: a CA, a server certificate
 * for 127.0.0.1, and a client certificate signed by the CA (plus one that is
 * not), as a real SlapOS Master and its nodes use them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function openssl(args: string[], cwd: string): void {
  const result = Bun.spawnSync(["openssl", ...args], { cwd, stderr: "pipe", stdout: "pipe" });
  if (result.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${result.stderr.toString()}`);
}

export interface TestCerts {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Self-signed, not from the CA: a master requiring client certificates refuses it. */
  strangerCert: string;
  strangerKey: string;
}

export function makeCerts(dir: string): TestCerts {
  const p = (name: string) => join(dir, name);
  writeFileSync(p("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=test-ca"], dir);
  for (const name of ["server", "client"]) {
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name === "server" ? "127.0.0.1" : "COMP-TEST"}`], dir);
    const ext = name === "server" ? ["-extfile", "server.ext"] : [];
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${name}.crt`, "-days", "2", ...ext], dir);
  }
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "stranger.key", "-out", "stranger.crt", "-days", "2", "-subj", "/CN=stranger"], dir);
  return {
    dir,
    caCert: p("ca.crt"),
    serverCert: p("server.crt"),
    serverKey: p("server.key"),
    clientCert: p("client.crt"),
    clientKey: p("client.key"),
    strangerCert: p("stranger.crt"),
    strangerKey: p("stranger.key"),
  };
}

/** `Bun.serve`'s `tls` for a master that serves `certs.serverCert` and requires client certificates signed by the CA. */
export function mutualTlsServerOptions(certs: TestCerts) {
  return {
    cert: readFileSync(certs.serverCert, "utf8"),
    key: readFileSync(certs.serverKey, "utf8"),
    ca: readFileSync(certs.caCert, "utf8"),
    requestCert: true,
    rejectUnauthorized: true,
  };
}
