/**
 * `slapos node bang` through the compiled binary, against a recording
 * stand-in master: the POST the reference sends, what it prints, and its
 * refusals. (The HTTPS case with an issued certificate is in
 * register-e2e.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";

const received: Array<{ path: string; body: string }> = [];
let server: ReturnType<typeof Bun.serve>;
let url = "";

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      received.push({ path: new URL(request.url).pathname, body: await request.text() });
      return new Response("<marshal><string></string></marshal>");
    },
  });
  url = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

function config(extra = ""): string {
  const path = join(tempDir(), "slapos.cfg");
  writeFileSync(path, `[slapos]\ncomputer_id = COMP-42\nmaster_url = ${url}\nroot_check = off\n${extra}`);
  return path;
}

describe("slapos node bang", () => {
  test("POST computerBang with computer_id and message; prints where and what", async () => {
    received.length = 0;
    const r = await slapos(["node", "bang", "--cfg", config(), "-m", "disk replaced"]);
    expect(r.code).toBe(0);
    expect(received).toEqual([{ path: "/computerBang", body: "computer_id=COMP-42&message=disk+replaced" }]);
    expect(r.stdout).toBe(`Banging to '${url}'\nBang with message 'disk replaced'\n`);
  });

  test("without -m the message is None, as the reference sends it", async () => {
    received.length = 0;
    const r = await slapos(["node", "bang", "--cfg", config()]);
    expect(r.code).toBe(0);
    expect(received[0].body).toBe("computer_id=COMP-42&message=None");
    expect(r.stdout).toBe(`Banging to '${url}'\nBang with message None\n`);
  });

  test("a configuration without computer_id: exit 1, one line naming the key", async () => {
    const path = join(tempDir(), "slapos.cfg");
    writeFileSync(path, `[slapos]\nmaster_url = ${url}\nroot_check = false\n`);
    const r = await slapos(["--log-time", "node", "bang", "--cfg", path, "-m", "x"]);
    expect(r.code).toBe(1);
    expect(r.stderr.replace(/\[\d+\]/, "")).toBe(`slapos ERROR [slapos] computer_id is missing in ${path}\n`);
  });

  test("root_check that is not a boolean: exit 1, one line", async () => {
    const bad = join(tempDir(), "slapos.cfg");
    writeFileSync(bad, `[slapos]\ncomputer_id = C\nmaster_url = ${url}\nroot_check = perhaps\n`);
    const refused = await slapos(["--log-time", "node", "bang", "--cfg", bad]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[slapos] root_check must be a boolean (true/false, yes/no, on/off, 1/0), not "perhaps"');
  });

  test.skipIf(process.getuid?.() !== 0)("root_check on (the default) and not root: exit 5", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755); // readable by nobody: the refusal must be the root check, not the file
    const path = join(dir, "slapos.cfg");
    writeFileSync(path, `[slapos]\ncomputer_id = C\nmaster_url = ${url}\n`);
    const child = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BINARY, "node", "bang", "--cfg", path], { stdout: "pipe", stderr: "pipe", cwd: "/" });
    const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
    expect(code).toBe(5);
    expect(stderr).toContain("This slapos command must be run as root.");
  });
});
