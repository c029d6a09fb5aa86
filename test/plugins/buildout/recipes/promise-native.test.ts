/**
 * Promise recipes on a machine without the Python (or sh + curl) their
 * scripts need: check_port_listening, check_url_available and promise.plugin
 * with slapos.toolbox's check_socket_listening / check_url_available write
 * native declarations, and a real promise run of the partition (plugins/promise)
 * checks them under the same titles. Where the interpreter or the eggs are
 * there, the reference's files are written instead.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { PartitionCheckResult } from "../../../../core/hooks/groups/promise.ts";
import { PluginHost } from "../../../../core/hooks/loader.ts";
import { configureLogging, log } from "../../../../core/log/logger.ts";
import { promisePlugin, runPartitionPromises } from "../../../../plugins/promise/index.ts";
import { freePort } from "../../../helpers/ports.ts";
import { installOk, project, read } from "./helpers.ts";

// The promise run logs each check; the test reads results instead.
configureLogging({ level: "CRITICAL" });

let host: PluginHost;
let tcp: Server;
let tcpPort: number;
let http: ReturnType<typeof Bun.serve>;

beforeAll(async () => {
  host = new PluginHost();
  host.add(promisePlugin);
  await host.applyAll((loaded) => ({ config: undefined as never, options: {}, log: log.child(loaded.plugin.name), source: loaded.source, command: "test" }));
  tcp = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  tcpPort = (tcp.address() as { port: number }).port;
  http = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => (new URL(r.url).pathname === "/ok" ? new Response("ok") : new Response("no", { status: 404 })) });
});

afterAll(() => {
  tcp.close();
  http.stop(true);
});

function check(partition: string): Promise<PartitionCheckResult> {
  return runPartitionPromises(host.hooks, { partitionId: "slappart0", partitionPath: partition, mode: "test", force: true, timeout: 10 });
}

const BASE = `[buildout]
parts = PARTS
executable = /nonexistent/bin/python3
eggs-directory = \${buildout:directory}/eggs
develop-eggs-directory = \${buildout:directory}/develop-eggs

[directory]
recipe = slapos.cookbook:mkdirectory
plugin = \${buildout:directory}/etc/plugin
promise = \${buildout:directory}/etc/promise

[monitor-promise-base]
recipe = slapos.cookbook:promise.plugin
eggs =
  slapos.toolbox
module = slapos.promise.plugin.\${:promise}
output = \${directory:plugin}/\${:name}
`;

test("without Python nor curl, the four promise recipes write declarations the node checks under their titles", async () => {
  const closed = await freePort();
  const dir = project(
    BASE.replace("PARTS", "web-port web-url legacy-port legacy-url") +
      `
[web-port]
<= monitor-promise-base
promise = check_socket_listening
name = web-port.py
config-host = 127.0.0.1
config-port = ${tcpPort}

[web-url]
<= monitor-promise-base
promise = check_url_available
name = web-url.py
config-url = http://127.0.0.1:${http.port}/ok
config-http-code = 200

[legacy-port]
recipe = slapos.cookbook:check_port_listening
path = \${directory:promise}/legacy-port
hostname = 127.0.0.1
port = ${closed}

[legacy-url]
recipe = slapos.cookbook:check_url_available
path = \${directory:promise}/legacy-url
url = http://127.0.0.1:${http.port}/missing
dash_path = /nonexistent/bin/dash
curl_path = /nonexistent/bin/curl
`,
  );
  await installOk(dir);
  expect(readdirSync(join(dir, "etc/plugin")).sort()).toEqual([
    "legacy-port.promise.json",
    "legacy-url.promise.json",
    "web-port.promise.json",
    "web-url.promise.json",
  ]);
  expect(readdirSync(join(dir, "etc/promise"))).toEqual([]);
  expect(JSON.parse(read(dir, "etc/plugin/web-port.promise.json"))).toEqual({ kind: "port-listening", host: "127.0.0.1", port: String(tcpPort) });

  const report = await check(dir);
  const byTitle = Object.fromEntries(report.results.map((r) => [r.title, r]));
  expect(byTitle["web-port"]).toMatchObject({ failed: false, message: `socket connection OK ('127.0.0.1', ${tcpPort})` });
  expect(byTitle["web-url"]).toMatchObject({ failed: false, message: `non-authenticated request to 'http://127.0.0.1:${http.port}/ok' succeeded (returned expected code 200)` });
  expect(byTitle["legacy-port"]).toMatchObject({ failed: true, message: "ConnectionRefusedError: [Errno 111] Connection refused" });
  expect(byTitle["legacy-url"]?.failed).toBe(true);
  expect(byTitle["legacy-url"]?.message).toContain("404");
  const stored = JSON.parse(readFileSync(join(dir, ".slapgrid/promise/result/web-port.status.json"), "utf8"));
  expect(stored).toMatchObject({ title: "web-port", name: "web-port.promise.json", result: { failed: false, type: "Test Result" } });
});

test("with the interpreter there, check_port_listening writes the reference's script and drops its declaration", async () => {
  const profile = BASE.replace("PARTS", "legacy-port") + `
[legacy-port]
recipe = slapos.cookbook:check_port_listening
path = \${directory:promise}/legacy-port
hostname = 127.0.0.1
port = ${tcpPort}
`;
  const dir = project(profile);
  await installOk(dir);
  expect(existsSync(join(dir, "etc/plugin/legacy-port.promise.json"))).toBe(true);
  writeFileSync(join(dir, "buildout.cfg"), profile.replace("/nonexistent/bin/python3", "/usr/bin/python3"));
  await installOk(dir);
  expect(existsSync(join(dir, "etc/plugin/legacy-port.promise.json"))).toBe(false);
  expect(read(dir, "etc/promise/legacy-port").startsWith("#!/usr/bin/python3\n")).toBe(true);
  const report = await check(dir);
  expect(report.results.map((r) => [r.title, r.name, r.failed])).toEqual([["legacy-port", "legacy-port", false]]);
});

test("with slapos.toolbox in the eggs, promise.plugin writes the Python plugin", async () => {
  const dir = project(BASE.replace("PARTS", "web-port") + `
[web-port]
<= monitor-promise-base
promise = check_socket_listening
name = web-port.py
config-host = 127.0.0.1
config-port = ${tcpPort}
`);
  const egg = join(dir, "eggs", "slapos.toolbox-1.0-py3.11.egg");
  mkdirSync(join(egg, "EGG-INFO"), { recursive: true });
  mkdirSync(join(egg, "slapos", "promise", "plugin"), { recursive: true });
  writeFileSync(join(egg, "EGG-INFO", "requires.txt"), "");
  writeFileSync(join(egg, "slapos", "promise", "plugin", "check_socket_listening.py"), "class RunPromise(object):\n  pass\n");
  await installOk(dir);
  expect(readdirSync(join(dir, "etc/plugin"))).toEqual(["web-port.py"]);
  expect(read(dir, "etc/plugin/web-port.py")).toContain("from slapos.promise.plugin.check_socket_listening import RunPromise");
});

test("with sh and curl there, check_url_available writes the reference's script, which curl runs", async () => {
  const curl = Bun.which("curl")!;
  const dir = project(BASE.replace("PARTS", "ok missing") + `
[ok]
recipe = slapos.cookbook:check_url_available
path = \${directory:promise}/ok
url = http://127.0.0.1:${http.port}/ok
dash_path = /bin/sh
curl_path = ${curl}

[missing]
<= ok
path = \${directory:promise}/missing
url = http://127.0.0.1:${http.port}/missing
`);
  await installOk(dir);
  expect(readdirSync(join(dir, "etc/plugin"))).toEqual([]);
  const script = read(dir, "etc/promise/ok");
  expect(script.startsWith(`#!/bin/sh\n# BEWARE: This file is operated by slapos node\n`)).toBe(true);
  expect(script).toContain(`CODE=$(${curl} -g -k -sL $URL -w %{http_code} --max-time $TIMEOUT -o /dev/null)`);
  expect(script).toContain(`F_TIMEOUT="${join(dir, "etc/promise_timeout")}"`);
  const report = await check(dir);
  const byTitle = Object.fromEntries(report.results.map((r) => [r.title, r]));
  expect(byTitle.ok).toMatchObject({ failed: false });
  expect(byTitle.missing).toMatchObject({ failed: true, message: `http://127.0.0.1:${http.port}/missing is not available (returned 404, expected 200).` });
});
