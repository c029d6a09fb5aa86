/** Extends over the network: timeout, size limit, offline refusal, extends-cache. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../../plugins/buildout/lang/resolve.ts";
import { tempDir } from "../../helpers/tmp.ts";

const BASE = "[s]\nx = from-http\n";
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/hang.cfg") await Bun.sleep(3000);
    if (path === "/big.cfg") return new Response("[s]\n" + "x = 1\n".repeat(1000));
    return new Response(BASE);
  },
});
afterAll(() => server.stop(true));
const http = `http://127.0.0.1:${server.port}`;

function profile(text: string): string {
  const dir = tempDir("buildout-extends-");
  writeFileSync(join(dir, "buildout.cfg"), text);
  return dir;
}

describe("extends over http", () => {
  test("a server that does not answer in time is refused", async () => {
    const dir = profile(`[buildout]\nextends = ${http}/hang.cfg\nparts =\n`);
    const attempt = resolveConfig({ configFile: join(dir, "buildout.cfg"), limits: { timeoutSeconds: 0.3, maxBytes: 1000 } });
    await expect(attempt).rejects.toMatchObject({ kind: "ExtendsNotFound", message: expect.stringContaining("timed out") });
  });

  test("a body over the size limit is refused", async () => {
    const dir = profile(`[buildout]\nextends = ${http}/big.cfg\nparts =\n`);
    const attempt = resolveConfig({ configFile: join(dir, "buildout.cfg"), limits: { timeoutSeconds: 5, maxBytes: 100 } });
    await expect(attempt).rejects.toMatchObject({ kind: "ExtendsNotFound", message: expect.stringContaining("larger than 100 bytes") });
  });

  test("offline refuses a URL that is not in the extends-cache", async () => {
    const dir = profile(`[buildout]\nextends = ${http}/base.cfg\nparts =\noffline = true\n`);
    await expect(resolveConfig({ configFile: join(dir, "buildout.cfg") })).rejects.toMatchObject({ kind: "ExtendsNotFound" });
  });

  test("the extends-cache keeps a copy that offline runs then use", async () => {
    const dir = profile(`[buildout]\nextends = ${http}/base.cfg\nextends-cache = cache\nparts =\n`);
    mkdirSync(join(dir, "cache"));
    expect((await resolveConfig({ configFile: join(dir, "buildout.cfg") })).sections.s.x).toBe("from-http");
    expect(readdirSync(join(dir, "cache"))).toHaveLength(1);
    writeFileSync(join(dir, "buildout.cfg"), `[buildout]\nextends = ${http}/base.cfg\nextends-cache = cache\nparts =\noffline = true\n`);
    server.stop(true);
    expect((await resolveConfig({ configFile: join(dir, "buildout.cfg") })).sections.s.x).toBe("from-http");
  });
});
