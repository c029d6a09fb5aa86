// The client commands through the compiled binary against a loopback replay of the
// reference's real captures (wire/extra/hateoas-*, requestComputerPartition, supplySupply):
// the same calls in the same order, and the reference's exact output.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { parseCapture, WIRE_DIR } from "../../helpers/wire.ts";
import { hateoasCaptures, replayHateoas } from "./hateoas-replay.ts";

const rerequest = parseCapture(join(WIRE_DIR, "extra/requestComputerPartition-rerequest-with-connection.txt"));
const supply = parseCapture(join(WIRE_DIR, "supplySupply.txt"));
const replay = replayHateoas([rerequest, supply]);
afterAll(() => replay.server.stop(true));

const dir = tempDir();
const cfg = join(dir, "slapos-client.cfg");
writeFileSync(cfg, `[slapos]\nmaster_url = ${replay.url}\nmaster_rest_url = ${replay.url}/hateoas\n`);
const env = { SLAPOS_CLIENT_CONFIGURATION: cfg, HOME: dir };

/** Run a command and return what the master received during it. */
async function run(args: string[]) {
  const before = replay.received.length;
  const result = await slapos(["--log-time", ...args], { env });
  return { ...result, calls: replay.received.slice(before) };
}

/** The log lines without their `slapos[pid] LEVEL ` decoration. */
const messages = (stderr: string) => stderr.replace(/^slapos\[\d+\] (\w+) /gm, "$1 ");

/** The request target (path and query) exactly as the capture's request line has it. */
function readTarget(file: string): string {
  const line = readFileSync(file, "utf8").split("\n")[1] as string;
  return line.split(" ")[1];
}

describe("service list and service info (wire/extra/hateoas-*)", () => {
  test("service list: the captured calls, in order, and the reference's stdout", async () => {
    const r = await run(["service", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{\n  "peer-inst-1": "/srv/sr/trivial/software.cfg"\n}\n');
    const expected = ["0006", "0007", "0008"].map((n) => readTarget(hateoasCaptures().find((h) => h.file.includes(`hateoas-${n}`))!.file));
    expect(r.calls.map((c) => c.target)).toEqual(expected);
  });

  test("service info: the captured calls, in order, and the reference's JSON in its key order", async () => {
    const r = await run(["service", "info", "peer-inst-1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "{",
        '  "software-url": "/srv/sr/trivial/software.cfg",',
        '  "software-type": "default",',
        '  "shared": false,',
        '  "requested-state": "started",',
        '  "instance-parameters": {',
        '    "answer": "42",',
        '    "foo": "bar"',
        "  },",
        '  "connection-parameters": {},',
        '  "status": "unsupported"',
        "}",
        "",
      ].join("\n"),
    );
    const expected = ["0009", "0010", "0011", "0012", "0013"].map((n) =>
      readTarget(hateoasCaptures().find((h) => h.file.includes(`hateoas-${n}`))!.file),
    );
    expect(r.calls.map((c) => c.target)).toEqual(expected);
  });

  test("the calls carry the reference's User-agent", async () => {
    const r = await run(["service", "list"]);
    expect(r.calls.every((c) => c.headers.get("user-agent")?.startsWith("slapos.core/"))).toBe(true);
  });

  test("-q does not silence what the listing prints", async () => {
    const r = await run(["-q", "service", "list"]);
    expect(r.stdout).toBe('{\n  "peer-inst-1": "/srv/sr/trivial/software.cfg"\n}\n');
  });

  test("service list --json: a list of {title, software-url}", async () => {
    const r = await run(["service", "list", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ title: "peer-inst-1", "software-url": "/srv/sr/trivial/software.cfg" }]);
  });

  test("without master_rest_url, the master is asked for its hateoas URL; slapproxy has none: exit 1 with the reference's message", async () => {
    const noRest = join(dir, "no-rest.cfg");
    writeFileSync(noRest, `[slapos]\nmaster_url = ${replay.url}\n`);
    const before = replay.received.length;
    const r = await slapos(["--log-time", "--cfg", noRest, "service", "list"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SlapOS Master Hateoas API required for this operation is not available.");
    expect(replay.received.slice(before).map((c) => c.target)).toEqual(["/getHateoasUrl"]);
  });
});

describe("request (wire/extra/requestComputerPartition-rerequest-with-connection)", () => {
  const software = rerequest.form.get("software_release")!;

  test("posts the reference's exact form and logs the reference's sequence", async () => {
    const r = await run(["request", "peer-inst-1", software, "--parameters", "answer=42", "foo=bar"]);
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.method + " " + c.target)).toEqual(["POST /requestComputerPartition"]);
    expect(messages(r.stderr)).toBe(
      [
        `INFO Validating request parameters for peer-inst-1 as an instance of ${software} ...`,
        `WARNING Unable to load JSON file:${software}.json (FileNotFoundError: [Errno 2] No such file or directory: '${software}.json')`,
        `INFO Requesting peer-inst-1 as an instance of ${software} ...`,
        "INFO Instance requested.\nState is : started.",
        "INFO Connection parameters of instance are:",
        "INFO {'url': 'http://127.0.0.1:8080/', 'user': 'admin'}",
        "INFO You can rerun the command to get up-to-date information.",
        "",
      ].join("\n"),
    );
  });

  test("the body is byte for byte the captured one", async () => {
    const r = await run(["request", "peer-inst-1", software, "--parameters", "answer=42", "foo=bar"]);
    expect(r.calls.map((c) => c.body)).toEqual([rerequest.requestBody]);
  });

  test("-q hides the log sequence", async () => {
    const r = await run(["-q", "request", "peer-inst-1", software, "--parameters", "answer=42", "foo=bar"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toBe(
      `WARNING Unable to load JSON file:${software}.json (FileNotFoundError: [Errno 2] No such file or directory: '${software}.json')\n`,
    );
  });
});

describe("supply and remove (wire/supplySupply)", () => {
  const software = supply.form.get("url")!;

  test("supply posts the captured form and logs the reference's lines", async () => {
    const r = await run(["supply", software, "COMP-PEER"]);
    expect(r.code).toBe(0);
    expect(r.calls.map((c) => c.method + " " + c.target)).toEqual(["POST /supplySupply"]);
    expect(r.calls[0].body).toBe(supply.requestBody);
    expect(messages(r.stderr)).toBe(`INFO Requesting software installation of ${software}...\nINFO Done.\n`);
  });

  test("remove asks for state destroyed", async () => {
    const r = await run(["remove", software, "COMP-PEER"]);
    expect(r.code).toBe(0);
    expect(r.calls[0].body).toBe(supply.requestBody.replace("state=available", "state=destroyed"));
    expect(messages(r.stderr)).toBe(`INFO Requesting deletion of ${software} Software Release...\nINFO Done.\n`);
  });
});
