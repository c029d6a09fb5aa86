/**
 * The built-in `portredir` manager (node-runtime.md §3.12, §8.47,
 * test_slapgrid.py TestSlapgridWithPortRedirection): `.slapos-port-redirect`
 * becomes the supervisor group `<PID>-socat` at every partition teardown,
 * with real socat processes under our supervisor, on loopback only.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { instanceProfile, Node, scratchDir, scriptPart, stopNodes, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-portredir-");
const release = writeRelease(releases, "portredir", {
  instance: instanceProfile({ wrapper: scriptPart("etc/run/wrapper", "exec sleep 1000") }),
});
const socat = Bun.which("socat") ?? "socat";

/** A started partition on a node with `manager_list = portredir`, its redirection file written first when given. */
async function deployed(redirects?: unknown): Promise<{ node: Node; path: string; conf: string }> {
  const node = await Node.create({ slapos: "manager_list = portredir\n" });
  const path = await node.deploy(release);
  if (redirects !== undefined) writeRedirects(path, redirects);
  return { node, path, conf: join(node.inst, "etc", "supervisord.conf.d", "slappart0-socat.conf") };
}

function writeRedirects(path: string, redirects: unknown): void {
  writeFileSync(join(path, ".slapos-port-redirect"), JSON.stringify(redirects));
}

async function instanceRun(node: Node): Promise<{ stderr: string }> {
  const run = await node.node("instance");
  expect(run.code).toBe(0);
  return run;
}

/** The `command=` lines of a group file, in order. */
function commands(conf: string): string[] {
  return readFileSync(conf, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("command="))
    .map((line) => line.slice("command=".length));
}

