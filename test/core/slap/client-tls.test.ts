import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SlapError } from "../../../core/errors.ts";
import { SlapClient } from "../../../core/slap/client.ts";
import { makeCerts, mutualTlsServerOptions, type TestCerts } from "../../helpers/certs.ts";
import { tempDir } from "../../helpers/tmp.ts";

let certs: TestCerts;
let server: ReturnType<typeof Bun.serve>;
let seenClient: string[] = [];

beforeAll(() => {
  certs = makeCerts(tempDir());
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: mutualTlsServerOptions(certs),
    fetch(request) {
      seenClient.push(new URL(request.url).pathname);
      return new Response("R".repeat(32));
    },
  });
});

afterAll(() => server.stop(true));

describe("HTTPS with client certificates, as a real SlapOS Master", () => {
  test("a node with its key_file and cert_file is served", async () => {
    const client = new SlapClient({ masterUrl: `https://127.0.0.1:${server.port}`, keyFile: certs.clientKey, certFile: certs.clientCert });
    expect(await client.getRunId()).toBe("R".repeat(32));
  });

  test("master_ca_file verifies the master's certificate", async () => {
    const client = new SlapClient({
      masterUrl: `https://127.0.0.1:${server.port}`,
      keyFile: certs.clientKey,
      certFile: certs.clientCert,
      caFile: certs.caCert,
    });
    expect(await client.getRunId()).toBe("R".repeat(32));
  });

  test("a master whose certificate does not match master_ca_file is refused", async () => {
    const client = new SlapClient({
      masterUrl: `https://127.0.0.1:${server.port}`,
      keyFile: certs.clientKey,
      certFile: certs.clientCert,
      caFile: certs.strangerCert,
    });
    const error = await client.getRunId().catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect(["authentication", "connection"]).toContain((error as SlapError).code);
  });

  test("a node without a certificate is refused by the master", async () => {
    seenClient = [];
    const client = new SlapClient({ masterUrl: `https://127.0.0.1:${server.port}`, timeout: 10 });
    const error = await client.getRunId().catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect(seenClient).toEqual([]);
  });

  test("a node with a certificate the master's CA did not sign is refused", async () => {
    seenClient = [];
    const client = new SlapClient({ masterUrl: `https://127.0.0.1:${server.port}`, keyFile: certs.strangerKey, certFile: certs.strangerCert, timeout: 10 });
    const error = await client.getRunId().catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect(seenClient).toEqual([]);
  });

  test("an unreadable cert_file is a config error naming it", () => {
    expect(() => new SlapClient({ masterUrl: "https://127.0.0.1:1", certFile: "/nonexistent/cert.pem" })).toThrow(/cert_file \/nonexistent\/cert.pem/);
  });
});
