/**
 * installer/install.sh in a temporary root prefix: what it writes (paths,
 * modes, unit contents checked with systemd-analyze verify), what it keeps
 * (an edited configuration, a foreign binary), bad input refused before
 * anything is touched, uninstall and purge.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../helpers/binary.ts";
import { tempDir } from "../helpers/tmp.ts";
import { INSTALL, install } from "./helpers.ts";

const UNITS = ["slapos-node-boot.service", "slapos-node-supervisord.service", "slapos-node.service", "slapos-proxy.service"];

/** Every path under dir (relative, sorted), with its type and mode. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const name of readdirSync(join(dir, relative)).sort()) {
      const path = join(relative, name);
      const stat = lstatSync(join(dir, path));
      const kind = stat.isSymbolicLink() ? `-> ${readlinkSync(join(dir, path))}` : (stat.mode & 0o777).toString(8);
      out.push(`/${path} ${stat.isDirectory() ? "dir " : ""}${kind}`);
      if (stat.isDirectory()) walk(path);
    }
  };
  walk("");
  return out;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("install.sh --prefix", () => {
  test("installs the binary, its link, the default configuration, the units and the log folder, nothing else", () => {
    const root = tempDir();
    const r = install(["--prefix", root, "--binary", BINARY]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(tree(root)).toEqual([
      "/etc dir 755",
      "/etc/opt dir 755",
      "/etc/opt/slapos dir 755",
      "/etc/opt/slapos/slapos-proxy.cfg 644",
      "/etc/opt/slapos/slapos.cfg 644",
      "/etc/systemd dir 755",
      "/etc/systemd/system dir 755",
      ...UNITS.map((u) => `/etc/systemd/system/${u} 644`),
      "/opt dir 755",
      "/opt/slapos dir 755",
      "/opt/slapos/bin dir 755",
      "/opt/slapos/bin/slapos 755",
      "/opt/slapos/installed-files 644",
      "/opt/slapos/log dir 750",
      "/usr dir 755",
      "/usr/local dir 755",
      "/usr/local/bin dir 755",
      "/usr/local/bin/slapos -> /opt/slapos/bin/slapos",
    ]);
    expect(readFileSync(join(root, "opt/slapos/bin/slapos")).equals(readFileSync(BINARY))).toBe(true);
    expect(r.stdout).toContain("installed slapos ");
    expect(r.stdout).toContain("systemctl daemon-reload && systemctl enable --now slapos-node-supervisord.service slapos-node-boot.service slapos-node.service");
  });

  test("DESTDIR is the same as --prefix", () => {
    const root = tempDir();
    expect(install(["--binary", BINARY], { DESTDIR: root }).code).toBe(0);
    expect(existsSync(join(root, "opt/slapos/bin/slapos"))).toBe(true);
  });

  test("the units run the installed binary with /etc/opt/slapos; the supervisor's is never killed as a whole group", () => {
    const root = tempDir();
    install(["--prefix", root, "--binary", BINARY]);
    const unit = (name: string) => readFileSync(join(root, "etc/systemd/system", name), "utf8");
    expect(unit("slapos-proxy.service")).toContain("\nExecStart=/opt/slapos/bin/slapos proxy start --cfg /etc/opt/slapos/slapos-proxy.cfg\n");
    expect(unit("slapos-node-supervisord.service")).toContain("\nExecStart=/opt/slapos/bin/slapos node supervisord --nodaemon --cfg /etc/opt/slapos/slapos.cfg\n");
    expect(unit("slapos-node-supervisord.service")).toContain("\nKillMode=mixed\n");
    expect(unit("slapos-node-supervisord.service")).toContain("\nExecReload=/opt/slapos/bin/slapos node supervisorctl --cfg /etc/opt/slapos/slapos.cfg update\n");
    expect(unit("slapos-node.service")).toContain("\nExecStart=/opt/slapos/bin/slapos node run --cfg /etc/opt/slapos/slapos.cfg\n");
    expect(unit("slapos-node-boot.service")).toContain("\nExecStart=/opt/slapos/bin/slapos node boot --cfg /etc/opt/slapos/slapos.cfg\n");
  });

  test.skipIf(!Bun.which("systemd-analyze"))("systemd-analyze verify accepts every unit (and does catch a broken one)", () => {
    const root = tempDir();
    install(["--prefix", root, "--binary", BINARY]);
    // verify --root needs the system's own units (multi-user.target, ...) under the root.
    mkdirSync(join(root, "usr/lib/systemd"), { recursive: true });
    cpSync("/usr/lib/systemd/system", join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
    const verify = (unit: string) => {
      const r = Bun.spawnSync(["systemd-analyze", "verify", `--root=${root}`, `/etc/systemd/system/${unit}`], { stdout: "pipe", stderr: "pipe" });
      return { code: r.exitCode, stderr: r.stderr.toString() };
    };
    for (const unit of UNITS) expect({ unit, ...verify(unit) }).toEqual({ unit, code: 0, stderr: "" });
    writeFileSync(join(root, "etc/systemd/system/broken.service"), "[Service]\nExecStart=/opt/slapos/bin/slapos x\nKillMode=bogus\n");
    expect(verify("broken.service").stderr).toContain("bogus");
  });

  test("the default configuration is a node with its own master, both files readable by the binary", () => {
    const root = tempDir();
    install(["--prefix", root, "--binary", BINARY]);
    const node = readFileSync(join(root, "etc/opt/slapos/slapos.cfg"), "utf8");
    const proxy = readFileSync(join(root, "etc/opt/slapos/slapos-proxy.cfg"), "utf8");
    expect(node).toContain("\nmaster_url = http://127.0.0.1:8080\n");
    expect(proxy).toContain("\nport = 8080\n");
    expect(proxy).toContain("\ndatabase_uri = /opt/slapos/slapproxy.db\n");
  });

  test("an existing slapos.cfg is kept as it is, and no slapos-proxy.cfg is added beside it", () => {
    const root = tempDir();
    mkdirSync(join(root, "etc/opt/slapos"), { recursive: true });
    writeFileSync(join(root, "etc/opt/slapos/slapos.cfg"), "[slapos]\ncomputer_id = COMP-7\n");
    expect(install(["--prefix", root, "--binary", BINARY]).code).toBe(0);
    expect(readFileSync(join(root, "etc/opt/slapos/slapos.cfg"), "utf8")).toBe("[slapos]\ncomputer_id = COMP-7\n");
    expect(existsSync(join(root, "etc/opt/slapos/slapos-proxy.cfg"))).toBe(false);
  });

  test("--cron installs /etc/cron.d/slapos-node (every run of the reference, with its log file) and leaves the node loop unit disabled", () => {
    const root = tempDir();
    const r = install(["--prefix", root, "--binary", BINARY, "--cron"]);
    expect(r.code).toBe(0);
    const cron = readFileSync(join(root, "etc/cron.d/slapos-node"), "utf8");
    expect(mode(join(root, "etc/cron.d/slapos-node"))).toBe("644");
    const jobs = cron.split("\n").filter((line) => line && !line.startsWith("#") && !/^[A-Z]+=/.test(line));
    const commands = jobs.map((line) => /\/opt\/slapos\/bin\/slapos (node \w+)/.exec(line)?.[1]);
    expect(commands).toEqual(["node software", "node instance", "node report", "node format", "node boot", "node collect"]);
    for (const job of jobs) {
      expect(job).toMatch(/^(\S+ \S+ \S+ \S+ \S+|@reboot) root /);
      expect(job).toMatch(/ --logfile=\/opt\/slapos\/log\/slapos-node-\w+\.log > \/dev\/null 2>&1$/);
    }
    expect(r.stdout).toContain("enable --now slapos-node-supervisord.service slapos-node-boot.service\n");
    // Upgrading later without --cron keeps the cron file.
    expect(install(["--prefix", root, "--binary", BINARY]).code).toBe(0);
    expect(existsSync(join(root, "etc/cron.d/slapos-node"))).toBe(true);
  });

  test("a binary that is not ours at /opt/slapos/bin/slapos (slapos.core's) is kept as slapos.orig and comes back at uninstall", () => {
    const root = tempDir();
    mkdirSync(join(root, "opt/slapos/bin"), { recursive: true });
    writeFileSync(join(root, "opt/slapos/bin/slapos"), "#!/bin/sh\necho 'slapos 1.24.0 (Python 3.11.2)'\n");
    chmodSync(join(root, "opt/slapos/bin/slapos"), 0o755);
    const r = install(["--prefix", root, "--binary", BINARY]);
    expect(r.stdout).toContain("kept the former /opt/slapos/bin/slapos as /opt/slapos/bin/slapos.orig");
    expect(readFileSync(join(root, "opt/slapos/bin/slapos.orig"), "utf8")).toContain("Python");
    expect(install(["--prefix", root, "--uninstall"]).code).toBe(0);
    expect(readFileSync(join(root, "opt/slapos/bin/slapos"), "utf8")).toContain("Python");
  });

  test("a /usr/local/bin/slapos that is a file is left alone", () => {
    const root = tempDir();
    mkdirSync(join(root, "usr/local/bin"), { recursive: true });
    writeFileSync(join(root, "usr/local/bin/slapos"), "mine");
    const r = install(["--prefix", root, "--binary", BINARY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("/usr/local/bin/slapos exists and is not a link: left alone");
    expect(readFileSync(join(root, "usr/local/bin/slapos"), "utf8")).toBe("mine");
  });
});

describe("bad input: one line, non-zero exit, nothing touched", () => {
  const refused = (args: string[], code: number, message: string) => {
    const root = tempDir();
    const r = install(["--prefix", root, ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toBe(`install.sh: ${message.replaceAll("ROOT", root)}\n`);
    expect(readdirSync(root)).toEqual([]);
  };

  test("a missing binary", () => refused(["--binary", "/nonexistent/slapos"], 1, "binary not found: /nonexistent/slapos"));

  test("a file that is not a slapos binary", () => {
    const fake = join(tempDir(), "slapos");
    writeFileSync(fake, "#!/bin/sh\necho hello\n");
    chmodSync(fake, 0o755);
    refused(["--binary", fake], 1, `${fake} is not a slapos binary that runs here (its --version does not say "slapos ... (Bun ...)")`);
  });

  test("a binary that is not executable", () => {
    const copy = join(tempDir(), "slapos");
    copyFileSync(BINARY, copy);
    chmodSync(copy, 0o644);
    refused(["--binary", copy], 1, `binary is not executable: ${copy}`);
  });

  test("an unknown option", () => refused(["--frobnicate"], 2, "unknown argument: --frobnicate (see --help)"));
  test("--purge without --uninstall", () => refused(["--purge"], 2, "--purge goes with --uninstall"));
  test("uninstall with nothing installed", () => refused(["--uninstall"], 1, "nothing to uninstall: ROOT/opt/slapos/installed-files does not exist"));

  test("a prefix that does not exist", () => {
    const r = install(["--prefix", "/nonexistent/root", "--binary", BINARY]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("install.sh: prefix does not exist or is not a folder: /nonexistent/root\n");
  });

  test.skipIf(process.getuid?.() !== 0)("not root and no prefix", () => {
    const r = Bun.spawnSync(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", INSTALL, "--binary", BINARY], { stdout: "pipe", stderr: "pipe", cwd: "/" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toBe("install.sh: must be run as root (or with --prefix DIR)\n");
  });
});

describe("install.sh --uninstall", () => {
  test("removes the binary, its link and the units; keeps configuration, logs and the master's database", () => {
    const root = tempDir();
    install(["--prefix", root, "--binary", BINARY, "--cron"]);
    writeFileSync(join(root, "opt/slapos/log/slapos-node-software.log"), "log\n");
    writeFileSync(join(root, "opt/slapos/slapproxy.db"), "db");
    const r = install(["--prefix", root, "--uninstall"]);
    expect(r.code).toBe(0);
    expect(tree(root)).toEqual([
      "/etc dir 755",
      "/etc/cron.d dir 755",
      "/etc/opt dir 755",
      "/etc/opt/slapos dir 755",
      "/etc/opt/slapos/slapos-proxy.cfg 644",
      "/etc/opt/slapos/slapos.cfg 644",
      "/etc/systemd dir 755",
      "/etc/systemd/system dir 755",
      "/opt dir 755",
      "/opt/slapos dir 755",
      "/opt/slapos/log dir 750",
      "/opt/slapos/log/slapos-node-software.log 644",
      "/opt/slapos/slapproxy.db 644",
      "/usr dir 755",
      "/usr/local dir 755",
      "/usr/local/bin dir 755",
    ]);
    expect(r.stdout).toContain("kept /etc/opt/slapos (configuration) and /opt/slapos (logs, master database)");
  });

  test("--purge also removes /etc/opt/slapos, its backups and /opt/slapos, never the partitions", () => {
    const root = tempDir();
    install(["--prefix", root, "--binary", BINARY]);
    mkdirSync(join(root, "etc/opt/slapos.old"));
    mkdirSync(join(root, "srv/slapgrid/slappart0"), { recursive: true });
    mkdirSync(join(root, "opt/slapgrid/abc"), { recursive: true });
    expect(install(["--prefix", root, "--uninstall", "--purge"]).code).toBe(0);
    expect(existsSync(join(root, "etc/opt/slapos"))).toBe(false);
    expect(existsSync(join(root, "etc/opt/slapos.old"))).toBe(false);
    expect(existsSync(join(root, "opt/slapos"))).toBe(false);
    expect(existsSync(join(root, "srv/slapgrid/slappart0"))).toBe(true);
    expect(existsSync(join(root, "opt/slapgrid/abc"))).toBe(true);
  });
});
