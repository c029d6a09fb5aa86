/**
 * `slapos configure local` as root without --base: the reference's places
 * and defaults (/etc/opt/slapos, /opt/slapos, /opt/slapgrid, /srv/slapgrid,
 * 20 partitions with users, addresses on lo from 10.0.0.0/16, master on
 * 127.0.0.1:8080). Run in a mount and network namespace of its own: /etc is
 * a copy (the users format creates land there), /opt and /srv are empty
 * folders, lo is the namespace's — the machine is never reconfigured.
 * systemd does not run there, so this covers root mode up to the systemd
 * calls: the fallback to the node's own supervisor, and the units it would
 * install (checked with systemd-analyze verify).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICES, unitTexts } from "../../plugins/appliance/systemd.ts";
import { BINARY, ROOT } from "../helpers/binary.ts";
import { waitFor } from "../helpers/ports.ts";
import { tempDir } from "../helpers/tmp.ts";

const IS_ROOT = process.getuid?.() === 0;
const HAS_UNSHARE = Bun.which("unshare") !== null && Bun.which("nsenter") !== null;

describe.skipIf(!IS_ROOT || !HAS_UNSHARE)("configure local as root, in a namespace of its own", () => {
  let dir: string;
  let anchor: ReturnType<typeof Bun.spawn>;
  let first: { code: number; stdout: string; stderr: string };

  /** Run argv inside the namespace. */
  const inside = (argv: string[], env: Record<string, string> = {}) => {
    const vars = Object.entries({ HOME: join(dir, "root"), PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }).map(([k, v]) => `${k}=${v}`);
    const child = Bun.spawnSync(["nsenter", "-t", String(anchor.pid), "-m", "-n", "env", "-i", ...vars, ...argv], { stdout: "pipe", stderr: "pipe" });
    return { code: child.exitCode ?? 1, stdout: child.stdout.toString(), stderr: child.stderr.toString() };
  };
  const slapos = (...args: string[]) => inside([BINARY, ...args]);
  const fetchInside = (url: string) => inside([BINARY, "-e", `console.log(await (await fetch(${JSON.stringify(url)})).text())`], { BUN_BE_BUN: "1" });

  beforeAll(async () => {
    dir = tempDir("slapos-rootmode-");
    for (const name of ["opt", "srv", "root"]) mkdirSync(join(dir, name));
    Bun.spawnSync(["cp", "-a", "/etc", join(dir, "etc")]);
    writeFileSync(
      join(dir, "setup.sh"),
      `set -e
mount --make-rprivate /
mount --bind ${dir}/etc /etc
mount --bind ${dir}/opt /opt
mount --bind ${dir}/srv /srv
ip link set lo up
# format needs a global IPv6 on the interface (lo has only ::1)
ip -6 addr add 2001:db8::1/64 dev lo
touch ${dir}/ready
exec sleep 3600
`,
    );
    anchor = Bun.spawn(["unshare", "-mn", "sh", join(dir, "setup.sh")], { stdout: "ignore", stderr: "inherit" });
    await waitFor(() => existsSync(join(dir, "ready")), 30, "the namespace");
    first = slapos("configure", "local", "--demo", "--timeout", "120");
  }, 300_000);

  afterAll(() => {
    for (const conf of ["/etc/opt/slapos", "/etc/opt/installed"]) {
      if (existsSync(join(dir, conf, "configure-local.json"))) slapos("configure", "local", "--slapos-configuration-directory", conf, "--stop");
    }
    anchor.kill();
  }, 120_000);

  test("the reference's places and defaults; the demo answers", () => {
    expect(first.stderr).not.toContain("ERROR");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("slapos node ready: /etc/opt/slapos (root mode)");
    expect(first.stdout).toContain("  master      http://127.0.0.1:8080/");
    const cfg = readFileSync(join(dir, "etc/opt/slapos/slapos.cfg"), "utf8");
    for (const line of ["software_root = /opt/slapgrid", "instance_root = /srv/slapgrid", "interface_name = lo", "ipv4_local_network = 10.0.0.0/16", "partition_amount = 20", "computer_xml = /opt/slapos/slapos.xml"]) {
      expect(cfg).toContain(`${line}\n`);
    }
    expect(readFileSync(join(dir, "etc/opt/slapos/slapos-proxy.cfg"), "utf8")).toContain("database_uri = /opt/slapos/slapproxy.db\n");
    expect(readlinkSync(join(dir, "root", ".slapos", "slapos-client.cfg"))).toBe("/etc/opt/slapos/slapos.cfg");
    const url = /^ {2}demo {8}(\S+) answers/m.exec(first.stdout)![1];
    expect(url).toMatch(/^http:\/\/10\.0\.\d+\.\d+:\d+\/$/);
    expect(fetchInside(url).stdout).toBe("Hello from hello!\n\n");
  }, 60_000);

  test("without systemd, it says so and the node's supervisor runs the master and the loop", () => {
    expect(first.stderr).toContain("systemd is not running: the master and the node loop run under the node's supervisor");
    const status = slapos("node", "status");
    expect(status.stdout).toMatch(/slapos-proxy +(RUNNING|STARTING)/);
    expect(status.stdout).toMatch(/slapos-node-run +(RUNNING|STARTING)/);
  }, 60_000);

  test("partitions have their own users and addresses, inside the namespace only", () => {
    const passwd = readFileSync(join(dir, "etc", "passwd"), "utf8");
    expect(passwd).toMatch(/^slapuser19:/m);
    expect(readFileSync("/etc/passwd", "utf8")).not.toContain(`:${"/srv/slapgrid/slappart19"}:`);
    expect(inside(["ip", "-4", "addr", "show", "lo"]).stdout).toMatch(/inet 10\.0\.\d+\.\d+\/32/);
    expect(Bun.spawnSync(["ip", "-4", "addr", "show", "lo"]).stdout.toString()).not.toMatch(/inet 10\.0\.\d+\.\d+\/32/);
    expect(lstatSync(join(dir, "srv", "slapgrid", "slappart19")).isDirectory()).toBe(true);
    expect(existsSync("/etc/opt/slapos/slapos.cfg")).toBe(false);
    expect(existsSync("/srv/slapgrid")).toBe(false);
  }, 60_000);

  test("a re-run changes nothing; --status, --stop", () => {
    const again = slapos("configure", "local");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("changed     nothing");
    expect(slapos("configure", "local", "--status").code).toBe(0);
    const stop = slapos("configure", "local", "--stop");
    expect(stop.stdout).toStartWith("stopped the node loop");
    expect(slapos("configure", "local", "--status").code).toBe(3);
  }, 120_000);

  test("a slapos.cfg configure local did not write is refused; install.sh's default one is taken over", () => {
    mkdirSync(join(dir, "etc/opt/foreign"), { recursive: true });
    writeFileSync(join(dir, "etc/opt/foreign/slapos.cfg"), "[slapos]\ncomputer_id = COMP-1\n");
    const refused = slapos("configure", "local", "--slapos-configuration-directory", "/etc/opt/foreign");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("A SlapOS configuration already exists at /etc/opt/foreign/slapos.cfg and was not written by slapos configure local");
    expect(readFileSync(join(dir, "etc/opt/foreign/slapos.cfg"), "utf8")).toBe("[slapos]\ncomputer_id = COMP-1\n");

    mkdirSync(join(dir, "etc/opt/installed"), { recursive: true });
    writeFileSync(join(dir, "etc/opt/installed/slapos.cfg"), readFileSync(join(ROOT, "installer/files/etc/opt/slapos/slapos.cfg")));
    const taken = slapos(
      "configure", "local",
      "--slapos-configuration-directory", "/etc/opt/installed",
      "--slapos-buildout-directory", "/opt/installed",
      "--slapos-instance-root", "/srv/installed",
      "--slapos-software-root", "/opt/installed-software",
      "--daemon-listen-port", "8081",
      "--partition-number", "2",
      "--ipv4-local-network", "10.1.0.0/16",
    );
    expect(taken.stderr).toContain("taking over the default configuration written by install.sh in /etc/opt/installed");
    expect(taken.code).toBe(0);
    const cfg = readFileSync(join(dir, "etc/opt/installed/slapos.cfg"), "utf8");
    expect(cfg).toContain("master_url = http://127.0.0.1:8081\n");
    expect(readFileSync(join(dir, "etc/opt/installed/slapos-proxy.cfg"), "utf8")).toContain("database_uri = /opt/installed/slapproxy.db\n");
    expect(existsSync(join(dir, "srv", "installed", "slappart1"))).toBe(true);
    // Later commands find the places configure local chose from the configuration folder alone.
    expect(slapos("configure", "local", "--slapos-configuration-directory", "/etc/opt/installed", "--status").stdout).toContain("/srv/installed/sv.sock running");
  }, 120_000);
});

