/**
 * `slapos console` through the compiled binary against our master
 * (`dist/slapos proxy start` on loopback): lines from a pipe, scripts (the
 * cases of the reference's TestCliConsole, in JavaScript), the terminal
 * REPL (under script(1)), the connection options, and the refusals.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapClient } from "../../../core/slap/client.ts";
import { BINARY, slapos, startSlapos } from "../../helpers/binary.ts";
import { makeCerts, type TestCerts } from "../../helpers/certs.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { formatDocument } from "../master/helpers.ts";

const SR = "/srv/sr/console/software.cfg";
const dir = tempDir();
const cfg = join(dir, "slapos-client.cfg");
const env = { HOME: dir };
let master: { process: ReturnType<typeof startSlapos>; url: string; client: SlapClient };

async function proxyStart(name: string, lines: string[], tls?: RequestInit) {
  const port = await freePort();
  const nodeCfg = join(dir, `${name}.cfg`);
  writeFileSync(
    nodeCfg,
    ["[slapos]", "computer_id = computer", "[slapproxy]", "host = 127.0.0.1", `port = ${port}`, `database_uri = ${join(dir, `${name}.db`)}`, ...lines, ""].join("\n"),
  );
  const process = startSlapos(["proxy", "start", "--cfg", nodeCfg]);
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/getRunId`, tls)).ok, 30, "proxy start");
  return { process, url };
}

beforeAll(async () => {
  const started = await proxyStart("master", ["software_product_list =", `  kvm ${SR}`]);
  master = { ...started, client: new SlapClient({ masterUrl: started.url }) };
  await master.client.loadComputerConfigurationFromXML(formatDocument(["slappart0", "slappart1", "slappart2", "slappart3", "slappart4", "slappart5"]));
  writeFileSync(cfg, `[slapos]\nmaster_url = ${master.url}\nmaster_rest_url = ${master.url}/hateoas\n`);
}, 60_000);
afterAll(async () => {
  master?.process.kill("SIGTERM");
  await master?.process.exited;
});

const consoleRun = (args: string[], stdin?: string) => slapos(["--log-time", "console", "--cfg", cfg, ...args], { env, stdin, timeout: 60 });
const messages = (stderr: string) => stderr.replace(/^slapos\[\d+\] /gm, "");

function script(name: string, text: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  return path;
}

describe("slapos console: lines from a pipe", () => {
  test("each line in turn, awaited, its value printed; nothing else on stdout", async () => {
    const r = await consoleRun([], [`await supply("${SR}", "computer")`, "const c = await slap.getFullComputerInformation('computer')", "c.getSoftwareReleaseList().map((s) => s.getURI())", "1 + 1", ""].join("\n"));
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`[ '${SR}' ]\n2\n`);
    expect(r.code).toBe(0);
  });

  test("request gives the instance; getConnectionParameter once the instance published", async () => {
    const first = await consoleRun([], `(await request("${SR}", "piped-instance", { a: "1" })).getState()\n`);
    expect(first.stdout).toBe("'started'\n");
    const partition = (await master.client.getFullComputerInformation("computer")).getComputerPartitionList().find((p) => p.getInstanceParameterDict().a === "1")!;
    await master.client.setConnectionDict("computer", partition.getId(), { url: "http://[::1]:8080/" });
    const r = await consoleRun([], [`const i = await request("${SR}", "piped-instance", { a: "1" })`, 'i.getConnectionParameter("url")', "i.getId()", "i.getInstanceParameterDict().a", ""].join("\n"));
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`'http://[::1]:8080/'\n'${partition.getId()}'\n'1'\n`);
  });

  test("request with the reference's keyword names in one object", async () => {
    const r = await consoleRun([], `(await request({ software_release: "${SR}", partition_reference: "keywords", software_type: "default", partition_parameter_kw: { k: 2 } })).getInstanceParameterDict().k\n`);
    // The master keeps parameters as the reference's slapproxy does: strings.
    expect(r.stdout).toBe("'2'\n");
  });

  test("product.NAME is the best software release of that product", async () => {
    const r = await consoleRun([], 'await product.kvm\nawait product["kvm"]\n');
    expect(r.stdout).toBe(`'${SR}'\n'${SR}'\n`);
  });

  test("getInformation shows what slapos service info shows", async () => {
    await consoleRun([], `await request("${SR}", "informed", { p: "v" })\n`);
    const r = await consoleRun([], 'const info = await getInformation("informed")\n[info["software-url"], info["requested-state"], info["instance-parameters"].p]\n');
    expect(r.stdout).toBe(`[ '${SR}', 'started', 'v' ]\n`);
  });

  test("a definition over several lines, then its use", async () => {
    const r = await consoleRun([], "function twice(x) {\n  return x * 2\n}\ntwice(21)\n");
    expect(r.stdout).toBe("42\n");
  });

  test("an error is shown and the following lines still run; exit 0 as the reference's console", async () => {
    const r = await consoleRun([], 'await product.nothing\nnosuch\n"after"\n');
    expect(r.stdout).toContain("SlapError: No Software Release corresponding to this Software Product has been found: nothing\n");
    expect(r.stdout).toContain("ReferenceError");
    expect(r.stdout.endsWith("'after'\n")).toBe(true);
    expect(r.code).toBe(0);
  });

  test("a request the master cannot allocate says so in one line", async () => {
    const r = await consoleRun([], `await request("${SR}", "no-room", null, null, { computer_guid: "nowhere" })\n`);
    expect(r.stdout).toContain("SlapError: The master could not allocate no-room: no free partition on the requested computer (HTTP 404)\n");
  });

  test("no __file__ in the interactive namespace (test_console_interactive_no__file__)", async () => {
    const r = await consoleRun([], "typeof __file__\n");
    expect(r.stdout).toBe("'undefined'\n");
  });
});

describe("slapos console SCRIPT", () => {
  test("the names are globals: a function of the script sees them (test_console_script_global_namespace)", async () => {
    const path = script("global.js", 'function kind() { return [typeof slap, typeof request, typeof supply, typeof getInformation, typeof product]; }\nconsole.log(kind().join(" "));\n');
    const r = await consoleRun([path]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("object function function function object\n");
    expect(r.code).toBe(0);
  });

  test("__file__, argv and process.argv (test_console_script__file__, test_console_script_and_args)", async () => {
    const path = script("args.js", 'console.log(JSON.stringify([__file__, argv, process.argv.slice(2)]));\n');
    const r = await consoleRun([path, "one", "two", "--", "--three"]);
    expect(JSON.parse(r.stdout)).toEqual([path, [path, "one", "two", "--three"], ["one", "two", "--three"]]);
  });

  test("a script that requests and reads the answer, with top-level await (test_console_script)", async () => {
    const path = script("request.ts", `const instance = await request("${SR}", "from-script");\nconsole.log(instance.getState(), (await product.kvm) === "${SR}");\n`);
    const r = await consoleRun([path]);
    expect(r.stdout).toBe("started true\n");
    expect(r.code).toBe(0);
  });

  test("a Python script is refused in one line (exit 1), by its name or its #! line", async () => {
    for (const [name, text] of [["script.py", "print(slap)\n"], ["legacy", "#!/usr/bin/env python3\nprint(slap)\n"]]) {
      const path = script(name, text);
      const r = await consoleRun([path]);
      expect(messages(r.stderr)).toBe(
        `ERROR ${path} is a Python script: slapos console runs JavaScript scripts, Python console scripts are not supported (see slapos help console)\n`,
      );
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
    }
  });

  test("a script that throws: one line naming it, exit 1", async () => {
    const path = script("throws.js", 'await supply("", "computer");\n');
    const r = await consoleRun([path]);
    expect(messages(r.stderr)).toBe(`ERROR ${path}: software_release must be a non-empty string\n`);
    expect(r.code).toBe(1);
  });

  test("a missing script: one line, exit 1", async () => {
    const r = await consoleRun([join(dir, "missing.js")]);
    expect(messages(r.stderr)).toBe(`ERROR cannot run the console script ${join(dir, "missing.js")}: no such file\n`);
    expect(r.code).toBe(1);
  });
});

describe("slapos console: connection options and configuration", () => {
  test("[BUG] fixed: -u/--master_url wins over [slapos] master_url (the reference ignores the option)", async () => {
    const stale = join(tempDir(), "stale.cfg");
    writeFileSync(stale, `[slapos]\nmaster_url = http://127.0.0.1:${await freePort()}\n`);
    const r = await slapos(["console", "--cfg", stale, "-u", master.url], { env, stdin: "slap.masterUrl\nawait product.kvm\n" });
    expect(r.stdout).toBe(`'${master.url}/'\n'${SR}'\n`);
  });

  test("a missing client configuration: one line, exit 1", async () => {
    const r = await slapos(["--log-time", "console", "--cfg", join(dir, "none.cfg")], { env, stdin: "" });
    expect(messages(r.stderr)).toBe(`ERROR Configuration file does not exist: ${join(dir, "none.cfg")}\n`);
    expect(r.code).toBe(1);
  });

  test("-i with -p is a usage error (exit 2)", async () => {
    const r = await consoleRun(["-i", "-p"], "");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument --python: not allowed with argument --ipython");
  });

  test("-b is accepted and gives the same console", async () => {
    const r = await consoleRun(["-b"], "typeof request\n");
    expect(r.stdout).toBe("'function'\n");
  });
});

describe("slapos console against an HTTPS master requiring client certificates", () => {
  let certs: TestCerts;
  let tlsMaster: { process: ReturnType<typeof startSlapos>; url: string };
  beforeAll(async () => {
    certs = makeCerts(tempDir());
    const tls = { tls: { rejectUnauthorized: false, cert: readFileSync(certs.clientCert, "utf8"), key: readFileSync(certs.clientKey, "utf8") } } as RequestInit;
    tlsMaster = await proxyStart(
      "tls",
      [`server_cert_file = ${certs.serverCert}`, `server_key_file = ${certs.serverKey}`, `client_ca_file = ${certs.caCert}`, "software_product_list =", `  kvm ${SR}`],
      tls,
    );
  }, 60_000);
  afterAll(async () => {
    tlsMaster?.process.kill("SIGTERM");
    await tlsMaster?.process.exited;
  });

  test("-k and -c give the certificate", async () => {
    const tlsCfg = join(tempDir(), "c.cfg");
    writeFileSync(tlsCfg, `[slapos]\nmaster_url = ${tlsMaster.url}\n`);
    const r = await slapos(["console", "--cfg", tlsCfg, "-k", certs.clientKey, "-c", certs.clientCert], { env, stdin: "await product.kvm\n" });
    expect(r.stdout).toBe(`'${SR}'\n`);
  });

  test("[slapconsole] cert_file and key_file give it too", async () => {
    const tlsCfg = join(tempDir(), "c.cfg");
    writeFileSync(tlsCfg, `[slapos]\nmaster_url = ${tlsMaster.url}\n[slapconsole]\ncert_file = ${certs.clientCert}\nkey_file = ${certs.clientKey}\n`);
    const r = await slapos(["console", "--cfg", tlsCfg], { env, stdin: "await product.kvm\n" });
    expect(r.stdout).toBe(`'${SR}'\n`);
  });

  test("no key and no certificate for an https master: one line, exit 1", async () => {
    const tlsCfg = join(tempDir(), "c.cfg");
    writeFileSync(tlsCfg, `[slapos]\nmaster_url = ${tlsMaster.url}\n`);
    const r = await slapos(["--log-time", "console", "--cfg", tlsCfg], { env, stdin: "" });
    expect(messages(r.stderr)).toBe(`ERROR No option 'key_file' and/or 'cert_file' in ${tlsCfg} (needed by the https master ${tlsMaster.url}; or give -k and -c)\n`);
    expect(r.code).toBe(1);
  });
});

describe("slapos console on a terminal", () => {
  test("the REPL: banner, slapos> prompt, awaited results, history in ~/.slapconsolehistory", async () => {
    const home = tempDir();
    // script(1) gives the console a terminal; each line is typed once the prompt is back.
    const child = Bun.spawn(["script", "-qfec", `${BINARY} console --cfg ${cfg}`, "/dev/null"], {
      env: { ...process.env, HOME: home, TERM: "dumb" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    let output = "";
    const reader = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) output += decoder.decode(chunk);
    })();
    const until = async (text: string, after = 0) => {
      await waitFor(() => output.indexOf(text, after) >= 0, 30, `the console to show ${JSON.stringify(text)}; it showed ${JSON.stringify(output)}`);
      return output.indexOf(text, after) + text.length;
    };
    let at = await until("slapos> ");
    expect(output).toContain("slapos console allows you interact with slap API.");
    child.stdin.write("await product.kvm\n");
    child.stdin.flush();
    at = await until(`'${SR}'`, at);
    at = await until("slapos> ", at);
    child.stdin.write("21 * 2\n");
    child.stdin.flush();
    at = await until("42", at);
    await until("slapos> ", at);
    child.stdin.write(".exit\n");
    child.stdin.flush();
    expect(await child.exited).toBe(0);
    await reader;
    const history = join(home, ".slapconsolehistory");
    expect(existsSync(history)).toBe(true);
    expect(readFileSync(history, "utf8")).toContain("await product.kvm\n21 * 2\n");
  });
});
