// `slapos request` through the binary: options, parameter files, bad input, and the
// 408 (ResourceNotReady) path with --wait. The master here answers with the reference's
// captured bytes; a 408 is what a real SlapOS Master sends while it allocates.
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loads } from "../../../core/slap/marshal/index.ts";
import { BINARY, slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { parseCapture, WIRE_DIR } from "../../helpers/wire.ts";

const rerequest = parseCapture(join(WIRE_DIR, "extra/requestComputerPartition-rerequest-with-connection.txt"));
const noConnection = parseCapture(join(WIRE_DIR, "requestComputerPartition.txt"));

/** How many 408s to send before each answer; forms received, in order. */
const master = { notReady: 0, answer: rerequest.responseBody, forms: [] as URLSearchParams[] };
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const body = await request.text();
    master.forms.push(new URLSearchParams(request.method === "GET" ? new URL(request.url).search : body));
    if (master.notReady > 0) {
      master.notReady--;
      return new Response("Resource not ready", { status: 408 });
    }
    return new Response(master.answer);
  },
});
afterAll(() => server.stop(true));

const dir = tempDir();
const cfg = join(dir, "client.cfg");
writeFileSync(cfg, `[slapos]\nmaster_url = http://127.0.0.1:${server.port}\n`);
const env = { SLAPOS_CLIENT_CONFIGURATION: cfg, HOME: dir };
const SR = join(dir, "software.cfg"); // no schema beside it

async function request(args: string[], setup: Partial<typeof master> = {}) {
  Object.assign(master, { notReady: 0, answer: rerequest.responseBody, ...setup, forms: [] });
  const r = await slapos(["--log-time", "request", ...args], { env, timeout: 60 });
  return { ...r, forms: master.forms };
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("request arguments reach the master as the reference sends them", () => {
  test("--type, --state, --slave and --node key=value become the form fields", async () => {
    const r = await request(["inst", SR, "--type", "frontend", "--state", "stopped", "--slave", "--node", "computer_guid=COMP-1", "x=y=z"]);
    expect(r.code).toBe(0);
    const form = r.forms[0];
    expect(form.get("software_type")).toBe("frontend");
    expect(loads(form.get("state")!)).toBe("stopped");
    expect(loads(form.get("shared_xml")!)).toBe(true);
    expect(JSON.parse(JSON.stringify(loads(form.get("filter_xml")!)))).toEqual({ computer_guid: "COMP-1", x: "y=z" });
  });

  test("no --type sends 'default'", async () => {
    const r = await request(["inst", SR]);
    expect(r.forms[0].get("software_type")).toBe("default");
    expect(loads(r.forms[0].get("partition_parameter_xml")!)).toEqual(Object.create(null));
  });

  test("product.X becomes the first (best) release the master lists for it", async () => {
    const best = join(dir, "best.cfg");
    const products = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        const body = await req.text();
        if (req.method === "GET") return new Response(`<marshal><list id="i2"><string>${best}</string><string>/other.cfg</string></list></marshal>`);
        return new Response(new URLSearchParams(body).get("software_release") === best ? rerequest.responseBody : "wrong", { status: 200 });
      },
    });
    try {
      const c = join(dir, "products.cfg");
      writeFileSync(c, `[slapos]\nmaster_url = http://127.0.0.1:${products.port}\n`);
      const r = await slapos(["--log-time", "--cfg", c, "request", "inst", "product.kvm"], { env });
      expect(r.code).toBe(0);
      const lines = r.stderr.split("\n").map((l) => l.replace(/^slapos\[\d+\] /, ""));
      expect(lines.slice(0, 3)).toEqual([
        "INFO Validating request parameters for inst as an instance of product.kvm ...",
        "INFO Getting best Software Release corresponding to this Software Product...",
        `INFO Found as ${best}.`,
      ]);
      expect(lines).toContain(`INFO Requesting inst as an instance of ${best} ...`);
    } finally {
      products.stop(true);
    }
  });

  test("product.X with no release: the reference's error, exit 1", async () => {
    const r = await request(["inst", "product.kvm"], { answer: "<marshal><list id=\"i2\"/></marshal>" });
    expect(r.code).toBe(1);
    expect(r.forms.map((f) => f.get("software_product_reference"))).toEqual(["kvm"]);
    expect(r.stderr).toContain("ERROR Error: No Software Release corresponding to this Software Product has been found. Exiting now.");
  });
});

