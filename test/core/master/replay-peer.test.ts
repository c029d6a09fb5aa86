/**
 * The reference's single-call captures (wire/*.txt and wire/extra/) come
 * from one session against a master whose computer is COMP-PEER. Replayed
 * in that session's order (their Date headers) against our master, every
 * answer is the captured one, timestamps and host:port aside. Three
 * requests the capture did not keep (peer-inst-2..4, which fill the
 * computer before the final 404) are made where they happened.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { WIRE_DIR, parseCapture, type Capture } from "../../helpers/wire.ts";
import { replayBody, req, testMaster, type TestMaster } from "./helpers.ts";

const ORDER = [
  "extra/getHateoasUrl-404.txt",
  "loadComputerConfigurationFromXML.txt",
  "supplySupply.txt",
  "requestComputerPartition.txt",
  "extra/hateoas-0006-GET-hateoas.txt",
  "extra/hateoas-0007-GET-hateoas.txt",
  "extra/hateoas-0008-GET-hateoas.txt",
  "extra/hateoas-0009-GET-hateoas.txt",
  "extra/hateoas-0010-GET-hateoas.txt",
  "extra/hateoas-0011-GET-hateoas.txt",
  "extra/hateoas-0012-GET-hateoas.txt",
  "extra/hateoas-0013-GET-hateoas_partitions_peer-inst-1.txt",
  "getFullComputerInformation.txt",
  "availableSoftwareRelease.txt",
  "startedComputerPartition.txt",
  "setComputerPartitionConnectionXml.txt",
  "softwareInstanceBang.txt",
  "extra/requestComputerPartition-rerequest-with-connection.txt",
  "extra/requestComputerPartition-slave.txt",
  "registerComputerPartition.txt",
  "extra/getFullComputerInformation-500-unknown-computer.txt",
  "extra/registerComputerPartition-500-unknown-partition.txt",
  "extra/requestComputerPartition-404-no-free-partition.txt",
];

const rewrite = (text: string) => text.replaceAll("/work/peer/sr/", "/srv/sr/").replaceAll("/work/peer/proxy/inst", "/srv/slapgrid");

function normalise(body: string, port: number): string {
  return body
    .replaceAll(`127.0.0.1:${port}`, "127.0.0.1:18081")
    .replace(/<string>timestamp<\/string><string>[0-9.e+-]+<\/string>/g, "<string>timestamp</string><string>T</string>")
    .replace(/"timestamp":[0-9.e+-]+/g, '"timestamp":T');
}

let master: TestMaster;
beforeAll(async () => {
  master = await testMaster({ computerId: "COMP-PEER" });
});
afterAll(() => master.stop());

describe("replay of the single-call captures against our master", () => {
  for (const file of ORDER) {
    test(`${file} gives the captured answer`, async () => {
      const capture: Capture = parseCapture(join(WIRE_DIR, file));
      if (file.includes("404-no-free-partition")) {
        for (const name of ["peer-inst-2", "peer-inst-3", "peer-inst-4"]) await req(master, { sr: "/srv/sr/trivial/software.cfg", name });
      }
      const headers: Record<string, string> = { Accept: "*/*" };
      if (capture.requestHeaders["cache-control"]) headers["Cache-Control"] = capture.requestHeaders["cache-control"];
      const body = replayBody(capture, rewrite, headers);
      const query = capture.query.toString().replaceAll("+", "%20");
      const response = await fetch(`${master.url}${capture.path}${query ? `?${query}` : ""}`, {
        method: capture.method,
        headers,
        body,
        redirect: "manual",
      });
      expect(response.status).toBe(capture.status);
      expect(response.headers.get("content-type")).toBe(capture.responseHeaders["content-type"]);
      if (capture.responseHeaders.location) {
        expect(normalise(response.headers.get("location")!, master.port)).toBe(capture.responseHeaders.location);
      }
      expect(normalise(await response.text(), master.port)).toBe(normalise(capture.responseBody, master.port));
    });
  }
});
