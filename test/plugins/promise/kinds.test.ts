/**
 * Built-in declared kinds (etc/plugin/*.promise.json): port-listening against
 * real listeners on loopback, url against a real Bun.serve; and kinds added
 * by another plugin through `promise.run`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import type { PluginHost } from "../../../core/hooks/loader.ts";
import { freePort } from "../../helpers/ports.ts";
import { check, openTempDir, promiseHost, TestPartition } from "./helpers.ts";

let host: PluginHost;
let tcp: Server;
let tcpPort: number;
let http: ReturnType<typeof Bun.serve>;
const servers: Server[] = [];

function listen(server: Server, ...args: unknown[]): Promise<void> {
  servers.push(server);
  return new Promise((resolve) => (server.listen as (...a: unknown[]) => void)(...args, () => resolve()));
}

beforeAll(async () => {
  host = await promiseHost();
  tcp = createServer((socket) => socket.end());
  await listen(tcp, 0, "127.0.0.1");
  tcpPort = (tcp.address() as { port: number }).port;
  http = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/ok") return new Response("ok");
      if (url.pathname === "/moved") return Response.redirect("/ok", 302);
      if (url.pathname === "/private") {
        const expected = `Basic ${Buffer.from("admin:secret").toString("base64")}`;
        return new Response("", { status: request.headers.get("authorization") === expected ? 200 : 401 });
      }
      return new Response("missing", { status: 404 });
    },
  });
});

afterAll(() => {
  for (const server of servers) server.close();
  http.stop(true);
});

function partition(): TestPartition {
  return new TestPartition(openTempDir());
}

describe("port-listening", () => {
  test("a listening TCP port passes with the check_socket_listening message", async () => {
    const p = partition();
    p.declare("web-port", { kind: "port-listening", host: "127.0.0.1", port: tcpPort });
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ name: "web-port.promise.json", title: "web-port", failed: false, message: `socket connection OK ('127.0.0.1', ${tcpPort})` });
  });

  test("a port given as text (as recipes write options) works too", async () => {
    const p = partition();
    p.declare("web-port", { kind: "port-listening", host: "127.0.0.1", port: String(tcpPort) });
    expect((await check(host, p)).results[0].failed).toBe(false);
  });

  test("a closed port fails with Python's error text", async () => {
    const p = partition();
    p.declare("closed", { kind: "port-listening", host: "127.0.0.1", port: await freePort() });
    const report = await check(host, p);
    expect(report.results[0]).toMatchObject({ failed: true, message: "ConnectionRefusedError: [Errno 111] Connection refused" });
    expect(report.error).toBe("Promise 'closed.promise.json' failed with output: ConnectionRefusedError: [Errno 111] Connection refused");
  });

  test("a Unix socket path and an abstract socket pass", async () => {
    const dir = openTempDir();
    const path = join(dir, "app.sock");
    await listen(createServer((s) => s.end()), path);
    chmodSync(path, 0o777);
    const name = `slapos-test-${process.pid}-${Date.now()}`;
    await listen(createServer((s) => s.end()), `\0${name}`);
    const p = partition();
    p.declare("unix", { kind: "port-listening", pathname: path });
    p.declare("abstract", { kind: "port-listening", abstract: name });
    const report = await check(host, p);
    const byTitle = Object.fromEntries(report.results.map((r) => [r.title, r]));
    expect(byTitle.unix).toMatchObject({ failed: false, message: `socket connection OK '${path}'` });
    expect(byTitle.abstract).toMatchObject({ failed: false, message: `socket connection OK '\\x00${name}'` });
  });

  test("a declaration with both a host and a path is refused with the plugin's usage text", async () => {
    const p = partition();
    p.declare("both", { kind: "port-listening", host: "127.0.0.1", port: tcpPort, pathname: "/x" });
    expect((await check(host, p)).results[0]).toMatchObject({
      failed: true,
      message: "Address must be specified in 1 of the following 3 forms: (host, port), path or abstract",
    });
  });

  test("in anomaly mode it fails (and bangs once) only after 3 failing runs", async () => {
    const p = partition();
    p.declare("closed", { kind: "port-listening", host: "127.0.0.1", port: await freePort() });
    const bangs: string[] = [];
    const failed: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const report = await check(host, p, { mode: "anomaly", bang: (message) => void bangs.push(message) });
      failed.push(report.results[0].failed);
      expect(report.results[0].type).toBe("Anomaly Result");
    }
    expect(failed).toEqual([false, false, true]);
    expect(bangs).toEqual(["Promise closed is failing"]);
  });

  test("result-count and failure-amount change the anomaly rule; bang-on-failure false stops the bang", async () => {
    const p = partition();
    p.declare("closed", { kind: "port-listening", host: "127.0.0.1", port: await freePort(), "result-count": 1, "failure-amount": 1, "bang-on-failure": false });
    const bangs: string[] = [];
    const report = await check(host, p, { mode: "anomaly", bang: (message) => void bangs.push(message) });
    expect(report.results[0].failed).toBe(true);
    expect(bangs).toEqual([]);
  });
});

describe("url", () => {
  test("an answering URL passes with the check_url_available message", async () => {
    const p = partition();
    const url = `http://127.0.0.1:${http.port}/ok`;
    p.declare("site", { kind: "url", url });
    expect((await check(host, p)).results[0]).toMatchObject({
      failed: false,
      message: `non-authenticated request to '${url}' succeeded (returned expected code 200)`,
    });
  });

  test("another status fails, naming both codes", async () => {
    const p = partition();
    const url = `http://127.0.0.1:${http.port}/nothing`;
    p.declare("site", { kind: "url", url });
    expect((await check(host, p)).results[0]).toMatchObject({
      failed: true,
      message: `non-authenticated request to '${url}' failed (returned 404, expected 200)`,
    });
  });

  test("http-code (or status) sets the expected code; ignore-code accepts any", async () => {
    const p = partition();
    const url = `http://127.0.0.1:${http.port}/nothing`;
    p.declare("expects-404", { kind: "url", url, "http-code": 404 });
    p.declare("status-404", { kind: "url", url, status: "404" });
    p.declare("ignored", { kind: "url", url, "ignore-code": 1 });
    const report = await check(host, p);
    expect(report.error).toBeUndefined();
    const ignored = report.results.find((r) => r.title === "ignored")!;
    expect(ignored.message).toBe(`non-authenticated request to '${url}' succeeded (return code ignored)`);
  });

  test("redirects are followed unless allow-redirects is 0", async () => {
    const p = partition();
    const url = `http://127.0.0.1:${http.port}/moved`;
    p.declare("follows", { kind: "url", url });
    p.declare("stays", { kind: "url", url, "allow-redirects": 0, "http-code": 302 });
    expect((await check(host, p)).error).toBeUndefined();
  });

  test("username and password make an authenticated request", async () => {
    const p = partition();
    const url = `http://127.0.0.1:${http.port}/private`;
    p.declare("private", { kind: "url", url, username: "admin", password: "secret" });
    expect((await check(host, p)).results[0]).toMatchObject({
      failed: false,
      message: `authenticated request to '${url}' succeeded (returned expected code 200)`,
    });
  });

  test("a refused connection fails with the plugin's message", async () => {
    const p = partition();
    const url = `http://127.0.0.1:${await freePort()}/`;
    p.declare("down", { kind: "url", url });
    expect((await check(host, p)).results[0]).toMatchObject({ failed: true, message: `ERROR connection not possible while accessing '${url}'` });
  });

  test("grace retries a refused connection, for a service that is still starting", async () => {
    const p = partition();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    p.declare("starting", { kind: "url", url, grace: 10 });
    let late: ReturnType<typeof Bun.serve> | undefined;
    const starter = setTimeout(() => {
      late = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response("up") });
    }, 300);
    try {
      expect((await check(host, p)).results[0]).toMatchObject({ failed: false });
    } finally {
      clearTimeout(starter);
      late?.stop(true);
    }
  });
});

describe("declarations and other kinds", () => {
  test("a declaration that is not JSON fails, naming the file", async () => {
    const p = partition();
    const path = p.declare("broken", {});
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, "{ not json");
    const report = await check(host, p);
    expect(report.results[0].failed).toBe(true);
    expect(report.results[0].message).toStartWith(`Error: bad promise declaration ${path}: `);
  });

  test("a declaration without a kind, with a reserved kind, or with a periodicity of 0, fails with the reason", async () => {
    const p = partition();
    p.declare("no-kind", { host: "x" });
    p.declare("zero", { kind: "url", url: "http://x/", frequency: 0 });
    p.declare("sneaky", { kind: "legacy" });
    const report = await check(host, p);
    const byTitle = Object.fromEntries(report.results.map((r) => [r.title, r.message]));
    expect(byTitle["no-kind"]).toEndWith(': no "kind"');
    expect(byTitle.sneaky).toEndWith(': kind "legacy" is not one a declaration can have');
    expect(byTitle.zero).toEndWith(": Cannot set promise periodicity to a value less than 1");
  });

  test("a kind nobody runs fails with a line naming it", async () => {
    const p = partition();
    p.declare("disk", { kind: "acme-disk", path: "/" });
    expect((await check(host, p)).results[0]).toMatchObject({ failed: true, message: "Error: no plugin runs promises of kind 'acme-disk'" });
  });

  test("a plugin tapping promise.run adds a kind; the engine logs and judges what it sensed", async () => {
    const acme = await promiseHost({
      name: "acme",
      version: "1.0.0",
      apiVersion: "^1.0.0",
      apply(hooks) {
        hooks.promise.run.tapPromise("acme", async (input) => {
          if (input.promise.kind !== "acme-disk") return undefined;
          const free = Number(input.promise.config.free);
          return { log: [{ level: free > 10 ? "INFO" : "ERROR", message: `free ${free}%` }] };
        });
      },
    });
    const p = partition();
    p.declare("disk", { kind: "acme-disk", free: 5 });
    const report = await check(acme, p);
    expect(report.results[0]).toMatchObject({ failed: true, message: "free 5%" });
    expect(p.logText("disk")).toMatch(/ - ERROR - \d+-\d{3} - free 5%\n$/);
  });

  test("a declaration disabling the current mode writes no result; disabling both fails", async () => {
    const p = partition();
    p.declare("test-only", { kind: "port-listening", host: "127.0.0.1", port: tcpPort, anomaly: false });
    p.declare("neither", { kind: "port-listening", host: "127.0.0.1", port: tcpPort, anomaly: false, test: false });
    const report = await check(host, p, { mode: "anomaly" });
    expect(report.results.map((r) => r.title)).toEqual(["neither"]);
    expect(report.results[0]).toMatchObject({ failed: true, message: "It's not allowed to disable both Test and Anomaly in promise!" });
    expect(p.resultText("test-only")).toBeUndefined();
  });
});
