import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import { SlapClient, normaliseMasterUrl } from "../../../core/slap/client.ts";
import { loads } from "../../../core/slap/marshal/index.ts";
import type { PyDict } from "../../../core/slap/marshal/values.ts";
import { replayMaster } from "../../helpers/replay-master.ts";
import { parseCapture, WIRE_DIR, type Capture } from "../../helpers/wire.ts";

const capture = (name: string) => parseCapture(join(WIRE_DIR, name));

/** Start a replay of one capture, run `call` with a client, return what the server received. */
async function exchange(name: string, call: (client: SlapClient, c: Capture) => Promise<unknown>) {
  const c = capture(name);
  const replay = replayMaster([c]);
  try {
    const client = new SlapClient({ masterUrl: replay.url, timeout: 10 });
    const result = await call(client, c).catch((error) => error);
    return { c, result, received: replay.received[0] };
  } finally {
    replay.server.stop(true);
  }
}

describe("the client sends what the reference sends, and reads what it answers", () => {
  test("getFullComputerInformation", async () => {
    const { c, result, received } = await exchange("getFullComputerInformation.txt", (client, c) =>
      client.getFullComputerInformation(c.query.get("computer_id")!),
    );
    expect(received.query).toBe(c.query.toString());
    const computer = result as Awaited<ReturnType<SlapClient["getFullComputerInformation"]>>;
    expect(computer.getId()).toBe("COMP-PEER");
    expect(computer.getComputerPartitionList().length).toBeGreaterThan(0);
  });

  test("registerComputerPartition", async () => {
    const { c, result, received } = await exchange("registerComputerPartition.txt", (client, c) =>
      client.registerComputerPartition(c.query.get("computer_reference")!, c.query.get("computer_partition_reference")!),
    );
    expect(received.path + "?" + received.query).toBe(c.path + "?" + c.query.toString());
    const partition = result as Awaited<ReturnType<SlapClient["registerComputerPartition"]>>;
    expect(partition.getId()).toBe("slappart0");
  });

  test("requestComputerPartition posts the reference's exact form", async () => {
    const { c, result, received } = await exchange("requestComputerPartition.txt", (client, c) =>
      client.requestComputerPartition({
        softwareRelease: c.form.get("software_release")!,
        partitionReference: c.form.get("partition_reference")!,
        parameters: loads(c.form.get("partition_parameter_xml")!) as PyDict,
        softwareType: c.form.get("software_type")!,
        shared: false,
      }),
    );
    expect(received.body).toBe(c.requestBody);
    expect(received.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    const instance = result as Awaited<ReturnType<SlapClient["requestComputerPartition"]>>;
    expect(instance.getPartitionId()).toBe("slappart0");
    expect(instance.getInstanceGuid()).toBe("COMP-PEER-slappart0");
  });

  test("setComputerPartitionConnectionXml sends slave_reference=None for a partition", async () => {
    const { c, received } = await exchange("setComputerPartitionConnectionXml.txt", (client, c) =>
      client.setConnectionDict(
        c.form.get("computer_id")!,
        c.form.get("computer_partition_id")!,
        loads(c.form.get("connection_xml")!) as PyDict,
      ),
    );
    expect(received.body).toBe(c.requestBody);
  });

  test("supplySupply", async () => {
    const { c, result, received } = await exchange("supplySupply.txt", (client, c) =>
      client.supply(c.form.get("url")!, c.form.get("computer_id")!, "available"),
    );
    expect(received.body).toBe(c.requestBody);
    expect(result).toBe(c.responseBody);
  });

  test("availableSoftwareRelease", async () => {
    const { c, received } = await exchange("availableSoftwareRelease.txt", (client, c) =>
      client.softwareReleaseState("available", c.form.get("url")!, c.form.get("computer_id")!),
    );
    expect(received.body).toBe(c.requestBody);
  });

  test("startedComputerPartition", async () => {
    const { c, received } = await exchange("startedComputerPartition.txt", (client, c) =>
      client.partitionState("started", c.form.get("computer_id")!, c.form.get("computer_partition_id")!),
    );
    expect(received.body).toBe(c.requestBody);
  });

  test("softwareInstanceBang", async () => {
    const { c, received } = await exchange("softwareInstanceBang.txt", (client, c) =>
      client.softwareInstanceBang(c.form.get("computer_id")!, c.form.get("computer_partition_id")!, c.form.get("message")!),
    );
    expect(received.body).toBe(c.requestBody);
  });

  test("loadComputerConfigurationFromXML", async () => {
    const { c, result, received } = await exchange("loadComputerConfigurationFromXML.txt", (client, c) =>
      client.loadComputerConfigurationFromXML(loads(c.form.get("xml")!) as PyDict),
    );
    expect(received.body).toBe(c.requestBody);
    expect(result).toBe("done");
  });
});

describe("statuses become typed errors", () => {
  test("500 (unknown computer) is a server error", async () => {
    const { result } = await exchange("extra/getFullComputerInformation-500-unknown-computer.txt", (client) =>
      client.getFullComputerInformation("COMP-NOPE"),
    );
    expect(result).toBeInstanceOf(SlapError);
    expect((result as SlapError).code).toBe("server");
  });

  test("404 (no free partition) is not-found", async () => {
    const { result } = await exchange("extra/requestComputerPartition-404-no-free-partition.txt", (client, c) =>
      client.requestComputerPartition({ softwareRelease: c.form.get("software_release")!, partitionReference: c.form.get("partition_reference")! }),
    );
    expect((result as SlapError).code).toBe("not-found");
  });

  test("getHateoasUrl answered 404 means no hateoas", async () => {
    const { result } = await exchange("extra/getHateoasUrl-404.txt", (client) => client.getHateoasUrl());
    expect(result).toBeUndefined();
  });

  test("408 gives an instance that is not ready", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("Resource not ready", { status: 408 }) });
    try {
      const client = new SlapClient({ masterUrl: `http://127.0.0.1:${server.port}` });
      const instance = await client.requestComputerPartition({ softwareRelease: "x", partitionReference: "y" });
      expect(instance.getPartitionId()).toBeUndefined();
      expect(instance.getState()).toBe("started");
    } finally {
      server.stop(true);
    }
  });

  test("a refused connection is a connection error", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const port = server.port;
    server.stop(true);
    const client = new SlapClient({ masterUrl: `http://127.0.0.1:${port}`, timeout: 5 });
    const error = await client.getRunId().catch((e) => e);
    expect((error as SlapError).code).toBe("connection");
  });

  test("a master that never answers times out as a connection error", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Promise<Response>(() => {}) });
    try {
      const client = new SlapClient({ masterUrl: `http://127.0.0.1:${server.port}`, timeout: 0.3 });
      const error = await client.getRunId().catch((e) => e);
      expect((error as SlapError).code).toBe("connection");
      expect((error as SlapError).message).toMatch(/timed out/);
    } finally {
      server.stop(true);
    }
  });
});

describe("master URLs", () => {
  test("a trailing slash is added so that a path prefix works", () => {
    expect(normaliseMasterUrl("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/");
    expect(normaliseMasterUrl("https://slap.example/erp5/web_site_module/hateoas")).toBe("https://slap.example/erp5/web_site_module/hateoas/");
  });
  test("a bare IPv6 host is bracketed", () => {
    expect(normaliseMasterUrl("http://fe80::1:5000/x/")).toBe("http://[fe80::1]:5000/x/");
  });
});

afterAll(() => {});
