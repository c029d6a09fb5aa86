/**
 * TLS like a real SlapOS Master: HTTPS with the server certificate, client
 * certificates required and checked against the CA, and node registration
 * with a token that issues a certificate the node then uses. The client is
 * our SlapClient with the reference's options (key_file, cert_file,
 * master_ca_file).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import { createToken } from "../../../core/master/register/tokens.ts";
import { SlapClient } from "../../../core/slap/client.ts";
import { makeCerts, type TestCerts } from "../../helpers/certs.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { formatDocument, testMaster, type TestMaster } from "./helpers.ts";

let certs: TestCerts;
let master: TestMaster;

beforeAll(async () => {
  certs = makeCerts(tempDir());
  master = await testMaster({
    computerId: "COMP-TEST",
    tls: { certFile: certs.serverCert, keyFile: certs.serverKey, clientCaFile: certs.caCert, clientCaKeyFile: join(certs.dir, "ca.key") },
    registrationPort: 0,
  });
});
afterAll(() => master.stop());

const node = () => new SlapClient({ masterUrl: master.url, keyFile: certs.clientKey, certFile: certs.clientCert, caFile: certs.caCert });

async function register(title: string, token: string) {
  const response = await fetch(`${master.registrationUrl}/Person_requestComputer`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Access-Token": token },
    body: new URLSearchParams({ title }).toString(),
    tls: { ca: readFileSync(certs.caCert, "utf8") },
  } as RequestInit);
  return { status: response.status, text: await response.text() };
}

describe("HTTPS master with client certificates", () => {
  test("the master serves HTTPS", () => {
    expect(master.url).toStartWith("https://127.0.0.1:");
  });

  test("a node with key_file and cert_file signed by the CA runs a whole cycle, verifying the master with master_ca_file", async () => {
    const client = node();
    expect(await client.loadComputerConfigurationFromXML(formatDocument(["slappart0"], "COMP-TEST"))).toBe("done");
    expect(await client.supply("http://sr/software.cfg", "COMP-TEST")).toBe("Supplied 'http://sr/software.cfg' to be available");
    const instance = await client.requestComputerPartition({ softwareRelease: "http://sr/software.cfg", partitionReference: "tls-instance" });
    expect(instance.getPartitionId()).toBe("slappart0");
    const computer = await client.getFullComputerInformation("COMP-TEST");
    expect(computer.getComputerPartitionList()[0].getSoftwareReleaseUrl()).toBe("http://sr/software.cfg");
    expect(await client.partitionState("started", "COMP-TEST", "slappart0")).toBe("Ignored");
  });

  test("a node without a certificate is refused", async () => {
    const error = await new SlapClient({ masterUrl: master.url, timeout: 10 }).getRunId().catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect(["authentication", "connection"]).toContain((error as SlapError).code);
  });

  test("a certificate the CA did not sign is refused", async () => {
    const client = new SlapClient({ masterUrl: master.url, keyFile: certs.strangerKey, certFile: certs.strangerCert, timeout: 10 });
    const error = await client.getRunId().catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
  });

  test("plain HTTP to the HTTPS port gets no SLAP answer", async () => {
    const error = await fetch(master.url.replace("https:", "http:") + "/getRunId").then((r) => r.status, (e) => e);
    expect(error).not.toBe(200);
  });
});

describe("node registration with a token (slapos node register --token)", () => {
  test("a token gives a computer id and a certificate the master accepts", async () => {
    const token = createToken(master.context.store.db);
    const answer = await register("my laptop", token);
    expect(answer.status).toBe(200);
    const { certificate, key } = JSON.parse(answer.text) as { certificate: string; key: string };
    // What the reference's register does to find the computer id.
    const at = certificate.indexOf("COMP-");
    const computerId = certificate.slice(at, certificate.indexOf("/email", at));
    expect(computerId).toMatch(/^COMP-\d+$/);
    const dir = tempDir();
    writeFileSync(join(dir, "certificate"), certificate);
    writeFileSync(join(dir, "key"), key);
    const client = new SlapClient({ masterUrl: master.url, certFile: join(dir, "certificate"), keyFile: join(dir, "key") });
    expect(await client.loadComputerConfigurationFromXML(formatDocument(["slappart0"], computerId))).toBe("done");
    expect((await client.getFullComputerInformation(computerId)).getId()).toBe(computerId);
  });

  test("a used or unknown token is 403, a taken name says the certificate is still active", async () => {
    const token = createToken(master.context.store.db);
    expect((await register("node-a", token)).status).toBe(200);
    expect((await register("node-b", token)).status).toBe(403);
    expect((await register("node-c", "not-a-token")).status).toBe(403);
    const taken = await register("node-a", createToken(master.context.store.db));
    expect(taken.status).not.toBe(200);
    expect(taken.text).toContain("Certificate still active.");
  });

  test("slapos computer token's hateoas path hands out tokens to certificate holders", async () => {
    const client = node();
    const root = JSON.parse(await client.get("hateoas/"));
    expect(root._links.self.href).toBe(`${master.url}/hateoas`);
    const token = JSON.parse(await client.get("hateoas/computer_module/Base_getComputerToken")).access_token as string;
    expect((await register("node-via-hateoas", token)).status).toBe(200);
  });

  test("the registration listener serves nothing else", async () => {
    const response = await fetch(`${master.registrationUrl}/getFullComputerInformation?computer_id=COMP-TEST`, {
      tls: { ca: readFileSync(certs.caCert, "utf8") },
    } as RequestInit);
    expect(response.status).toBe(404);
  });

});

describe("multimaster forwarding to an HTTPS master with a client certificate", () => {
  test("the forward carries the section's key and cert", async () => {
    const local = await testMaster({
      multimaster: [{ url: master.url, key: certs.clientKey, cert: certs.clientCert, softwareReleaseList: ["http://remote/sr.cfg"] }],
    });
    try {
      const client = node();
      await client.loadComputerConfigurationFromXML(formatDocument(["slappart0", "slappart1"], "COMP-TEST"));
      const answer = await local.client.requestComputerPartition({ softwareRelease: "http://remote/sr.cfg", partitionReference: "far" });
      expect(answer.raw.state._master_url).toBe(master.url);
      expect(answer.getComputerId()).toBe("COMP-TEST");
    } finally {
      await local.stop();
    }
  });

  test("an https section without key or cert is 404, as the reference's ConfigurationError", async () => {
    const local = await testMaster({ multimaster: [{ url: master.url, softwareReleaseList: ["http://remote/sr.cfg"] }] });
    try {
      const error = await local.client.requestComputerPartition({ softwareRelease: "http://remote/sr.cfg", partitionReference: "far" }).catch((e) => e);
      expect((error as SlapError).code).toBe("not-found");
    } finally {
      await local.stop();
    }
  });
});