describe("§8.47 TestSlapgridWithPortRedirection", () => {
  test("§8.47 the socat command lines: IPv4 and IPv6 sources, bind, udp, IPv6 destination in brackets, the partition's IPv6 by default", async () => {
    const [a, b, c, d, e] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    const { node, path, conf } = await deployed([
      { srcPort: a, destPort: 4321, destAddress: "127.0.0.1" },
      { srcPort: b, destPort: 4321, destAddress: "::1" },
      { type: "udp", srcPort: c, destPort: 4321, destAddress: "127.0.0.1" },
      { type: "TCP", srcPort: String(d), srcAddress: "::1", destPort: "4321", destAddress: "0:0:0:0:0:0:0:1" },
      { srcPort: e, srcAddress: "127.0.0.1", destPort: 4321 },
    ]);
    await instanceRun(node);
    expect(commands(conf)).toEqual([
      `${socat} TCP4-LISTEN:${a},fork TCP4:127.0.0.1:4321`,
      `${socat} TCP4-LISTEN:${b},fork TCP6:[::1]:4321`,
      `${socat} UDP4-LISTEN:${c},fork UDP4:127.0.0.1:4321`,
      `${socat} TCP6-LISTEN:${d},bind=::1,fork TCP6:[::1]:4321`,
      `${socat} TCP4-LISTEN:${e},bind=127.0.0.1,fork TCP6:[::1]:4321`,
    ]);
    const text = readFileSync(conf, "utf8");
    const names = [`tcp-${a}`, `tcp-${b}`, `udp-${c}`, `tcp-${d}`, `tcp-${e}`].map((n) => `slappart0-socat_socat-${n}`);
    expect(text.startsWith(`[group:slappart0-socat]\nprograms=${names.join(",")}\n\n[program:${names[0]}]\ndirectory=${path}\n`)).toBe(true);
    expect(text).toContain(`\nprocess_name=socat-udp-${c}\n`);
    expect(statSync(conf).mode & 0o777).toBe(0o600);
    await waitFor(async () => (await node.processInfo(`slappart0-socat:socat-tcp-${a}`))?.statename === "RUNNING", 20, "socat started");
  });

  test("§8.47 bad entries (type, srcPort, srcAddress, destPort, destAddress, not an object) are warned and skipped; the good one stays", async () => {
    const good = await freePort();
    const { node, conf } = await deployed([
      { type: "htcpcp", srcPort: 1234, destPort: 4321, destAddress: "127.0.0.1" },
      { srcPort: "bad", destPort: 4321, destAddress: "127.0.0.1" },
      { srcPort: 1234, srcAddress: "bad", destPort: 4321, destAddress: "127.0.0.1" },
      { srcPort: 1234, destPort: "wolf", destAddress: "127.0.0.1" },
      { srcPort: 1234, destPort: 4321, destAddress: "wolf" },
      "not an object",
      { srcPort: good, destPort: 4321, destAddress: "127.0.0.1" },
    ]);
    const run = await instanceRun(node);
    for (const [index, what] of [
      [1, 'bad redirection type "htcpcp" (tcp or udp)'],
      [2, 'bad srcPort "bad"'],
      [3, 'bad srcAddress "bad"'],
      [4, 'bad destPort "wolf"'],
      [5, 'bad destAddress "wolf"'],
      [6, 'not an object: "not an object"'],
    ] as const) {
      expect(run.stderr).toContain(`portredir: slappart0: .slapos-port-redirect entry ${index}: ${what}; skipped`);
    }
    expect(commands(conf)).toEqual([`${socat} TCP4-LISTEN:${good},fork TCP4:127.0.0.1:4321`]);
  });

  test("§8.47 only bad entries: no socat group at all", async () => {
    const { node, conf } = await deployed([{ srcPort: 1234, destPort: "wolf", destAddress: "127.0.0.1" }]);
    await instanceRun(node);
    expect(existsSync(conf)).toBe(false);
    expect(existsSync(join(node.inst, "etc", "supervisord.conf.d", "slappart0.conf"))).toBe(true);
  });

  test("§8.47 test_portredir_config_change: an empty list on an up-to-date started partition deletes slappart0-socat.conf and the group", async () => {
    const port = await freePort();
    const { node, path, conf } = await deployed([{ srcPort: port, destPort: 4321, destAddress: "127.0.0.1" }]);
    await instanceRun(node);
    expect(existsSync(conf)).toBe(true);
    await waitFor(async () => (await node.processInfo(`slappart0-socat:socat-tcp-${port}`))?.statename === "RUNNING", 20, "socat started");
    writeRedirects(path, []);
    const second = await instanceRun(node);
    expect(second.stderr).not.toContain("Processing Computer Partition slappart0");
    expect(existsSync(conf)).toBe(false);
    expect(await node.processInfo(`slappart0-socat:socat-tcp-${port}`)).toBeUndefined();
    // the partition's own group is untouched
    expect((await node.processInfo("slappart0:wrapper"))?.statename).toBe("RUNNING");
  });

  test("§8.47 teardown runs for an up-to-date started partition: a list written after processing is applied and started at the next run", async () => {
    const port = await freePort();
    const { node, path, conf } = await deployed();
    await instanceRun(node);
    expect(existsSync(conf)).toBe(false);
    writeRedirects(path, [{ srcPort: port, destPort: 4321, destAddress: "127.0.0.1" }]);
    const second = await instanceRun(node);
    expect(second.stderr).not.toContain("Processing Computer Partition slappart0");
    expect(commands(conf)).toEqual([`${socat} TCP4-LISTEN:${port},fork TCP4:127.0.0.1:4321`]);
    await waitFor(async () => (await node.processInfo(`slappart0-socat:socat-tcp-${port}`))?.statename === "RUNNING", 20, "socat started");
  });

  test("§3.12 (deviation) a removed .slapos-port-redirect drops a group left by an earlier list", async () => {
    const port = await freePort();
    const { node, path, conf } = await deployed([{ srcPort: port, destPort: 4321, destAddress: "127.0.0.1" }]);
    await instanceRun(node);
    expect(existsSync(conf)).toBe(true);
    rmSync(join(path, ".slapos-port-redirect"));
    await instanceRun(node);
    expect(existsSync(conf)).toBe(false);
    expect(await node.processInfo(`slappart0-socat:socat-tcp-${port}`)).toBeUndefined();
  });

  test("§8.47 socat not in PATH: the partition fails with an error naming socat, and no socat group is written", async () => {
    const { node, path, conf } = await deployed();
    await instanceRun(node);
    writeRedirects(path, [{ srcPort: 1234, destPort: 4321, destAddress: "127.0.0.1" }]);
    const run = await node.slapos(["node", "instance", "--now"], { PATH: scratchDir("slapgrid-nosocat-") });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("portredir: socat not found in PATH");
    expect(existsSync(conf)).toBe(false);
  });

  test("§8.47 end to end: a connection to srcPort on ::1 reaches the test's listener on 127.0.0.1 through our supervisor's socat", async () => {
    const server: Server = createServer((socket) => socket.on("data", (data) => socket.end(`pong ${data}`)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const destPort = (server.address() as { port: number }).port;
      const srcPort = await freePort("::1");
      const { node } = await deployed([{ srcPort, srcAddress: "::1", destPort, destAddress: "127.0.0.1" }]);
      await instanceRun(node);
      let answer = "";
      await waitFor(async () => {
        answer = await exchange("::1", srcPort, "ping");
        return answer !== "";
      }, 20, "the redirection");
      expect(answer).toBe("pong ping");
      expect((await node.processInfo(`slappart0-socat:socat-tcp-${srcPort}`))?.statename).toBe("RUNNING");
    } finally {
      server.close();
    }
  });
});

/** Send `message` to host:port and read until the peer closes. */
function exchange(host: string, port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port }, () => socket.write(message));
    let received = "";
    socket.on("data", (data) => (received += data.toString()));
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
  });
}

