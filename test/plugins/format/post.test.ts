/**
 * Posting the computer to the master (§1.12): the body is byte for byte
 * the reference's capture for the same computer, after the same hateoas
 * probe; an unreachable or refusing master gives exit 2.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { quotePlus } from "../../../core/slap/form.ts";
import { slapos } from "../../helpers/binary.ts";
import { makeCerts } from "../../helpers/certs.ts";
import { replayMaster } from "../../helpers/replay-master.ts";
import { parseCapture, WIRE_DIR } from "../../helpers/wire.ts";
import { HANDS_OFF_FORMAT, writeConfig, tempDir, cleanUpAfterFile } from "./helpers.ts";

cleanUpAfterFile();

const hateoas = parseCapture(join(WIRE_DIR, "slapgrid/0001-GET-getHateoasUrl.txt"));
const post = parseCapture(join(WIRE_DIR, "slapgrid/0002-POST-loadComputerConfigurationFromXML.txt"));
/** Where the capture's node lived; the capture's own body names these paths. */
const CAPTURE_DIR = "/work/peer/node";

const servers: Array<{ stop(force?: boolean): void }> = [];
afterAll(() => servers.forEach((s) => s.stop(true)));

/** The definition the captured node was formatted with: two partitions on 127.0.0.1 and ::1, user root. */
function captureDefinition(dir: string): string {
  const partition = (i: number) =>
    `\n[partition_${i}]\naddress = 127.0.0.1/255.255.255.255 ::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\n\npathname = slappart${i}\nuser = root\nnetwork_interface =\n\n`;
  const path = join(dir, "slapformat-definition.cfg");
  writeFileSync(path, `\n[computer]\naddress = 127.0.0.1/255.255.255.255\n\n${partition(0)}${partition(1)}`);
  return path;
}

/** A plugin that pins what differs between that machine and this one: kernel, Python, slapos version. */
function pinEnvironment(dir: string): string {
  const path = join(dir, "pin-environment.ts");
  writeFileSync(
    path,
    `export default { name: "pin-environment", version: "1.0.0", apiVersion: "^1.0.0",
      apply(hooks) {
        hooks.format.computer.tapPromise("pin-environment", async (computer) => ({ ...computer,
          os_type: ${JSON.stringify('["Linux-6.18.44-fc-v657-x86_64-with-glibc2.36", "debian", "12", "Debian GNU/Linux"]')},
          python_version: "3.11.2", slapos_version: "1.24.0" }));
      } };\n`,
  );
  return path;
}

function standaloneConfig(dir: string, masterUrl: string, extra: Record<string, Record<string, string>> = {}): string {
  return writeConfig(dir, {
    slapos: {
      software_root: join(dir, "soft"),
      instance_root: join(dir, "inst"),
      master_url: masterUrl,
      computer_id: "COMP-NODE",
      root_check: "False",
      plugin_list: pinEnvironment(dir),
      ...extra.slapos,
    },
    slapformat: {
      input_definition_file: captureDefinition(dir),
      partition_amount: "2",
      ...HANDS_OFF_FORMAT,
      computer_xml: join(dir, "slapos.xml"),
      partition_has_ipv6_range: "false",
      ...extra.slapformat,
    },
  });
}

describe("the format post to the master", () => {
  test("the POST body is byte for byte the reference's capture for the same computer, after the getHateoasUrl probe", async () => {
    const master = replayMaster([hateoas, post]);
    servers.push(master.server);
    const dir = tempDir();
    const r = await slapos(["node", "format", "--now", "--cfg", standaloneConfig(dir, master.url)]);
    expect(r.code).toBe(0);
    expect(master.received.map((q) => `${q.method} /${q.path.slice(1)}`)).toEqual(["GET /getHateoasUrl", "POST /loadComputerConfigurationFromXML"]);
    const sent = master.received[1];
    expect(sent.body.replaceAll(quotePlus(dir), quotePlus(CAPTURE_DIR))).toBe(post.requestBody);
    expect(sent.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(sent.headers.get("accept")).toBe("*/*");
    expect(r.stderr).toContain("slapos successfully prepared the computer.");
  });

  test("with master_rest_url set there is no getHateoasUrl probe", async () => {
    const master = replayMaster([hateoas, post]);
    servers.push(master.server);
    const dir = tempDir();
    const r = await slapos(["node", "format", "--now", "--cfg", standaloneConfig(dir, master.url, { slapos: { master_rest_url: `${master.url}/hateoas` } })]);
    expect(r.code).toBe(0);
    expect(master.received.map((q) => q.path)).toEqual(["/loadComputerConfigurationFromXML"]);
  });

  test("dry-run probes the master but posts nothing and writes nothing; exit 0", async () => {
    const master = replayMaster([hateoas, post]);
    servers.push(master.server);
    const dir = tempDir();
    const r = await slapos(["node", "format", "--now", "-n", "--cfg", standaloneConfig(dir, master.url)]);
    expect(r.code).toBe(0);
    expect(master.received.map((q) => q.path)).toEqual(["/getHateoasUrl"]);
    expect(existsSync(join(dir, "slapos.xml"))).toBe(false);
    expect(existsSync(join(dir, "inst"))).toBe(false);
  });

  test("an unreachable master: formatted and stored, exit 2 (OFFLINE_SUCCESS)", async () => {
    const dir = tempDir();
    const r = await slapos(["node", "format", "--now", "--cfg", standaloneConfig(dir, "http://127.0.0.1:1")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("failed to transfer information to 'http://127.0.0.1:1'");
    expect(r.stderr).toContain("slapos successfully prepared the computer.");
    expect(readFileSync(join(dir, "slapos.xml"), "utf8")).toStartWith("<marshal>\n  <dictionary id=\"i2\">\n");
    expect(existsSync(join(dir, "inst", "slappart1", ".slapos-resource"))).toBe(true);
  });

  test("a master that does not know the computer (404): exit 2 with the reference's hint", async () => {
    const master = replayMaster([hateoas]); // no answer for the POST...
    const refusing = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("", { status: 404 }) });
    servers.push(master.server, refusing);
    const dir = tempDir();
    const r = await slapos(["node", "format", "--now", "--cfg", standaloneConfig(dir, `http://127.0.0.1:${refusing.port}`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("This SlapOS node is not recognised by SlapOS Master and/or computer_id and certificates don't match.");
  });

  test("over https with key_file and cert_file, the node presents its certificate (and does not check the master's)", async () => {
    const dir = tempDir();
    const certs = makeCerts(tempDir());
    const seen: string[] = [];
    const master = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: {
        cert: readFileSync(certs.serverCert, "utf8"),
        key: readFileSync(certs.serverKey, "utf8"),
        ca: readFileSync(certs.caCert, "utf8"),
        requestCert: true,
        rejectUnauthorized: true,
      },
      async fetch(request) {
        seen.push(`${request.method} ${new URL(request.url).pathname}`);
        await request.text();
        return new Response("done");
      },
    });
    servers.push(master);
    const cfg = standaloneConfig(dir, `https://127.0.0.1:${master.port}`, { slapos: { key_file: certs.clientKey, cert_file: certs.clientCert } });
    const r = await slapos(["node", "format", "--now", "--cfg", cfg]);
    expect(r.code).toBe(0);
    expect(seen).toEqual(["GET /getHateoasUrl", "POST /loadComputerConfigurationFromXML"]);
  });
});
