/** The engine's download service: checksums, offline refusal, limits. */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { download } from "../../../plugins/buildout/run/download.ts";
import { tempDir } from "../../helpers/tmp.ts";

const BODY = "hello download\n";
const MD5 = new Bun.CryptoHasher("md5").update(BODY).digest("hex");
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(BODY) });
afterAll(() => server.stop(true));
const url = `http://127.0.0.1:${server.port}/file.txt`;

describe("download", () => {
  test("fetches over http and checks the md5sum", async () => {
    const dir = tempDir("buildout-dl-");
    const path = await download({ url, destination: join(dir, "out"), md5sum: MD5, offline: false, directory: dir });
    expect(readFileSync(path, "utf8")).toBe(BODY);
  });

  test("a checksum mismatch deletes what was fetched and fails", async () => {
    const dir = tempDir("buildout-dl-");
    const attempt = download({ url, destination: join(dir, "out"), md5sum: "0".repeat(32), offline: false, directory: dir });
    await expect(attempt).rejects.toThrow(/MD5 checksum mismatch/);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("offline refuses the network", async () => {
    const dir = tempDir("buildout-dl-");
    await expect(download({ url, destination: join(dir, "out"), offline: true, directory: dir })).rejects.toThrow(/offline mode/);
    expect(existsSync(join(dir, "out"))).toBe(false);
  });

  test("a body over the size limit is refused", async () => {
    const dir = tempDir("buildout-dl-");
    const attempt = download({ url, destination: join(dir, "out"), offline: false, directory: dir, limits: { timeoutSeconds: 5, maxBytes: 4 } });
    await expect(attempt).rejects.toThrow(/larger than 4 bytes/);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a relative path is taken from the buildout directory", async () => {
    const dir = tempDir("buildout-dl-");
    writeFileSync(join(dir, "local.txt"), BODY);
    const path = await download({ url: "local.txt", destination: join(dir, "copy"), md5sum: MD5, offline: true, directory: dir });
    expect(readFileSync(path, "utf8")).toBe(BODY);
  });
});
