/**
 * `slapos node boot` (format-collect-cli.md §5.2) through the compiled
 * binary, with short intervals: it waits for a global IPv6 on the
 * configured interface (inside a network namespace the test creates),
 * retries format while it fails, waits for the master when format could
 * not post, bangs with the given message, and removes the partitions'
 * `.timestamp` files — and returns only after all of that.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isGlobalIpv6 } from "../../../core/node/boot.ts";
import { BINARY, slapos } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { tempDir } from "../../helpers/tmp.ts";

const IS_ROOT = process.getuid?.() === 0;
const namespaces: string[] = [];
const children: Array<{ kill(signal?: string | number): void }> = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  for (const name of namespaces) Bun.spawnSync(["ip", "netns", "del", name]);
});

function sh(command: string): string {
  const r = Bun.spawnSync(["/bin/sh", "-c", command], { stderr: "pipe", stdout: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${command}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** A namespace with lo up and eth0 (a veth) up, without any global IPv6; DAD off. */
function netns(): { name: string; exec: string[] } {
  const name = `slapboot-${Math.random().toString(36).slice(2, 8)}`;
  sh(`ip netns add ${name}`);
  namespaces.push(name);
  const inside = `ip netns exec ${name}`;
  sh(`${inside} sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0`);
  sh(`${inside} sh -c 'ip link set lo up && ip link add eth0 type veth peer name peer0 && ip link set eth0 up && ip link set peer0 up'`);
  return { name, exec: ["ip", "netns", "exec", name] };
}

/** A background process whose output is collected as it comes. */
function background(argv: string[]) {
  const child = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  children.push(child);
  const out = { stdout: "", stderr: "" };
  const pump = async (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) out[key] += decoder.decode(chunk, { stream: true });
  };
  const done = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]).then(() => child.exited);
  return { child, out, done };
}

function nodeConfig(dir: string, masterUrl: string, slapformat: Record<string, string> = {}): string {
  const definition = join(dir, "definition.cfg");
  const partition = (i: number) => `[partition_${i}]\naddress = 127.0.0.1/255.255.255.255 ::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\npathname = slappart${i}\nuser = root\nnetwork_interface =\n`;
  writeFileSync(definition, `[computer]\naddress = 127.0.0.1/255.255.255.255\n\n${partition(0)}\n${partition(1)}`);
  const sections = {
    slapos: { computer_id: "COMP-BOOT", master_url: masterUrl, instance_root: join(dir, "inst"), software_root: join(dir, "soft"), root_check: "False" },
    slapformat: {
      input_definition_file: definition,
      partition_amount: "2",
      alter_user: "false",
      alter_network: "false",
      create_tap: "false",
      computer_xml: join(dir, "slapos.xml"),
      partition_has_ipv6_range: "false",
      public_ipv4_lookup: "false",
      ...slapformat,
    },
  };
  const text = Object.entries(sections)
    .map(([name, values]) => `[${name}]\n${Object.entries(values).map(([k, v]) => `${k} = ${v}`).join("\n")}\n`)
    .join("\n");
  const path = join(dir, "slapos.cfg");
  writeFileSync(path, text);
  return path;
}

function masterConfig(dir: string, port: number): string {
  const path = join(dir, "master.cfg");
  writeFileSync(path, `[slapos]\ncomputer_id = COMP-BOOT\n[slapproxy]\nhost = 127.0.0.1\nport = ${port}\ndatabase_uri = ${join(dir, "master.db")}\n`);
  return path;
}

/** Partitions with a .timestamp, and a folder that is not a partition (its .timestamp stays). */
function timestamps(dir: string): string[] {
  const paths = ["slappart0", "slappart1", "other"].map((name) => join(dir, "inst", name, ".timestamp"));
  for (const path of paths) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "1700000000.5");
  }
  return paths;
}

const FAST = ["--poll-interval", "0.1", "--retry-interval", "0.1"];

test("global scope as the reference's isGlobalScopeAddress: 2000::/3, ULA and site-local yes; link-local, loopback, multicast, reserved no", () => {
  expect([0x2001, 0x3fff, 0xfd00, 0xfec0].map(isGlobalIpv6)).toEqual([true, true, true, true]);
  expect([0xfe80, 0x0000, 0xff02, 0x4000, 0x1fff].map(isGlobalIpv6)).toEqual([false, false, false, false, false]);
});

