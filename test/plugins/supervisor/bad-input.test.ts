/**
 * Bad input never takes the daemon down: a bad file is refused at start
 * (nothing left running), a bad file at reload keeps the running processes
 * and the old configuration, and garbage on the socket gets a fault (or an
 * HTTP error) while the daemon keeps serving.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { slapos } from "../../helpers/binary.ts";
import { makeInstance, program, rpc, script, startDaemon, stockCtl, waitState } from "./helpers.ts";

const good = makeInstance();
const bad = makeInstance();

/** Send raw bytes on the unix socket and return what comes back. */
function raw(socket: string, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const client = connect(socket);
    let text = "";
    client.on("data", (d) => (text += d.toString()));
    client.on("close", () => resolve(text));
    client.on("error", () => resolve(text));
    client.on("connect", () => client.end(bytes));
    setTimeout(() => client.destroy(), 5000);
  });
}

function post(body: string): string {
  return `POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

beforeAll(async () => {
  const loop = script(join(good.dir, "loop.sh"), "exec sleep 1000");
  writeFileSync(join(good.confDir, "a.conf"), program(good, "a", loop));
  await startDaemon(good);
  await waitState(good, "a", "RUNNING");
});

describe("bad input", () => {
  test("a configuration with an unknown option is refused at start, naming file, section and option", async () => {
    const file = join(bad.confDir, "x.conf");
    writeFileSync(file, program(bad, "x", "/bin/sleep 100", { stratsecs: 1 }));
    const result = await slapos(["node", "supervisord", "-c", bad.conf]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: [program:x] stratsecs: unknown option for a program section`);
    expect(existsSync(bad.socket)).toBe(false);
    expect(existsSync(bad.pidfile)).toBe(false);
  });

  test("a reload with a bad file is refused; the running processes and the old configuration stay", async () => {
    const call = rpc(good);
    const pid = ((await call("getProcessInfo", "a")) as { pid: number }).pid;
    const file = join(good.confDir, "a.conf");
    const before = readFileSync(file, "utf8");
    writeFileSync(file, before.replace("startsecs=0", "startsecs=soon"));
    const reread = await stockCtl(good.conf, ["reread"]);
    expect(reread.stdout).toBe(`ERROR: CANT_REREAD: ${file}: [program:a] startsecs: invalid literal for int() with base 10: 'soon'\n`);
    const update = await stockCtl(good.conf, ["update"]);
    expect(update.code).not.toBe(0);
    expect(((await call("getProcessInfo", "a")) as { pid: number }).pid).toBe(pid);
    const avail = await stockCtl(good.conf, ["avail"]);
    expect(avail.stdout).toMatch(/^a +in use +auto +999:999$/m);
    writeFileSync(file, before);
    expect((await stockCtl(good.conf, ["reread"])).stdout).toBe("No config updates to processes\n");
  });

  test("a request that is not XML-RPC gets a fault, and the daemon keeps serving", async () => {
    const answer = await raw(good.socket, post("this is not xml <<<"));
    expect(answer).toStartWith("HTTP/1.1 200");
    expect(answer).toContain("<name>faultCode</name>\n<value><int>2</int></value>");
    expect(answer).toContain("INCORRECT_PARAMETERS: not an XML-RPC call");
    expect(await rpc(good)("getState")).toEqual({ statecode: 1, statename: "RUNNING" });
  });

  test("an unknown method and wrong arguments get UNKNOWN_METHOD and INCORRECT_PARAMETERS", async () => {
    const call = rpc(good);
    await expect(call("supervisor.noSuchMethod")).rejects.toMatchObject({ faultCode: 1, faultString: "UNKNOWN_METHOD" });
    await expect(call("supervisor._getAllProcesses")).rejects.toMatchObject({ faultCode: 1 });
    await expect(call("supervisor.getProcessInfo")).rejects.toMatchObject({ faultCode: 2, faultString: "INCORRECT_PARAMETERS" });
    await expect(call("supervisor.getProcessInfo", "nosuch")).rejects.toMatchObject({ faultCode: 10, faultString: "BAD_NAME: nosuch" });
  });

  test("bytes that are not HTTP get an HTTP error, and the daemon keeps serving", async () => {
    const answer = await raw(good.socket, "\x00\x01\x02 garbage\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 4\d\d/);
    expect(await rpc(good)("getState")).toEqual({ statecode: 1, statename: "RUNNING" });
  });

  test("system.multicall runs each call and reports faults inline", async () => {
    const result = await rpc(good)("system.multicall", [
      { methodName: "supervisor.getAPIVersion", params: [] },
      { methodName: "supervisor.getProcessInfo", params: ["nosuch"] },
      { methodName: "system.multicall", params: [[]] },
    ]);
    expect(result).toEqual([
      "3.0",
      { faultCode: 10, faultString: "BAD_NAME: nosuch" },
      { faultCode: 2, faultString: "INCORRECT_PARAMETERS: Recursive system.multicall forbidden" },
    ]);
  });

  test("system.listMethods, methodHelp and methodSignature describe the interface", async () => {
    const call = rpc(good);
    const methods = (await call("system.listMethods")) as string[];
    expect(methods).toContain("supervisor.startProcess");
    expect(methods).toContain("system.multicall");
    expect(await call("system.methodSignature", "supervisor.startProcess")).toEqual(["boolean", "string", "boolean"]);
    expect(String(await call("system.methodHelp", "supervisor.getPID"))).toContain("@return int PID");
  });
});
