/**
 * `slapos node register` end to end, through the compiled binary: our
 * master (`dist/slapos proxy start`) over HTTPS requiring client
 * certificates signed by its CA, a token from `slapos proxy token`, the
 * registration into a temporary configuration directory (the directory of
 * --cfg), then `slapos node bang` with the certificate the master issued.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { slapos } from "../../helpers/binary.ts";
import { proxyToken, startRegistrationMaster, stopMaster, type RegistrationMaster } from "../../helpers/registration-master.ts";
import { tempDir } from "../../helpers/tmp.ts";

const IS_ROOT = process.getuid?.() === 0;
let master: RegistrationMaster;

beforeAll(async () => {
  master = await startRegistrationMaster("COMP-MASTER");
}, 60_000);

afterAll(() => stopMaster(master));

const token = () => proxyToken(master);

const register = (cfgDir: string, args: string[], stdin?: string) =>
  slapos(["--log-time", "node", "register", "--cfg", join(cfgDir, "slapos.cfg"), "--master-url", master.url, "--master-url-web", master.web, ...args], {
    stdin,
    timeout: 60,
  });

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe.skipIf(!IS_ROOT)("slapos node register against our master", () => {
  test("a token registers the node: slapos.cfg, ssl/key, ssl/certificate, ssl/partition_pki with the reference's modes", async () => {
    const etc = join(tempDir(), "etc", "opt", "slapos");
    mkdirSync(join(etc, ".."), { recursive: true });
    const r = await register(etc, ["edge-1", "--token", await token(), "--interface-name", "eth0", "--partition-number", "3"]);
    expect(r.stderr).toContain("INFO Node has successfully been configured as COMP-");
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("INFO Now please invoke slapos node boot on your site.\n");
    expect(readdirSync(etc).sort()).toEqual(["slapos.cfg", "ssl"]);
    expect(readdirSync(join(etc, "ssl")).sort()).toEqual(["certificate", "key", "partition_pki"]);
    expect([mode(etc), mode(join(etc, "ssl")), mode(join(etc, "ssl", "partition_pki"))]).toEqual(["711", "711", "711"]);
    expect([mode(join(etc, "ssl", "key")), mode(join(etc, "ssl", "certificate"))]).toEqual(["600", "600"]);
    const config = SlapConfig.load(join(etc, "slapos.cfg"));
    expect(config.get("slapos", "computer_id")).toMatch(/^COMP-\d+$/);
    expect(config.get("slapos", "master_url")).toBe(master.url);
    expect(config.get("slapos", "key_file")).toBe(join(etc, "ssl", "key"));
    expect(config.get("slapos", "cert_file")).toBe(join(etc, "ssl", "certificate"));
    expect(config.get("slapos", "certificate_repository_path")).toBe(join(etc, "ssl", "partition_pki"));
    expect(config.get("slapformat", "interface_name")).toBe("eth0");
    expect(config.get("slapformat", "partition_amount")).toBe("3");
    expect(config.get("slapformat", "create_tap")).toBe("False");
    expect(readFileSync(join(etc, "ssl", "key"), "utf8")).toContain("PRIVATE KEY");
  });

  test("then slapos node bang with the issued certificate: the master accepts it", async () => {
    const etc = join(tempDir(), "slapos");
    expect((await register(etc, ["edge-bang", "--token", await token()])).code).toBe(0);
    const r = await slapos(["node", "bang", "--cfg", join(etc, "slapos.cfg"), "-m", "hello from the edge"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Banging to '${master.url}'\nBang with message 'hello from the edge'\n`);
  });

  test("node bang without the node's certificate is refused by the master: exit 1, one line", async () => {
    const cfg = join(tempDir(), "slapos.cfg");
    writeFileSync(cfg, `[slapos]\ncomputer_id = COMP-1\nmaster_url = ${master.url}\n`);
    const r = await slapos(["--log-time", "node", "bang", "--cfg", cfg, "-m", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("the token is asked on stdin when not given", async () => {
    const etc = join(tempDir(), "slapos");
    const r = await register(etc, ["edge-prompt"], `\n  \n${await token()}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Computer security token: ".repeat(3));
    expect(existsSync(join(etc, "slapos.cfg"))).toBe(true);
  });
});
