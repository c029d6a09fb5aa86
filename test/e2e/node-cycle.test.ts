/**
 * The whole node, through the compiled binary, in a clean folder (issue 6):
 * proxy start, node format (definition-file mode), node supervisord, supply
 * and request of the demo, node software, node instance, the published URL
 * answers, node promise passes, then --state destroyed, node instance,
 * node report: the partition is free and empty again.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROOT, slapos, startSlapos } from "../helpers/binary.ts";
import { freePort, waitFor } from "../helpers/ports.ts";
import { tempDir } from "../helpers/tmp.ts";
import { writeNodeFolder } from "../core/node/harness.ts";

const DEMO = resolve(ROOT, "examples/hello/software.cfg");

describe("a full node cycle of the demo, through dist/slapos", () => {
  let dir: string;
  let env: Record<string, string>;
  let master: ReturnType<typeof startSlapos>;
  let url: string;

  beforeAll(async () => {
    dir = tempDir("slapos-e2e-");
    const port = await freePort();
    const cfg = writeNodeFolder(dir, {
      masterUrl: `http://127.0.0.1:${port}`,
      computerId: "local",
      partitions: 2,
      extra: `[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${dir}/proxy.db\n`,
    });
    env = { SLAPOS_CONFIGURATION: cfg, SLAPOS_CLIENT_CONFIGURATION: cfg };
    master = startSlapos(["proxy", "start"], { env });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/getRunId`)).ok, 30, "the master");
  });

  afterAll(async () => {
    await slapos(["node", "supervisorctl", "shutdown"], { env });
    master.kill();
    await master.exited;
  });

  test("node format prepares and posts the partitions", async () => {
    const r = await slapos(["node", "format", "--now"], { env });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "inst", "slappart0", ".slapos-resource"))).toBe(true);
  });

  test("node supervisord starts the instance supervisor", async () => {
    const r = await slapos(["node", "supervisord"], { env });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "inst", "sv.sock"))).toBe(true);
  });

  test("supply and request the demo", async () => {
    expect((await slapos(["supply", DEMO, "local"], { env })).code).toBe(0);
    expect((await slapos(["request", "hello", DEMO], { env })).code).toBe(0);
  });

  test("node software builds the release and marks it completed", async () => {
    const r = await slapos(["node", "software", "--now"], { env });
    expect(r.code).toBe(0);
    const [folder] = readdirSync(join(dir, "soft"));
    expect(existsSync(join(dir, "soft", folder, ".completed"))).toBe(true);
    expect(existsSync(join(dir, "soft", folder, "instance.cfg"))).toBe(true);
  });

  test("node instance deploys it; its promise passes", async () => {
    const r = await slapos(["node", "instance", "--now"], { env });
    expect(r.stderr).not.toContain("ERROR");
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, "inst", "slappart0", ".timestamp"))).toBe(true);
  });

  test("the published URL answers", async () => {
    const r = await slapos(["request", "hello", DEMO], { env });
    const match = /'url': '([^']+)'/.exec(r.stderr);
    expect(match).not.toBeNull();
    url = match![1];
    await waitFor(async () => (await fetch(url)).ok, 30, "the demo URL");
    expect(await (await fetch(url)).text()).toBe("Hello from hello!\n");
  });

  test("node promise passes", async () => {
    const r = await slapos(["node", "promise", "--now"], { env });
    expect(r.code).toBe(0);
  });

  test("--state destroyed, node instance, node report: the partition is free and empty", async () => {
    expect((await slapos(["request", "hello", DEMO, "--state", "destroyed"], { env })).code).toBe(0);
    expect((await slapos(["node", "instance", "--now"], { env })).code).toBe(0);
    const report = await slapos(["node", "report", "--now"], { env });
    expect(report.code).toBe(0);
    expect(readdirSync(join(dir, "inst", "slappart0"))).toEqual([]);
    const show = await slapos(["proxy", "show", "--partitions"], { env });
    expect(show.stdout).toContain("table partition17: empty");
    await expect(fetch(url)).rejects.toThrow();
  });
});