describe("node boot without an interface to wait for", () => {
  test("format failing is retried; then bang with --message ([BUG] fixed: the reference always sends Reboot); the partitions' .timestamp go", async () => {
    const dir = tempDir();
    const port = await freePort();
    const master = background([BINARY, "proxy", "start", "--cfg", masterConfig(dir, port)]);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/getRunId`)).ok, 30, "master");
    const missing = join(dir, "late-definition.cfg");
    const cfg = nodeConfig(dir, `http://127.0.0.1:${port}`, { input_definition_file: missing });
    const stamps = timestamps(dir);
    const boot = background([BINARY, "--log-time", "node", "boot", "--cfg", cfg, ...FAST, "-m", "Power is back"]);
    await waitFor(() => boot.out.stderr.includes("[BOOT] Fail to format, try again in 0.1 seconds..."), 60, "a failed format");
    writeFileSync(missing, readFileSync(join(dir, "definition.cfg")));
    expect(await boot.done).toBe(0);
    expect(boot.out.stdout).toBe(`Banging to 'http://127.0.0.1:${port}'\nBang with message 'Power is back'\n`);
    expect(boot.out.stderr).toContain("slapos.boot[");
    expect(boot.out.stderr).toContain(`INFO Removing ${stamps[0]}\n`);
    expect(stamps.map(existsSync)).toEqual([false, false, true]);
    master.child.kill("SIGTERM");
  });

  test("a configuration without instance_root: exit 1, one line", async () => {
    const cfg = join(tempDir(), "slapos.cfg");
    writeFileSync(cfg, "[slapos]\nmaster_url = http://127.0.0.1:1\n");
    const r = await slapos(["--log-time", "node", "boot", "--cfg", cfg]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`slapos[${/\[(\d+)\]/.exec(r.stderr)![1]}] ERROR [slapos] instance_root is missing in ${cfg}\n`);
  });

  test("a bad interval: exit 2, one line", async () => {
    const r = await slapos(["node", "boot", "--cfg", nodeConfig(tempDir(), "http://127.0.0.1:1"), "--poll-interval", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument --poll-interval: invalid value: 'soon'");
  });
});

describe.skipIf(!IS_ROOT)("node boot in a network namespace", () => {
  test("waits for a global IPv6 on interface_name, then for the master format could not reach, then bangs", async () => {
    const ns = netns();
    const dir = tempDir();
    const port = 18080;
    const cfg = nodeConfig(dir, `http://127.0.0.1:${port}`, { interface_name: "eth0" });
    const stamps = timestamps(dir);
    const boot = background([...ns.exec, BINARY, "--log-time", "node", "boot", "--cfg", cfg, ...FAST]);
    await waitFor(() => boot.out.stderr.includes("[BOOT] No IPv6 found on interface 'eth0', try again in 0.1 seconds..."), 30, "the IPv6 wait");
    sh(`ip netns exec ${ns.name} ip addr add fe80::99/64 dev eth0`); // link-local: not enough
    await Bun.sleep(300);
    expect(boot.out.stderr).not.toContain("Invoking slapos node format");
    sh(`ip netns exec ${ns.name} ip addr add 2001:db8:5::1/64 dev eth0`);
    await waitFor(() => boot.out.stderr.includes("[BOOT] Fail to post format information, try again when connection to master is up..."), 60, "an offline format");
    const master = background([...ns.exec, BINARY, "proxy", "start", "--cfg", masterConfig(dir, port)]);
    expect(await boot.done).toBe(0);
    master.child.kill("SIGTERM");
    expect(boot.out.stdout).toBe(`Banging to 'http://127.0.0.1:${port}'\nBang with message 'Reboot'\n`);
    expect(stamps.map(existsSync)).toEqual([false, false, true]);
    expect(readFileSync(join(dir, "slapos.xml"), "utf8")).toContain("COMP-BOOT");
  });

  test("an interface that does not exist yet is waited for too (the reference crashes)", async () => {
    const ns = netns();
    const dir = tempDir();
    const port = 18080;
    const master = background([...ns.exec, BINARY, "proxy", "start", "--cfg", masterConfig(dir, port)]);
    const cfg = nodeConfig(dir, `http://127.0.0.1:${port}`, { interface_name: "eth0", ipv6_interface: "re6stnet-tcp" });
    const boot = background([...ns.exec, BINARY, "--log-time", "node", "boot", "--cfg", cfg, ...FAST]);
    await waitFor(() => boot.out.stderr.includes("[BOOT] Interface 're6stnet-tcp' does not exist (yet), try again in 0.1 seconds..."), 30, "the interface wait");
    sh(`ip netns exec ${ns.name} sh -c 'ip link add re6stnet-tcp type veth peer name re6peer && ip link set re6stnet-tcp up && ip link set re6peer up && ip addr add 2001:db8:6::1/64 dev re6stnet-tcp'`);
    expect(await boot.done).toBe(0);
    master.child.kill("SIGTERM");
  });
});