describe("§8.47 socat runs as the partition user, as root below port 1024", () => {
  const user = `prd${process.pid % 100000}`;
  let created = false;
  afterAll(async () => {
    // userdel refuses a user with processes: the supervisor and its socat go first
    await stopNodes();
    if (created) expect(Bun.spawnSync(["userdel", user]).exitCode).toBe(0);
  }, 60_000);

  test("§8.47 as_user: srcPort >= 1024 runs as the partition's uid/gid, srcPort < 1024 as root", async () => {
    const node = await Node.create({ slapos: "manager_list = portredir\n" });
    expect(Bun.spawnSync(["useradd", "-M", "-d", node.partition(0), "-s", "/bin/sh", user]).exitCode).toBe(0);
    created = true;
    const uid = Number(Bun.spawnSync(["id", "-u", user]).stdout.toString());
    const gid = Number(Bun.spawnSync(["id", "-g", user]).stdout.toString());
    chmodSync(node.dir, 0o755);
    chownSync(node.partition(0), uid, gid);
    const high = await freePort();
    writeRedirects(node.partition(0), [
      { srcPort: high, srcAddress: "127.0.0.1", destPort: 4321, destAddress: "127.0.0.1" },
      { srcPort: 1, srcAddress: "127.0.0.1", destPort: 4321, destAddress: "127.0.0.1" },
    ]);
    await node.deploy(release);
    await instanceRun(node);
    const text = readFileSync(join(node.inst, "etc", "supervisord.conf.d", "slappart0-socat.conf"), "utf8");
    const block = (name: string) => text.slice(text.indexOf(`[program:slappart0-socat_${name}]`)).split("\n\n")[0] ?? "";
    expect(block(`socat-tcp-${high}`)).toContain(`\nuser=${uid}\ngroup=${gid}\n`);
    expect(block(`socat-tcp-${high}`)).toContain(`environment=USER="${user}",LOGNAME="${user}"`);
    expect(block("socat-tcp-1")).toContain("\nuser=0\ngroup=0\n");
    await waitFor(async () => (await node.processInfo(`slappart0-socat:socat-tcp-${high}`))?.statename === "RUNNING", 20, "socat started");
    const pid = (await node.processInfo(`slappart0-socat:socat-tcp-${high}`))?.pid ?? 0;
    expect(statSync(`/proc/${pid}`).uid).toBe(uid);
  });
});
