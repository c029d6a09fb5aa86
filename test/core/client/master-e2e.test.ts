// Every client command through the compiled binary against our real master, started as
// `dist/slapos proxy start` on loopback: supply → request → connection parameters →
// service list/info → computer list/info/token → remove, plus not-found cases and --wait.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapClient } from "../../../core/slap/client.ts";
import { slapos, startSlapos } from "../../helpers/binary.ts";
import { makeCerts } from "../../helpers/certs.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { formatDocument } from "../master/helpers.ts";

const SR = "/srv/sr/e2e/software.cfg";
const dir = tempDir();
const cfg = join(dir, "slapos-client.cfg");
const env = { SLAPOS_CLIENT_CONFIGURATION: cfg, HOME: dir };

/** `slapos proxy start` with `[slapproxy]` lines added; resolves once it answers. */
async function proxyStart(name: string, extra: string, tls?: { cert: string; key: string }) {
  const port = await freePort();
  const nodeCfg = join(dir, `${name}.cfg`);
  writeFileSync(
    nodeCfg,
    `[slapos]\ncomputer_id = computer\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${join(dir, `${name}.db`)}\n${extra}`,
  );
  const process = startSlapos(["proxy", "start", "--cfg", nodeCfg]);
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const options = { tls: { ...tls, rejectUnauthorized: false } } as RequestInit;
  await waitFor(async () => (await fetch(`${url}/getRunId`, options)).ok, 30, "proxy start");
  return { process, url };
}

let master: { process: ReturnType<typeof startSlapos>; url: string; client: SlapClient };

beforeAll(async () => {
  const started = await proxyStart("master", `software_product_list =\n  e2e ${SR}\n`);
  master = { ...started, client: new SlapClient({ masterUrl: started.url }) };
  // What `slapos node format` posts, for a computer of three partitions.
  await master.client.loadComputerConfigurationFromXML(formatDocument(["slappart0", "slappart1", "slappart2"]));
  writeFileSync(cfg, `[slapos]\nmaster_url = ${master.url}\nmaster_rest_url = ${master.url}/hateoas\n`);
}, 60_000);
afterAll(async () => {
  master?.process.kill("SIGTERM");
  await master?.process.exited;
});

const run = (args: string[]) => slapos(["--log-time", ...args], { env, timeout: 60 });
const messages = (stderr: string) => stderr.replace(/^slapos\[\d+\] /gm, "");