describe("--parameters-file", () => {
  test("no schema and no --force-serialisation: a clear error, nothing requested ([BUG] fixed: the reference dies with a TypeError)", async () => {
    const path = file("p.json", '{"foo": ["bar"]}');
    const r = await request(["inst", SR, "--parameters-file", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot tell how to serialise the parameters of ${path}`);
    expect(r.stderr).toContain("--force-serialisation");
    expect(r.forms).toEqual([]);
  });

  test("--force-serialisation json-in-xml wraps with indent 2", async () => {
    const r = await request(["inst", SR, "--parameters-file", file("p2.json", '{"foo": ["bar"]}'), "--force-serialisation", "json-in-xml"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(JSON.stringify(loads(r.forms[0].get("partition_parameter_xml")!)))).toEqual({ _: '{\n  "foo": [\n    "bar"\n  ]\n}' });
  });

  test("the schema's serialisation is used when there is one", async () => {
    const sr = join(dir, "with-schema.cfg");
    writeFileSync(`${sr}.json`, JSON.stringify({ serialisation: "xml", "software-type": { default: {} } }));
    const r = await request(["inst", sr, "--parameters-file", file("p3.json", '{"foo": "bar"}')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(JSON.stringify(loads(r.forms[0].get("partition_parameter_xml")!)))).toEqual({ foo: "bar" });
  });

  test("an XML file needs no schema ([BUG] fixed: the reference demands one)", async () => {
    const path = file("p.xml", '<?xml version="1.0"?>\n<instance><parameter id="foo">bar</parameter></instance>\n');
    const r = await request(["inst", SR, "--parameters-file", path]);
    expect(r.code).toBe(0);
    expect(JSON.parse(JSON.stringify(loads(r.forms[0].get("partition_parameter_xml")!)))).toEqual({ foo: "bar" });
  });

  test("json-in-xml connection parameters are shown decoded", async () => {
    const sr = join(dir, "json-in-xml.cfg");
    writeFileSync(`${sr}.json`, JSON.stringify({ serialisation: "json-in-xml", "software-type": { default: {} } }));
    const answer = rerequest.responseBody.replace(
      /<string>_connection_dict<\/string><dictionary id="i4">.*?<\/dictionary>/s,
      '<string>_connection_dict</string><dictionary id="i4"><string>_</string><string>{"url": "http://x/", "n": [1, 2.5]}</string></dictionary>',
    );
    const r = await request(["inst", sr, "--parameters-file", file("p4.json", "{}")], { answer });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("INFO {'n': [1, 2.5], 'url': 'http://x/'}\n");
  });
});

describe("bad input: one line naming what is wrong, non-zero exit, nothing requested", () => {
  test("an unknown option is a usage error (exit 2)", async () => {
    const r = await request(["inst", SR, "--no-such-option"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unrecognized arguments: --no-such-option");
    expect(r.forms).toEqual([]);
  });

  test("a --parameters word without '=' (exit 1)", async () => {
    const r = await request(["inst", SR, "--parameters", "novalue"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("slapos[" + r.stderr.split("[")[1].split("]")[0] + "] ERROR --parameters: 'novalue' is not of the form key=value\n");
    expect(r.forms).toEqual([]);
  });

  test("a repeated --node key (exit 1)", async () => {
    const r = await request(["inst", SR, "--node", "a=1", "a=2"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--node: multiple values provided for the same key 'a'");
  });

  test("--parameters with --parameters-file is a usage error", async () => {
    const r = await request(["inst", SR, "--parameters", "a=b", "--parameters-file", file("x.json", "{}")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument --parameters-file: not allowed with argument --parameters");
  });

  test("a missing parameters file is a usage error naming it, as argparse's FileType", async () => {
    const path = join(dir, "missing.json");
    const r = await request(["inst", SR, "--parameters-file", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`argument --parameters-file: can't open '${path}': [Errno 2] No such file or directory: '${path}'`);
    expect(r.forms).toEqual([]);
  });

  test("a malformed parameters file names the file and the place (exit 1)", async () => {
    const path = file("broken.json", '{"a": }');
    const r = await request(["inst", SR, "--parameters-file", path, "--force-serialisation", "xml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Cannot parse parameters file ${path} as JSON: Expecting value: line 1 column 7 (char 6)`);
    expect(r.forms).toEqual([]);
  });

  test("--node with no value is a usage error", async () => {
    const r = await request(["inst", SR, "--node"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument --node: expected at least one argument");
  });

  test("--parameters=k=v takes that one value only, as argparse does", async () => {
    const ok = await request(["inst", SR, "--parameters=a=b"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(JSON.stringify(loads(ok.forms[0].get("partition_parameter_xml")!)))).toEqual({ a: "b" });
    const extra = await request(["inst", SR, "--parameters=a=b", "c=d"]);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain("unrecognized arguments: c=d");
  });

  test("a bad --force-serialisation choice is a usage error", async () => {
    const r = await request(["inst", SR, "--force-serialisation", "yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid choice: 'yaml'");
  });

  test("a missing positional argument is a usage error", async () => {
    const r = await request(["inst"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the following arguments are required: software_url");
  });
});

describe("a master still provisioning (408)", () => {
  test("without --wait: the reference's warning and exit 2", async () => {
    const r = await request(["inst", SR], { notReady: 1 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "WARNING Instance requested. Master is provisioning it. Please rerun in a couple of minutes to get connection information.",
    );
  });

  test("--wait re-requests until the instance is there and has connection parameters", async () => {
    const r = await request(["inst", SR, "--wait", "--timeout", "60"], { notReady: 2 });
    expect(r.code).toBe(0);
    expect(r.forms.length).toBe(3);
    expect(r.forms.every((f) => f.toString() === r.forms[0].toString())).toBe(true);
    expect(r.stderr).toContain("Waiting for the connection parameters of inst");
    expect(r.stderr).toContain("INFO {'url': 'http://127.0.0.1:8080/', 'user': 'admin'}\n");
    expect(r.stderr).not.toContain("\x1b[K"); // stderr is not a terminal: plain lines, no spinner
  });

  test("--wait also waits for an allocated instance that has published nothing yet", async () => {
    // The first answer has no connection parameters (requestComputerPartition.txt), then they appear.
    let calls = 0;
    const waiting = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        await req.text();
        return new Response(calls++ < 2 ? noConnection.responseBody : rerequest.responseBody);
      },
    });
    try {
      const c = join(dir, "waiting.cfg");
      writeFileSync(c, `[slapos]\nmaster_url = http://127.0.0.1:${waiting.port}\n`);
      const r = await slapos(["--log-time", "--cfg", c, "request", "inst", SR, "--wait"], { env, timeout: 60 });
      expect(r.code).toBe(0);
      expect(calls).toBe(3);
      expect(r.stderr).toContain("nothing published yet");
    } finally {
      waiting.stop(true);
    }
  });

  test("--wait on a terminal draws a spinner line and clears it", async () => {
    Object.assign(master, { notReady: 3, answer: rerequest.responseBody, forms: [] });
    // script(1) (util-linux, essential in Debian) gives the binary a pseudo-terminal.
    const command = [BINARY, "--log-time", "--cfg", cfg, "request", "inst", SR, "--wait"].map((w) => `'${w}'`).join(" ");
    const child = Bun.spawn(["script", "-qec", command, "/dev/null"], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
    const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(code).toBe(0);
    expect(out).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Waiting for the connection parameters of inst: the master is provisioning it \(\d+ s\)/);
    expect(out).toContain("{'url': 'http://127.0.0.1:8080/', 'user': 'admin'}");
    expect(master.forms.length).toBe(4);
  });

  test("--wait gives up after --timeout with exit 2", async () => {
    const r = await request(["inst", SR, "--wait", "--timeout", "1"], { notReady: 1000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("WARNING Timed out after 1 s waiting for the connection parameters of inst.");
  });

  test("--timeout must not be negative", async () => {
    const r = await request(["inst", SR, "--wait", "--timeout", "-5"]);
    expect(r.code).toBe(2);
    expect(r.forms).toEqual([]);
  });
});

describe("client configuration", () => {
  test("a missing file: exit 1 naming it", async () => {
    const path = join(dir, "nope.cfg");
    const r = await slapos(["--cfg", path, "request", "inst", SR], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Configuration file does not exist: ${path}`);
  });

  test("$SLAPOS_CLIENT_CONFIGURATION, then ~/.slapos/slapos-client.cfg", async () => {
    const home = tempDir();
    const r = await slapos(["supply", SR, "COMP-1"], { env: { HOME: home, SLAPOS_CLIENT_CONFIGURATION: "" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Configuration file does not exist: ${home}/.slapos/slapos-client.cfg`);
  });

  test("no [slapos] section, no master_url, https without key: one-line errors", async () => {
    const cases: Array<[string, string]> = [
      ["[slapconsole]\ncert_file = x\n", "No section: 'slapos'"],
      ["[slapos]\nmaster_rest_url = http://x/\n", "No option 'master_url'"],
      ["[slapos]\nmaster_url = https://127.0.0.1:1/\n", "No option 'key_file' and/or 'cert_file'"],
    ];
    for (const [text, message] of cases) {
      const path = file("bad.cfg", text);
      const r = await slapos(["--cfg", path, "supply", SR, "COMP-1"], { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});
