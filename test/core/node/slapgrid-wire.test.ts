/**
 * A full node cycle against the reference master's captured conversation
 * (wire/slapgrid/, SEQUENCE.txt): our node format, node software, node
 * instance and node report talk to a loopback server that answers with the
 * captured responses, in order, and each request must be the captured one
 * — method, path, query or form fields — call for call. Paths (the
 * software release, the roots) and versions are the only differences
 * allowed; the captured client commands (supply, request) are not the
 * node's and are left out.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import { PyObject, type PyValue } from "../../../core/slap/marshal/values.ts";
import { supervisorClient } from "../../../plugins/supervisor/api.ts";
import { slapos } from "../../helpers/binary.ts";
import { WIRE_DIR, parseCapture, type Capture } from "../../helpers/wire.ts";
import { instanceProfile, scriptPart, writeNodeFolder, writeRelease } from "./harness.ts";

const CAPTURED_URL = "/srv/sr/trivial/software.cfg";
const CAPTURED_URL_RAW = "/work/peer/sr/trivial/software.cfg";
const COMPUTER = "COMP-NODE";

const captures = readdirSync(join(WIRE_DIR, "slapgrid"))
  .filter((name) => /^\d{4}-/.test(name))
  .sort()
  .map((name) => parseCapture(join(WIRE_DIR, "slapgrid", name)));
const byNumber = (...numbers: number[]) => numbers.map((n) => captures[n - 1]);

/** What each node command sent in the capture (SEQUENCE.txt). */
const SEQUENCE = {
  format: byNumber(1, 2),
  software: byNumber(4, 5, 6, 7),
  instance: byNumber(9, 10, 11),
  report: byNumber(13, 14, 15, 16),
};

interface Exchange {
  method: string;
  path: string;
  /** Query or form fields, in the order they were sent. */
  fields: Array<[string, string]>;
}

const dir = mkdtempSync(join(tmpdir(), "slapgrid-wire-"));
const url = writeRelease(dir, "trivial", {
  instance: instanceProfile({ hello: scriptPart("etc/run/hello", "echo hello\nexec sleep 1000") }),
});

/** A captured value with the capture's paths replaced by ours. */
function ours(text: string): string {
  return text.replaceAll(CAPTURED_URL_RAW, url).replaceAll(CAPTURED_URL, url);
}

/** The loopback master: answers the expected captures in order, records what it got. */
function replay() {
  let expected: Capture[] = [];
  const received: Exchange[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const address = new URL(request.url);
      const body = request.method === "POST" ? await request.text() : "";
      const fields = [...new URLSearchParams(request.method === "POST" ? body : address.search)];
      received.push({ method: request.method, path: address.pathname.slice(1), fields });
      const next = expected.shift();
      if (!next || next.method !== request.method || next.path !== address.pathname) return new Response("not in the capture", { status: 599 });
      return new Response(ours(next.responseBody), {
        status: next.status,
        headers: { "Content-Type": next.responseHeaders["content-type"] ?? "text/html; charset=utf-8" },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    expect(list: Capture[]) {
      expected = [...list];
      received.length = 0;
    },
    received,
    left: () => expected.length,
    stop: () => server.stop(true),
  };
}

const master = replay();
const cfg = join(dir, "slapos.cfg");
const inst = join(dir, "inst");
const node = (...args: string[]) => slapos(args, { env: { SLAPOS_CONFIGURATION: cfg } });

/** The captured request, as fields to compare. */
function capturedExchange(capture: Capture): Exchange {
  const fields = [...(capture.method === "POST" ? capture.form : capture.query)].map(([key, value]): [string, string] => [key, ours(value)]);
  return { method: capture.method, path: capture.path.slice(1), fields };
}

/** The computer dictionary of loadComputerConfigurationFromXML with paths and versions aside. */
function comparableComputer(xml: string): PyValue {
  const strip = (value: PyValue, key?: string): PyValue => {
    if (key && ["instance_root", "software_root", "path", "os_type", "python_version", "slapos_version"].includes(key)) return "<aside>";
    if (Array.isArray(value)) return value.map((v) => strip(v));
    if (value && typeof value === "object" && !(value instanceof PyObject)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v as PyValue, k)]));
    }
    return value;
  };
  return strip(loads(xml));
}

beforeAll(() => {
  // as the captured node (StandaloneSlapOS writes it)
  writeNodeFolder(dir, { masterUrl: master.url, computerId: COMPUTER, partitions: 2, slapformat: "partition_has_ipv6_range = false" });
});

afterAll(async () => {
  if (existsSync(join(inst, "sv.sock"))) await supervisorClient(join(inst, "sv.sock")).call("shutdown").catch(() => undefined);
  master.stop();
  await Bun.sleep(200);
  if (!process.env.KEEP_TEST_DIRS) rmSync(dir, { recursive: true, force: true });
});

describe("the node cycle of wire/slapgrid/, call for call", () => {
  test("node format: getHateoasUrl, then loadComputerConfigurationFromXML with the captured computer", async () => {
    master.expect(SEQUENCE.format);
    const run = await node("node", "format", "--now");
    expect(run.code).toBe(0);
    expect(master.received.map((r) => `${r.method} ${r.path}`)).toEqual(SEQUENCE.format.map((c) => `${c.method} ${c.path.slice(1)}`));
    const sent = master.received[1].fields;
    expect(sent.map(([key]) => key)).toEqual(["xml"]);
    expect(comparableComputer(sent[0][1])).toEqual(comparableComputer(SEQUENCE.format[1].form.get("xml")!));
  });

  for (const kind of ["software", "instance", "report"] as const) {
    test(`node ${kind}: ${SEQUENCE[kind].map((c) => c.path.slice(1)).join(", ")}`, async () => {
      master.expect(SEQUENCE[kind]);
      const run = await node("node", kind, "--now");
      expect(run.stderr).not.toContain("ERROR");
      expect(run.code).toBe(0);
      expect(master.received).toEqual(SEQUENCE[kind].map(capturedExchange));
      expect(master.left()).toBe(0);
    });
  }

  test("after the cycle the partition is empty again and the release stays built", () => {
    expect(readdirSync(join(inst, "slappart0"))).toEqual([]);
    expect(readdirSync(join(dir, "soft")).length).toBe(1);
  });
});
