/**
 * `slapos node register` (format-collect-cli.md §5.1) against a small
 * master stand-in that answers `Person_requestComputer` the way a real
 * master does (certificate text with `CN=COMP-…/emailAddress=…`, 403,
 * "Certificate still active.", NotImplementedError), through the compiled
 * binary: the template, the substitutions, the backups, dry-run, the
 * refusals, and that a refusal or a bad answer writes nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fillTemplate, NODE_CONFIGURATION_TEMPLATE } from "../../../core/node/register/template.ts";
import { slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";

const IS_ROOT = process.getuid?.() === 0;

interface Seen {
  method: string;
  path: string;
  token: string | null;
  authorization: string | null;
  body: string;
}

const seen: Seen[] = [];
let answer: (seen: Seen) => Response = () => new Response("{}");
let server: ReturnType<typeof Bun.serve>;
let web = "";

const CERTIFICATE = "Certificate:\n    Data:\n        Subject: CN=COMP-1234/emailAddress=COMP-1234@example.com\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
const issued = () => Response.json({ certificate: CERTIFICATE, key: KEY });

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      const entry: Seen = {
        method: request.method,
        path: url.pathname + url.search,
        token: request.headers.get("x-access-token"),
        authorization: request.headers.get("authorization"),
        body: await request.text(),
      };
      seen.push(entry);
      return answer(entry);
    },
  });
  web = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

function configDir(): string {
  return join(tempDir(), "etc");
}

const register = (cfgDir: string, args: string[], stdin?: string) => {
  seen.length = 0;
  return slapos(["--log-time", "node", "register", "--cfg", join(cfgDir, "slapos.cfg"), "--master-url-web", web, ...args], { stdin, timeout: 60 });
};

const messages = (stderr: string) => stderr.replace(/^slapos\[\d+\] /gm, "");

describe("the template (TestRegister.test_fetch_configuration)", () => {
  test("has every key register replaces, each on its own line", () => {
    for (const key of ["computer_id", "master_url", "key_file", "cert_file", "certificate_repository_path", "interface_name", "ipv4_local_network", "partition_amount", "create_tap", "software_root", "instance_root"]) {
      expect(NODE_CONFIGURATION_TEMPLATE).toMatch(new RegExp(`\\n${key} = `));
    }
  });

  test("a key's substitution swallows the blank lines before it, as the reference's \\n\\s*key pattern does", () => {
    const text = fillTemplate({ computer_id: "C", master_url: "M", key_file: "K", cert_file: "F", certificate_repository_path: "P", interface_name: "I", ipv4_local_network: "N", partition_amount: 1, create_tap: true, software_root: "S", instance_root: "R" }, "[a]\nx = 1\n\n\n  computer_id=old\ncreate_tap = false\n");
    expect(text).toBe("[a]\nx = 1\ncomputer_id = C\ncreate_tap = True\n");
  });
});

describe.skipIf(!IS_ROOT)("slapos node register", () => {
  test("test_write_configuration: the defaults in slapos.cfg, computer_id from the certificate; the token goes in X-Access-Token", async () => {
    answer = issued;
    const etc = configDir();
    const r = await register(etc, ["my node", "--token", "T0K"]);
    expect(r.code).toBe(0);
    expect(seen).toEqual([{ method: "POST", path: "/Person_requestComputer", token: "T0K", authorization: null, body: "title=my+node" }]);
    const cfg = readFileSync(join(etc, "slapos.cfg"), "utf8");
    for (const line of ["computer_id = COMP-1234", "master_url = https://slap.vifib.com", "software_root = /opt/slapgrid", "instance_root = /srv/slapgrid", "interface_name = lo", "partition_amount = 10", "create_tap = False", "ipv4_local_network = 10.0.0.0/16"]) {
      expect(cfg).toContain(`\n${line}\n`);
    }
    expect(readFileSync(join(etc, "ssl", "certificate"), "utf8")).toBe(CERTIFICATE);
    expect(readFileSync(join(etc, "ssl", "key"), "utf8")).toBe(KEY);
    expect(messages(r.stderr)).toBe(
      [
        `INFO Creating directory: ${etc}`,
        `INFO Creating directory: ${etc}/ssl`,
        `INFO Copying to '${etc}/ssl/key', and setting minimum privileges`,
        `INFO Copying to '${etc}/ssl/certificate', and setting minimum privileges`,
        `INFO Creating directory: ${etc}/ssl/partition_pki`,
        `INFO SlapOS configuration written to ${etc}/slapos.cfg`,
        "INFO Node has successfully been configured as COMP-1234.",
        "INFO Now please invoke slapos node boot on your site.",
        "",
      ].join("\n"),
    );
  });

  test("without --cfg the folder comes from $SLAPOS_CONFIGURATION", async () => {
    answer = issued;
    const etc = configDir();
    const r = await slapos(["node", "register", "--master-url-web", web, "n", "--token", "t"], { env: { SLAPOS_CONFIGURATION: join(etc, "slapos.cfg") } });
    expect(r.code).toBe(0);
    expect(readFileSync(join(etc, "slapos.cfg"), "utf8")).toContain("\ncomputer_id = COMP-1234\n");
  });

  test("test_write_configuration_all_options: every option lands in slapos.cfg", async () => {
    answer = issued;
    const etc = configDir();
    const r = await register(etc, [
      "node", "--token", "t", "--master-url", "https://master.example:1234", "--interface-name", "br0", "--partition-number", "50",
      "--ipv4-local-network", "10.8.0.0/16", "--software-root", "/data/soft", "--instance-root", "/data/inst", "-t",
    ]);
    expect(r.code).toBe(0);
    const cfg = readFileSync(join(etc, "slapos.cfg"), "utf8");
    for (const line of ["master_url = https://master.example:1234", "interface_name = br0", "partition_amount = 50", "ipv4_local_network = 10.8.0.0/16", "software_root = /data/soft", "instance_root = /data/inst", "create_tap = True", `key_file = ${etc}/ssl/key`, `cert_file = ${etc}/ssl/certificate`, `certificate_repository_path = ${etc}/ssl/partition_pki`]) {
      expect(cfg).toContain(`\n${line}\n`);
    }
  });

  test("test_default_token_rejected: a 403 is exit 1 with the token hint, and nothing is written", async () => {
    answer = () => new Response("Forbidden", { status: 403 });
    const etc = configDir();
    const r = await register(etc, ["node", "--token", "bad"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe("CRITICAL Access denied to the SlapOS Master. Please check the authentication token or require a new one.\n");
    expect(existsSync(etc)).toBe(false);
    expect(readdirSync(dirname(etc))).toEqual([]);
  });

  test("a taken node name says so, exit 1", async () => {
    answer = () => new Response("Certificate still active. Revoke it first.", { status: 409 });
    const r = await register(configDir(), ["taken", "--token", "t"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe(
      'ERROR The node name "taken" is already in use. Please change the name, or revoke the active certificate if you want to replace the node.\n',
    );
  });

  test("a former configuration is moved to DIR.old, then DIR.old.1, with everything in it", async () => {
    answer = issued;
    const etc = configDir();
    expect((await register(etc, ["a", "--token", "t"])).code).toBe(0);
    writeFileSync(join(etc, "mine.txt"), "kept");
    expect((await register(etc, ["b", "--token", "t"])).code).toBe(0);
    const third = await register(etc, ["c", "--token", "t"]);
    expect(third.code).toBe(0);
    expect(messages(third.stderr)).toContain(`INFO Former slapos configuration detected in ${etc} moving to ${etc}.old.1\n`);
    expect(readFileSync(join(`${etc}.old`, "mine.txt"), "utf8")).toBe("kept");
    expect(readdirSync(`${etc}.old.1`).sort()).toEqual(["slapos.cfg", "ssl"]);
    expect(readdirSync(etc).sort()).toEqual(["slapos.cfg", "ssl"]);
  });

  test("[BUG] fixed: backups are numbered on, .old.19 is followed by .old.20 (the reference writes .old.110)", async () => {
    answer = issued;
    const etc = configDir();
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, "slapos.cfg"), "[slapos]\n");
    mkdirSync(`${etc}.old`);
    for (let n = 1; n <= 19; n++) mkdirSync(`${etc}.old.${n}`);
    expect((await register(etc, ["n", "--token", "t"])).code).toBe(0);
    expect(readFileSync(join(`${etc}.old.20`, "slapos.cfg"), "utf8")).toBe("[slapos]\n");
    expect(existsSync(`${etc}.old.110`)).toBe(false);
  });

  test("a directory without slapos.cfg is completed in place: other files stay", async () => {
    answer = issued;
    const etc = configDir();
    mkdirSync(join(etc, "ssl"), { recursive: true });
    writeFileSync(join(etc, "slapos-proxy.cfg"), "[slapproxy]\n");
    expect((await register(etc, ["n", "--token", "t"])).code).toBe(0);
    expect(readdirSync(etc).sort()).toEqual(["slapos-proxy.cfg", "slapos.cfg", "ssl"]);
    expect(readdirSync(join(etc, "ssl")).sort()).toEqual(["certificate", "key", "partition_pki"]);
    expect(existsSync(`${etc}.old`)).toBe(false);
  });

  test("dry-run registers with the master (as the reference) but writes nothing; ancestors still get g+rx,o+rx", async () => {
    answer = issued;
    const parent = join(tempDir(), "closed");
    mkdirSync(parent);
    chmodSync(parent, 0o700);
    const etc = join(parent, "slapos");
    const r = await register(etc, ["n", "--token", "t", "-n"]);
    expect(r.code).toBe(0);
    expect(seen).toHaveLength(1);
    expect(readdirSync(parent)).toEqual([]);
    expect((statSync(parent).mode & 0o777).toString(8)).toBe("755");
  });

  test("an answer without a certificate naming a computer: exit 1, one line, nothing written", async () => {
    answer = () => Response.json({ certificate: "no id here", key: KEY });
    const etc = configDir();
    const r = await register(etc, ["n", "--token", "t"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe("ERROR the certificate from the master names no computer (no COMP-…/email… in its text)\n");
    expect(existsSync(etc)).toBe(false);
  });

  test("an answer that is not JSON, or another HTTP error: exit 1, one line", async () => {
    answer = () => new Response("<html>oops</html>");
    let r = await register(configDir(), ["n", "--token", "t"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe(`ERROR ${web}/Person_requestComputer did not answer JSON with a certificate and a key\n`);
    answer = () => new Response("<h1>Internal Server Error</h1>", { status: 500 });
    r = await register(configDir(), ["n", "--token", "t"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe(`ERROR ${web}/Person_requestComputer answered 500: Internal Server Error\n`);
  });

  test("an unreachable master: exit 1, one line naming the URL", async () => {
    const r = await slapos(["--log-time", "node", "register", "--cfg", join(configDir(), "slapos.cfg"), "--master-url-web", "http://127.0.0.1:1", "n", "--token", "t"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toStartWith("ERROR cannot reach http://127.0.0.1:1/Person_requestComputer: ");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("stdin ending before a token is given: exit 1, one line", async () => {
    const r = await register(configDir(), ["n"], "\n");
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe("ERROR no token given: standard input ended\n");
  });

  test("login mode: credentials checked on the web page, then a GET with basic auth and the title as is", async () => {
    answer = (s) => (s.path === "/" ? new Response("<a>Logout</a>") : issued());
    const etc = configDir();
    const r = await register(etc, ["my-node", "--login", "alice", "--password", "secret"]);
    expect(r.code).toBe(0);
    const auth = `Basic ${Buffer.from("alice:secret").toString("base64")}`;
    expect(seen.map((s) => [s.method, s.path, s.authorization])).toEqual([
      ["GET", "/", auth],
      ["GET", "/Person_requestComputer?title=my-node", auth],
    ]);
  });

  test("login mode with wrong credentials given on the command line: one attempt, exit 1", async () => {
    answer = () => new Response("<a>Login</a>");
    const r = await register(configDir(), ["n", "--login", "alice", "--password", "wrong"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe("WARNING Wrong login/password\n");
    expect(seen).toHaveLength(1);
  });

  test("login mode on a master that only takes tokens: exit 1, use the token", async () => {
    answer = (s) => (s.path === "/" ? new Response("Logout") : new Response("NotImplementedError: use a token", { status: 501 }));
    const r = await register(configDir(), ["n", "--login", "alice", "--password", "x"]);
    expect(r.code).toBe(1);
    expect(messages(r.stderr)).toBe("CRITICAL This SlapOS server does not support login/password authentication. Please use the token.\n");
  });
});

describe.skipIf(!IS_ROOT)("root check", () => {
  test("register must be run as root, whatever root_check says: exit 5", async () => {
    const etc = configDir();
    const child = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", join(import.meta.dir, "../../../dist/slapos"), "node", "register", "--cfg", join(etc, "slapos.cfg"), "n", "--token", "t"], {
      stdout: "pipe",
      stderr: "pipe",
      cwd: "/",
    });
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(5);
    expect(stderr).toContain("This slapos command must be run as root.");
  });
});
