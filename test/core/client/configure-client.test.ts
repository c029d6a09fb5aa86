/**
 * `slapos configure client` end to end, through the compiled binary, against
 * our master (`dist/slapos proxy start`) over HTTPS requiring client
 * certificates signed by its CA: a token from `slapos proxy token`, the
 * user's certificate from `Person_getCertificate` on the registration port,
 * then the client commands with the written configuration.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapClient } from "../../../core/slap/client.ts";
import { slapos, startSlapos } from "../../helpers/binary.ts";
import type { TestCerts } from "../../helpers/certs.ts";
import { proxyToken, startRegistrationMaster, stopMaster, type RegistrationMaster } from "../../helpers/registration-master.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { formatDocument } from "../master/helpers.ts";

const SR = "/srv/sr/configure-client/software.cfg";
const dir = tempDir();
let certs: TestCerts;
let master: RegistrationMaster;

beforeAll(async () => {
  master = await startRegistrationMaster("computer");
  certs = master.certs;
  // What `slapos node format` posts (with the node's certificate), so that requests can be allocated.
  const node = new SlapClient({ masterUrl: master.url, certFile: certs.clientCert, keyFile: certs.clientKey });
  await node.loadComputerConfigurationFromXML(formatDocument(["slappart0", "slappart1"]));
}, 60_000);

afterAll(() => stopMaster(master));

const token = () => proxyToken(master);

const configure = (cfgPath: string, args: string[], stdin?: string, web = master.web) =>
  slapos(["--log-time", "configure", "client", "--cfg", cfgPath, "--master-url", master.url, "--master-url-web", web, ...args], {
    stdin,
    timeout: 60,
  });

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const messages = (stderr: string) => stderr.replace(/^slapos\[\d+\] /gm, "");

describe("slapos configure client against our master", () => {
  test("a token gives slapos-client.cfg, client.crt and client.key (0600) in a new 0700 folder; master_rest_url since our master has no getHateoasUrl", async () => {
    const home = join(tempDir(), "home", ".slapos");
    const cfgPath = join(home, "slapos-client.cfg");
    const r = await configure(cfgPath, ["--token", await token()]);
    expect(messages(r.stderr)).toBe(`INFO SlapOS client configuration written to ${cfgPath}\n`);
    expect(r.code).toBe(0);
    expect(readdirSync(home).sort()).toEqual(["client.crt", "client.key", "slapos-client.cfg"]);
    expect([mode(join(home, "..")), mode(home)]).toEqual(["700", "700"]);
    expect(["slapos-client.cfg", "client.crt", "client.key"].map((f) => mode(join(home, f)))).toEqual(["600", "600", "600"]);
    expect(readFileSync(cfgPath, "utf8")).toBe(
      `[slapos]\nmaster_url = ${master.url}\nmaster_rest_url = ${master.url}/hateoas\n\n[slapconsole]\n` +
        "# Put here the certificate retrieved from SlapOS Master.\n" +
        "# Beware: put certificate from YOUR account, not the one from your node.\n" +
        "# You (as identified person from SlapOS Master) will request an instance, not your node.\n" +
        "# Conclusion: node certificate != person certificate.\n" +
        `cert_file = ${join(home, "client.crt")}\nkey_file = ${join(home, "client.key")}\n`,
    );
    expect(readFileSync(join(home, "client.key"), "utf8")).toContain("-----BEGIN PRIVATE KEY-----");
  });

  test("the master issued a person certificate signed by its CA", async () => {
    const home = tempDir();
    expect((await configure(join(home, "slapos-client.cfg"), ["--token", await token()])).code).toBe(0);
    const certificate = readFileSync(join(home, "client.crt"), "utf8");
    expect(certificate).toMatch(/Subject: CN=PERSON-\d+\/emailAddress=PERSON-\d+@slapos\n/);
    const verify = Bun.spawnSync(["openssl", "verify", "-CAfile", certs.caCert, join(home, "client.crt")], { stderr: "pipe" });
    expect(verify.stdout.toString()).toContain(": OK");
    expect(verify.exitCode).toBe(0);
  });

  test("then request and service list work with the written configuration and the issued certificate", async () => {
    const home = tempDir();
    const cfgPath = join(home, "slapos-client.cfg");
    expect((await configure(cfgPath, ["--token", await token()])).code).toBe(0);
    const requested = await slapos(["--log-time", "request", "--cfg", cfgPath, "configured-instance", SR], { timeout: 60 });
    expect(messages(requested.stderr)).toContain("INFO Instance requested.\nState is : started.\n");
    expect(requested.code).toBe(0);
    const listed = await slapos(["service", "list", "--cfg", cfgPath], { timeout: 60 });
    expect(listed.stderr).toBe("");
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ "configured-instance": SR });
  });

  test("without --token the token is asked on stdin until it is not empty", async () => {
    const home = tempDir();
    const r = await configure(join(home, "slapos-client.cfg"), [], `\n   \n${await token()}\n`);
    expect(r.stdout).toBe("Credential security token: ".repeat(3));
    expect(r.code).toBe(0);
    expect(existsSync(join(home, "client.crt"))).toBe(true);
  });

  test("a token can be used once: the second use is refused (exit 1) and nothing is written", async () => {
    const used = await token();
    expect((await configure(join(tempDir(), "slapos-client.cfg"), ["--token", used])).code).toBe(0);
    const home = join(tempDir(), "new", ".slapos");
    const r = await configure(join(home, "slapos-client.cfg"), ["--token", used]);
    expect(messages(r.stderr)).toBe("CRITICAL Access denied to the SlapOS Master. Please check the authentication token or require a new one.\n");
    expect(r.code).toBe(1);
    expect(existsSync(join(home, ".."))).toBe(false);
  });

  test("an unknown token is refused (exit 1) and nothing is written", async () => {
    const home = tempDir();
    const r = await configure(join(home, "slapos-client.cfg"), ["--token", "not-a-token"]);
    expect(r.stderr).toContain("CRITICAL Access denied to the SlapOS Master.");
    expect(r.code).toBe(1);
    expect(readdirSync(home)).toEqual([]);
  });

  for (const existing of ["slapos-client.cfg", "client.crt", "client.key"]) {
    test(`refuses when ${existing} exists (exit 1), writes nothing and keeps the token unused`, async () => {
      const home = tempDir();
      writeFileSync(join(home, existing), "mine\n");
      const kept = await token();
      const r = await configure(join(home, "slapos-client.cfg"), ["--token", kept]);
      const what = { "slapos-client.cfg": "configuration", "client.crt": "certificate", "client.key": "key" }[existing];
      expect(messages(r.stderr)).toBe(`CRITICAL There is a file in ${join(home, existing)}. Please remove it before creating a new ${what}.\n`);
      expect(r.code).toBe(1);
      expect(readdirSync(home)).toEqual([existing]);
      expect(readFileSync(join(home, existing), "utf8")).toBe("mine\n");
      const other = tempDir();
      expect((await configure(join(other, "slapos-client.cfg"), ["--token", kept])).code).toBe(0);
    });
  }

  test("an unreachable master: one line, exit 1, the folder it created removed", async () => {
    const home = join(tempDir(), ".slapos");
    const r = await configure(join(home, "slapos-client.cfg"), ["--token", "t"], undefined, `https://127.0.0.1:${await freePort()}`);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toMatch(/^ERROR cannot reach https:\/\/127\.0\.0\.1:\d+\/Person_getCertificate: .+\n$/);
    expect(existsSync(home)).toBe(false);
  });

  test("standard input ends before a token is given: exit 1, nothing written", async () => {
    const home = join(tempDir(), ".slapos");
    const r = await configure(join(home, "slapos-client.cfg"), [], "\n");
    expect(messages(r.stderr)).toBe("ERROR no token given: standard input ended\n");
    expect(r.code).toBe(1);
    expect(existsSync(home)).toBe(false);
  });

  test("a folder that cannot be made: one line, exit 1, before the token is spent", async () => {
    const base = tempDir();
    writeFileSync(join(base, "file"), "");
    const kept = await token();
    const r = await configure(join(base, "file", "sub", "slapos-client.cfg"), ["--token", kept]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toMatch(new RegExp(`^ERROR cannot create the directory ${join(base, "file", "sub")}: .+\\n$`));
    expect((await configure(join(tempDir(), "slapos-client.cfg"), ["--token", kept])).code).toBe(0);
  });

  test("--master-url that is not an http(s) URL is a usage error (exit 2)", async () => {
    const home = tempDir();
    const r = await slapos(["configure", "client", "--cfg", join(home, "c.cfg"), "--master-url", "slap.example.com", "--token", "t"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('argument --master-url: not an http(s) URL: "slap.example.com"');
    expect(readdirSync(home)).toEqual([]);
  });

  test("the master's main port (client certificate required) answers Person_getCertificate to certificate holders too", async () => {
    const tls = { rejectUnauthorized: false, cert: readFileSync(certs.clientCert, "utf8"), key: readFileSync(certs.clientKey, "utf8") };
    const answer = await fetch(`${master.url}/Person_getCertificate`, {
      method: "POST",
      headers: { "X-Access-Token": await token() },
      tls,
    } as RequestInit);
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { certificate: string; key: string };
    expect(body.certificate).toContain("-----BEGIN CERTIFICATE-----");
    expect(body.key).toContain("PRIVATE KEY");
  });
});

describe("Person_getCertificate on a master that cannot issue certificates", () => {
  test("answers 404, and configure client says so in one line (exit 1)", async () => {
    const port = await freePort();
    const cfg = join(dir, "plain.cfg");
    writeFileSync(cfg, `[slapos]\ncomputer_id = computer\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${join(dir, "plain.db")}\n`);
    const plain = startSlapos(["proxy", "start", "--cfg", cfg]);
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${url}/getRunId`)).ok, 30, "proxy start");
      const home = join(tempDir(), ".slapos");
      mkdirSync(home);
      const r = await configure(join(home, "slapos-client.cfg"), ["--token", "t"], undefined, url);
      expect(messages(r.stderr)).toMatch(/^ERROR http:\/\/127\.0\.0\.1:\d+\/Person_getCertificate answered 404: .*Not Found.*\n$/);
      expect(r.code).toBe(1);
      expect(readdirSync(home)).toEqual([]);
    } finally {
      plain.kill("SIGTERM");
      await plain.exited;
    }
  });
});

describe("against a master that answers getHateoasUrl (as a real SlapOS Master does)", () => {
  test("the configuration is the reference's template with its three values, nothing added", async () => {
    // A stand-in for the real master's web side (ERP5, not ours): the certificate of the test CA for any token.
    const pair = { certificate: readFileSync(certs.clientCert, "utf8"), key: readFileSync(certs.clientKey, "utf8") };
    const seen: string[] = [];
    const server: ReturnType<typeof Bun.serve> = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request): Response {
        const path = new URL(request.url).pathname;
        seen.push(`${request.method} ${path} ${request.headers.get("x-access-token") ?? ""}`.trim());
        if (path === "/Person_getCertificate" && request.method === "POST") return Response.json(pair);
        if (path === "/getHateoasUrl") return new Response(`http://127.0.0.1:${server.port}/api/`);
        return new Response("no", { status: 404 });
      },
    });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const home = tempDir();
      const cfgPath = join(home, "slapos-client.cfg");
      const r = await slapos(["configure", "client", "--cfg", cfgPath, "--master-url", url, "--master-url-web", url, "--token", "secret"]);
      expect(r.code).toBe(0);
      expect(seen).toEqual(["POST /Person_getCertificate secret", "GET /getHateoasUrl"]);
      expect(readFileSync(cfgPath, "utf8")).toBe(
        `[slapos]\nmaster_url = ${url}\n\n[slapconsole]\n` +
          "# Put here the certificate retrieved from SlapOS Master.\n" +
          "# Beware: put certificate from YOUR account, not the one from your node.\n" +
          "# You (as identified person from SlapOS Master) will request an instance, not your node.\n" +
          "# Conclusion: node certificate != person certificate.\n" +
          `cert_file = ${join(home, "client.crt")}\nkey_file = ${join(home, "client.key")}\n`,
      );
      expect(readFileSync(join(home, "client.crt"), "utf8")).toBe(pair.certificate);
      expect(readFileSync(join(home, "client.key"), "utf8")).toBe(pair.key);
    } finally {
      server.stop(true);
    }
  });
});
