/**
 * Replaying the reference's real node cycle (wire/slapgrid/: format,
 * supply, software run, request, instance run, destroy, report run)
 * against our master gives the captured answers, byte for byte, timestamps
 * aside.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { dumps } from "../../../core/slap/marshal/index.ts";
import { WIRE_DIR, parseCapture, type Capture } from "../../helpers/wire.ts";
import { formatDocument, rawPost, replayBody, testMaster, type TestMaster } from "./helpers.ts";

// Paths in the captures' responses were rewritten after capture; the raw request bodies were not.
const REWRITES: Array<[string, string]> = [
  ["/work/peer/sr/", "/srv/sr/"],
  ["/work/peer/node/inst", "/srv/slapgrid"],
  ["/work/peer/node/soft", "/opt/slapgrid"],
];

function rewrite(text: string): string {
  for (const [from, to] of REWRITES) text = text.replaceAll(from, to);
  return text;
}

function withoutTimestamps(body: string): string {
  return body.replace(/<string>timestamp<\/string><string>[0-9.e+-]+<\/string>/g, "<string>timestamp</string><string>T</string>");
}

const captures: Capture[] = readdirSync(join(WIRE_DIR, "slapgrid"))
  .filter((name) => /^\d{4}-/.test(name))
  .sort()
  .map((name) => parseCapture(join(WIRE_DIR, "slapgrid", name)));

let master: TestMaster;

beforeAll(async () => {
  master = await testMaster({ computerId: "computer" });
  // The captured master also had another computer whose slappart0 had the same addresses: its
  // requestComputerPartition answers list them too (the reference's ip_list bug, slap-protocol.md §4.5).
  const other = formatDocument([], "COMP-OTHER");
  other.partition_list = [
    {
      reference: "slappart0",
      tap: { name: "" },
      address_list: [
        { addr: "127.0.0.1", netmask: "255.255.255.255" },
        { addr: "::1", netmask: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
      ],
    },
  ] as never;
  await rawPost(master, "/loadComputerConfigurationFromXML", [["xml", dumps(other)]]);
});

afterAll(() => master.stop());

describe("replay of wire/slapgrid against our master", () => {
  for (const capture of captures) {
    test(`${capture.file.split("/").pop()} gives the captured answer`, async () => {
      const headers: Record<string, string> = { Accept: "*/*", "User-Agent": "slapos.core/1.24.0" };
      const body = replayBody(capture, rewrite, headers);
      const query = capture.query.toString();
      const response = await fetch(`${master.url}${capture.path}${query ? `?${query}` : ""}`, { method: capture.method, headers, body });
      const text = await response.text();
      expect(response.status).toBe(capture.status);
      expect(response.headers.get("content-type")).toBe(capture.responseHeaders["content-type"]);
      expect(withoutTimestamps(text)).toBe(withoutTimestamps(capture.responseBody));
    });
  }

  test("the request answers and the computer documents carry the same timestamp", () => {
    const stamp = (c: Capture) => /<string>timestamp<\/string><string>([0-9.]+)<\/string>/.exec(c.responseBody)?.[1];
    // 0008's request timestamp is what 0010's computer document shows (a property of the capture we rely on).
    expect(stamp(captures.find((c) => c.file.includes("0008"))!)).toBe(stamp(captures.find((c) => c.file.includes("0010"))!));
  });
});