describe("configure local as root with systemd: the units it installs", () => {
  test.skipIf(!Bun.which("systemd-analyze"))("name the node's binary and configuration folder, and systemd-analyze verify accepts them", () => {
    const root = tempDir("slapos-units-");
    mkdirSync(join(root, "opt/other/bin"), { recursive: true });
    copyFileSync(BINARY, join(root, "opt/other/bin/slapos"));
    chmodSync(join(root, "opt/other/bin/slapos"), 0o755);
    mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
    for (const [name, text] of Object.entries(unitTexts("/opt/other/bin/slapos", "/etc/opt/other"))) {
      writeFileSync(join(root, "etc/systemd/system", name), text);
    }
    const node = readFileSync(join(root, "etc/systemd/system/slapos-node.service"), "utf8");
    expect(node).toContain("\nExecStart=/opt/other/bin/slapos node run --cfg /etc/opt/other/slapos.cfg\n");
    expect(readFileSync(join(root, "etc/systemd/system/slapos-proxy.service"), "utf8")).toContain("\nConditionPathExists=/etc/opt/other/slapos-proxy.cfg\n");
    mkdirSync(join(root, "usr/lib/systemd"), { recursive: true });
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
    for (const unit of [...SERVICES, "slapos-node-boot.service"]) {
      const r = Bun.spawnSync(["systemd-analyze", "verify", `--root=${root}`, `/etc/systemd/system/${unit}`], { stdout: "pipe", stderr: "pipe" });
      expect({ unit, code: r.exitCode, stderr: r.stderr.toString() }).toEqual({ unit, code: 0, stderr: "" });
    }
  }, 60_000);
});