describe("a whole client session against our master", () => {
  test("supply: the software is on the computer's list, available", async () => {
    const r = await run(["supply", SR, "computer"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toBe(`INFO Requesting software installation of ${SR}...\nINFO Done.\n`);
    const list = (await master.client.getFullComputerInformation("computer")).getSoftwareReleaseList();
    expect(list.map((s) => [s.getURI(), s.getState()])).toEqual([[SR, "available"]]);
  });

  test("supply product.e2e resolves through the master's software_product_list", async () => {
    const r = await run(["supply", "product.e2e", "computer"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain(`INFO Found as ${SR}.\n`);
  });

  test("request: allocated, started, no connection parameters yet", async () => {
    const r = await run(["request", "inst1", SR, "--parameters", "a=1", "b=two words"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain("INFO Instance requested.\nState is : started.\nINFO Connection parameters of instance are:\nINFO {}\n");
    const partition = await master.client.registerComputerPartition("computer", "slappart0");
    expect(partition.getInstanceParameterDict().a).toBe("1");
    expect(partition.getInstanceParameterDict().b).toBe("two words");
  });

  test("request again once the instance published: the parameters, pretty-printed", async () => {
    await master.client.setConnectionDict("computer", "slappart0", { url: "http://[::1]:8080/", user: "admin" });
    const r = await run(["request", "inst1", SR, "--parameters", "a=1", "b=two words"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain("INFO {'url': 'http://[::1]:8080/', 'user': 'admin'}\n");
  });

  test("request --wait returns at once when the parameters are there", async () => {
    const r = await run(["request", "inst1", SR, "--parameters", "a=1", "b=two words", "--wait"]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("Waiting for");
  });

  test("request --wait for an instance that publishes nothing: exit 2 after --timeout", async () => {
    const r = await run(["request", "inst2", SR, "--wait", "--timeout", "2"]);
    expect(r.code).toBe(2);
    expect(messages(r.stderr)).toContain("Waiting for the connection parameters of inst2: requested on slappart1 of computer, nothing published yet");
    expect(messages(r.stderr)).toContain("WARNING Timed out after 2 s waiting for the connection parameters of inst2.");
  });

  test("request --wait sees parameters published while it waits", async () => {
    const waiting = run(["request", "inst2", SR, "--wait", "--timeout", "60"]);
    await Bun.sleep(300); // let it make its first request; not an assertion on time
    await master.client.setConnectionDict("computer", "slappart1", { _: '{"site": "https://inst2/", "port": 443}' });
    const r = await waiting;
    expect(r.code).toBe(0);
    // no schema: json-in-xml by default, so `_` is shown decoded
    expect(messages(r.stderr)).toContain("INFO {'port': 443, 'site': 'https://inst2/'}\n");
  });

  test("a shared instance on inst1's partition", async () => {
    const r = await run(["request", "shared1", SR, "--slave", "--parameters", "domain=example.test"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain("State is : started.");
  });

  test("service list: every root instance, shared ones too, keys sorted", async () => {
    const r = await run(["service", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`{\n  "inst1": "${SR}",\n  "inst2": "${SR}",\n  "shared1": "${SR}"\n}\n`);
  });

  test("service list --json", async () => {
    const r = await run(["service", "list", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual(["inst1", "inst2", "shared1"].map((title) => ({ title, "software-url": SR })));
  });

  test("service info: parameters, connection parameters, state", async () => {
    const r = await run(["service", "info", "inst1"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "{",
        `  "software-url": "${SR}",`,
        '  "software-type": "default",',
        '  "shared": false,',
        '  "requested-state": "started",',
        '  "instance-parameters": {',
        '    "a": "1",',
        '    "b": "two words"',
        "  },",
        '  "connection-parameters": {',
        '    "url": "http://[::1]:8080/",',
        '    "user": "admin"',
        "  },",
        '  "status": "unsupported"',
        "}",
        "",
      ].join("\n"),
    );
  });

  test("service info of a json-in-xml instance shows `_` decoded", async () => {
    const r = await run(["service", "info", "inst2"]);
    expect(JSON.parse(r.stdout)["connection-parameters"]).toEqual({ site: "https://inst2/", port: 443 });
  });

  test("service info of a shared instance", async () => {
    const r = await run(["service", "info", "shared1"]);
    const info = JSON.parse(r.stdout);
    expect(info.shared).toBe(true);
    expect(info["requested-state"]).toBe("unused");
    expect(info["instance-parameters"]).toEqual({ domain: "example.test" });
  });

  test("service info of an unknown instance: the reference's warning, exit 2", async () => {
    const r = await run(["service", "info", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(messages(r.stderr)).toBe("WARNING Instance nope does not exist.\n");
  });

  test("computer list", async () => {
    const r = await run(["computer", "list"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("List of Computers:\ncomputer computer\n");
  });

  test("computer list --json", async () => {
    const r = await run(["computer", "list", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual([{ reference: "computer", title: "computer" }]);
  });

  test("computer info", async () => {
    const r = await run(["computer", "info", "computer"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Computer Reference: computer\nComputer Title    : computer\n");
  });

  test("computer info of an unknown computer: printed on stdout, exit 2", async () => {
    const r = await run(["computer", "info", "COMP-0"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("Computer COMP-0 does not exist.\n");
  });

  test("computer token on a master that issues none: exit 1 with a clear message", async () => {
    const r = await run(["computer", "token"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not offer computer tokens");
  });

  test("json-in-xml parameters from a file are shown decoded by service info", async () => {
    const file = join(dir, "inst3.json");
    writeFileSync(file, '{"x": [1, 2.5], "name": "three"}');
    expect((await run(["request", "inst3", SR, "--parameters-file", file, "--force-serialisation", "json-in-xml"])).code).toBe(0);
    const r = await run(["service", "info", "inst3"]);
    expect(r.stdout).toContain('  "instance-parameters": {\n    "_": {\n      "x": [\n        1,\n        2.5\n      ],\n      "name": "three"\n    }\n  },\n');
  });

  test("request with no free partition left: exit 1, one line saying so", async () => {
    const r = await run(["request", "inst4", SR]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr).trim().split("\n").at(-1)).toBe("ERROR The master could not allocate inst4: no free partition on the requested computer (HTTP 404)");
  });

  test("remove: the software is asked to be destroyed", async () => {
    const r = await run(["remove", SR, "computer"]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toBe(`INFO Requesting deletion of ${SR} Software Release...\nINFO Done.\n`);
    const list = (await master.client.getFullComputerInformation("computer")).getSoftwareReleaseList();
    expect(list.map((s) => s.getState())).toEqual(["destroyed"]);
  });

  test("without master_rest_url the master is asked for its hateoas URL; like slapproxy ours has none (404)", async () => {
    const plain = join(dir, "no-rest.cfg");
    writeFileSync(plain, `[slapos]\nmaster_url = ${master.url}\n`);
    const r = await slapos(["--cfg", plain, "computer", "list"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SlapOS Master Hateoas API required for this operation is not available.");
  });
});

describe("computer token from a master that issues node certificates (https, client CA)", () => {
  let tlsMaster: Awaited<ReturnType<typeof proxyStart>>;
  const tlsCfg = join(dir, "tls.cfg");
  beforeAll(async () => {
    const certs = makeCerts(tempDir());
    tlsMaster = await proxyStart(
      "tls",
      `server_cert_file = ${certs.serverCert}\nserver_key_file = ${certs.serverKey}\nclient_ca_file = ${certs.caCert}\nclient_ca_key_file = ${join(certs.dir, "ca.key")}\n`,
      { cert: readFileSync(certs.clientCert, "utf8"), key: readFileSync(certs.clientKey, "utf8") },
    );
    writeFileSync(
      tlsCfg,
      `[slapos]\nmaster_url = ${tlsMaster.url}\nmaster_rest_url = ${tlsMaster.url}/hateoas\n[slapconsole]\ncert_file = ${certs.clientCert}\nkey_file = ${certs.clientKey}\n`,
    );
  }, 60_000);
  afterAll(async () => {
    tlsMaster?.process.kill("SIGTERM");
    await tlsMaster?.process.exited;
  });

  test("prints a fresh token", async () => {
    const r = await slapos(["--cfg", tlsCfg, "computer", "token"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Computer token: \S+\n$/);
  });
});
