/**
 * `slapos node prune` through the compiled binary, on shared parts the
 * tests lay out as slapos.core's buildout leaves them
 * (`<shared>/<name>/<hash>/.slapos.recipe.cmmi.signature`): the cases of
 * slapos.core's test_prune.py, then the command's refusals and its
 * software pidfile.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";

interface Node {
  base: string;
  shared: string;
  software: string;
  instance: string;
  cfg: string;
  pidfile: string;
}

function node(extra = "", sharedPartList?: string): Node {
  const base = tempDir();
  const n = {
    base,
    shared: join(base, "shared"),
    software: join(base, "software"),
    instance: join(base, "instance"),
    cfg: join(base, "slapos.cfg"),
    pidfile: join(base, "run", "slapgrid-sr.pid"),
  };
  for (const dir of [n.shared, n.software, n.instance]) mkdirSync(dir);
  const list = sharedPartList ?? `\n  ${join(base, "read-only-shared")}\n  ${n.shared}`;
  writeFileSync(
    n.cfg,
    `[slapos]\nsoftware_root = ${n.software}\ninstance_root = ${n.instance}\nshared_part_list = ${list}\n` +
      `pidfile_software = ${n.pidfile}\nroot_check = false\n${extra}`,
  );
  return n;
}

/** A software folder whose .installed.cfg mentions `using`. */
function software(root: string, name: string, using = ""): string {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, ".installed.cfg"), `[buildout]\nusing = ${using}\n`);
  return path;
}

/** A shared part `<root>/<name>/<name>` whose signature mentions `using`. */
function sharedPart(root: string, name: string, using = ""): string {
  const path = join(root, name, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, ".slapos.recipe.cmmi.signature"), `signature\nusing = ${using}\n`);
  return path;
}

const prune = (n: Node, args: string[] = []) => slapos(["--log-time", "node", "prune", "--cfg", n.cfg, ...args], { timeout: 60 });
const messages = (stderr: string) => stderr.replace(/^slapos\[\d+\] /gm, "");

describe("slapos node prune: what is used", () => {
  test("an unused shared part is removed, one used by a software's .installed.cfg is kept", async () => {
    const n = node();
    const unused = sharedPart(n.shared, "not_used");
    const used = sharedPart(n.shared, "used_part");
    software(n.software, "sw1", used);
    const r = await prune(n);
    expect(messages(r.stderr)).toBe(`WARNING Pruning shared directories at ${n.shared}\nWARNING Unused shared parts at ${unused} ... removed\n`);
    expect(r.code).toBe(0);
    expect([existsSync(used), existsSync(unused)]).toEqual([true, false]);
  });

  test("--dry-run only says what it would remove", async () => {
    const n = node();
    const unused = sharedPart(n.shared, "not_used");
    const used = sharedPart(n.shared, "used_part");
    software(n.software, "sw1", used);
    const r = await prune(n, ["--dry-run"]);
    expect(messages(r.stderr)).toBe(`WARNING Pruning shared directories at ${n.shared}\nWARNING Unused shared parts at ${unused}\n`);
    expect(r.code).toBe(0);
    expect([existsSync(used), existsSync(unused)]).toEqual([true, true]);
  });

  test("a part used by a used part's signature is kept", async () => {
    const n = node();
    const unused = sharedPart(n.shared, "not_used");
    const indirect = sharedPart(n.shared, "part_used_indirectly");
    const direct = sharedPart(n.shared, "directly_used_part", indirect);
    software(n.software, "sw1", direct);
    expect((await prune(n)).code).toBe(0);
    expect([existsSync(indirect), existsSync(direct), existsSync(unused)]).toEqual([true, true, false]);
  });

  test("a part used only by an unused part goes too, on a later pass (dry run lists both)", async () => {
    const n = node();
    const orphanDependency = sharedPart(n.shared, "used_only_by_orphan_part");
    const unused = sharedPart(n.shared, "not_used", orphanDependency);
    const used = sharedPart(n.shared, "used_directly");
    software(n.software, "sw1", used);
    const dry = await prune(n, ["--dry-run"]);
    expect(messages(dry.stderr)).toBe(
      `WARNING Pruning shared directories at ${n.shared}\nWARNING Unused shared parts at ${unused}\nWARNING Unused shared parts at ${orphanDependency}\n`,
    );
    const r = await prune(n);
    expect(r.code).toBe(0);
    expect([existsSync(used), existsSync(unused), existsSync(orphanDependency)]).toEqual([true, false, false]);
  });

  test("a part named in a bin/ script is kept; a binary in bin/ is skipped without harm", async () => {
    const n = node();
    const unused = sharedPart(n.shared, "not_used");
    const inScript = sharedPart(n.shared, "used_in_script");
    const sw = software(n.software, "sw1");
    mkdirSync(join(sw, "bin"));
    writeFileSync(join(sw, "bin", "buildout"), `#!${inScript}/bin/python3\n`);
    writeFileSync(join(sw, "bin", "binary"), Buffer.from([0x80, 0xff, 0x00]));
    mkdirSync(join(sw, "bin", "a-folder"));
    const r = await slapos(["--log-time", "-v", "node", "prune", "--cfg", n.cfg]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain(`DEBUG Skipping script ${join(sw, "bin", "binary")} that could not be decoded\n`);
    expect([existsSync(inScript), existsSync(unused)]).toEqual([true, false]);
  });

  test("parts used by a recursive slapos in a partition (its software root, its shared parts) are kept", async () => {
    const n = node();
    const fromSoftware = sharedPart(n.shared, "used_in_software_from_instance");
    const fromSharedPart = sharedPart(n.shared, "used_in_shared_part_from_instance");
    const unused = sharedPart(n.shared, "not_used");
    const partition = join(n.instance, "slappart0");
    const inner = { software: join(partition, "software"), instance: join(partition, "instance"), shared: join(partition, "shared") };
    for (const dir of [join(partition, "etc"), inner.software, inner.instance, inner.shared]) mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(partition, "etc", "slapos.cfg"),
      `[slapos]\nsoftware_root = ${inner.software}\ninstance_root = ${inner.instance}\nshared_part_list =\n  ${n.shared}\n  ${inner.shared}\n`,
    );
    software(inner.software, "soft_in_instance", fromSoftware);
    const innerPart = sharedPart(inner.shared, "shared_part_in_instance", fromSharedPart);
    const innerUnused = sharedPart(inner.shared, "unused_shared_part_in_instance");
    const r = await slapos(["--log-time", "-v", "node", "prune", "--cfg", n.cfg]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain(`DEBUG Reading config at ${join(partition, "etc", "slapos.cfg")}\n`);
    expect([existsSync(fromSoftware), existsSync(fromSharedPart), existsSync(unused)]).toEqual([true, true, false]);
    // prune does not recurse into the inner shared root
    expect([existsSync(innerPart), existsSync(innerUnused)]).toEqual([true, true]);
  });

  test("broken or partial slapos.cfg files in partitions are ignored, and do not hide a good one", async () => {
    const n = node();
    const used = sharedPart(n.shared, "used_in_software_from_instance");
    const partition = join(n.instance, "slappart0");
    const innerSoftware = join(partition, "software");
    software(innerSoftware, "soft_in_instance", used);
    mkdirSync(join(partition, "aaa"));
    writeFileSync(join(partition, "aaa", "slapos.cfg"), "broken");
    mkdirSync(join(partition, "bbb"));
    writeFileSync(join(partition, "bbb", "slapos.cfg"), "[something]\n");
    mkdirSync(join(partition, "ccc"));
    writeFileSync(join(partition, "ccc", "slapos.cfg"), "[slapos]\nsoftware_root = NOT EXIST SOFTWARE\ninstance_root = NOT EXIST INSTANCE\nshared_part_list = NOT EXIST SHARED\n");
    mkdirSync(join(partition, "etc"));
    writeFileSync(join(partition, "etc", "slapos.cfg"), `[slapos]\nsoftware_root = ${innerSoftware}\ninstance_root = anything\nshared_part_list = anything\n`);
    const r = await slapos(["--log-time", "-v", "node", "prune", "--cfg", n.cfg]);
    expect(r.code).toBe(0);
    const log = messages(r.stderr);
    expect(log).toContain(`DEBUG Ignored config at ${join(partition, "aaa", "slapos.cfg")} because of error`);
    expect(log).toContain(`DEBUG Ignored config at ${join(partition, "bbb", "slapos.cfg")} because of error`);
    const ccc = join(partition, "ccc", "slapos.cfg");
    expect(log).toContain(`DEBUG Ignoring non existant shared root NOT EXIST SHARED from ${ccc}\n`);
    expect(log).toContain(`DEBUG Ignoring non existant software root NOT EXIST SOFTWARE from ${ccc}\n`);
    expect(log).toContain(`DEBUG Ignoring non existant instance root NOT EXIST INSTANCE from ${ccc}\n`);
    expect(existsSync(used)).toBe(true);
  });

  test("recursive slapos on several levels", async () => {
    const n = node();
    const used = sharedPart(n.shared, "used_in_software_from_instance");
    const level1 = join(n.instance, "slappart0");
    mkdirSync(join(level1, "etc"), { recursive: true });
    writeFileSync(join(level1, "etc", "slapos.cfg"), `[slapos]\nsoftware_root = anything\ninstance_root = ${level1}\nshared_part_list = anything\n`);
    const level2 = join(level1, "srv", "runner");
    mkdirSync(join(level2, "etc"), { recursive: true });
    software(join(level2, "software"), "soft_in_instance_level2", used);
    writeFileSync(
      join(level2, "etc", "slapos.cfg"),
      `[slapos]\nsoftware_root = ${join(level2, "software")}\ninstance_root = ${level2}\nshared_part_list = anything\n`,
    );
    expect((await prune(n)).code).toBe(0);
    expect(existsSync(used)).toBe(true);
  });

  test("--additional-software-directory (repeated) keeps what their softwares use; a missing one is a warning", async () => {
    const n = node();
    const used1 = sharedPart(n.shared, "used_in_additional1");
    const used2 = sharedPart(n.shared, "used_in_additional2");
    const unused = sharedPart(n.shared, "not_used");
    const [extra1, extra2] = [join(n.base, "additional_software1"), join(n.base, "additional_software2")];
    software(extra1, "soft1", used1);
    software(extra2, "soft2", used2);
    const missing = join(n.base, "non_existent");
    const r = await prune(n, ["--additional-software-directory", extra1, "--additional-software-directory", extra2, "--additional-software-directory", missing]);
    expect(r.code).toBe(0);
    expect(messages(r.stderr)).toContain(`WARNING Additional software directory does not exist: ${missing}\n`);
    expect([existsSync(used1), existsSync(used2), existsSync(unused)]).toEqual([true, true, false]);
  });

  test("only the last line of shared_part_list is pruned; dot-folders and files there are left alone", async () => {
    const n = node();
    const readOnly = join(n.base, "read-only-shared");
    const other = sharedPart(readOnly, "elsewhere");
    const hidden = join(n.shared, ".cache", "h");
    mkdirSync(hidden, { recursive: true });
    writeFileSync(join(n.shared, "notes.txt"), "");
    writeFileSync(join(n.shared, "readme"), "");
    mkdirSync(join(n.shared, "name"));
    writeFileSync(join(n.shared, "name", "file-not-part"), "");
    const r = await prune(n);
    expect(messages(r.stderr)).toBe(`WARNING Pruning shared directories at ${n.shared}\n`);
    expect(r.code).toBe(0);
    expect([existsSync(other), existsSync(hidden), existsSync(join(n.shared, "name", "file-not-part"))]).toEqual([true, true, true]);
  });

  test("a part whose folders are read-only is removed too", async () => {
    const n = node();
    const unused = sharedPart(n.shared, "read_only");
    mkdirSync(join(unused, "lib", "deep"), { recursive: true });
    writeFileSync(join(unused, "lib", "deep", "x.so"), "");
    for (const dir of [join(unused, "lib", "deep"), join(unused, "lib"), unused]) chmodSync(dir, 0o555);
    chmodSync(n.base, 0o755);
    const r = await runAsNobody(n, []);
    expect(r.stderr).toContain(`Unused shared parts at ${unused} ... removed`);
    expect(r.code).toBe(0);
    expect(existsSync(unused)).toBe(false);
  });
});

/** Run as nobody when we are root (to meet permissions and the root check), else as ourselves. */
async function runAsNobody(n: Node, args: string[]): Promise<{ code: number; stderr: string }> {
  if (process.getuid?.() === 0) {
    Bun.spawnSync(["chown", "-R", "65534:65534", n.base]);
  }
  const command = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BINARY] : [BINARY];
  const child = Bun.spawn([...command, "--log-time", "node", "prune", "--cfg", n.cfg, ...args], { stdout: "pipe", stderr: "pipe", cwd: "/" });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  return { code, stderr };
}

describe("slapos node prune: refusals and the software pidfile", () => {
  test("without shared_part_list: exit 255, nothing touched", async () => {
    const n = node("", "");
    const part = sharedPart(n.shared, "not_used");
    const r = await prune(n);
    expect(messages(r.stderr)).toBe("ERROR No shared_part_list options in slapos config\n");
    expect(r.code).toBe(255);
    expect(existsSync(part)).toBe(true);
  });

  test("while slapos node software runs (its pidfile held by a live slapos process): exit 255, nothing removed", async () => {
    const n = node();
    const part = sharedPart(n.shared, "not_used");
    const holder = Bun.spawn(["bash", "-c", "exec -a slapos-node-software sleep 60"]);
    try {
      mkdirSync(join(n.base, "run"));
      writeFileSync(n.pidfile, String(holder.pid));
      await waitForCommandLine(holder.pid, "slapos-node-software");
      const r = await prune(n);
      expect(messages(r.stderr)).toBe("ERROR Cannot prune while software is running\n");
      expect(r.code).toBe(255);
      expect(existsSync(part)).toBe(true);
      expect(readFileSync(n.pidfile, "utf8")).toBe(String(holder.pid));
      // --dry-run is not refused, but takes the pidfile as slapgrid does: another slapos is running (exit 10)
      const dry = await prune(n, ["--dry-run"]);
      expect(dry.code).toBe(10);
      expect(messages(dry.stderr)).toContain("is aleady running with pid");
      expect(readFileSync(n.pidfile, "utf8")).toBe(String(holder.pid));
    } finally {
      holder.kill();
      await holder.exited;
    }
  });

  test("[BUG] fixed: a stale software pidfile (dead process) no longer blocks prune forever; it is taken and released", async () => {
    const n = node();
    const part = sharedPart(n.shared, "not_used");
    mkdirSync(join(n.base, "run"));
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    writeFileSync(n.pidfile, String(dead.pid));
    const r = await prune(n);
    expect(messages(r.stderr)).toContain(`INFO Existing pid file ${n.pidfile} was stale, overwritten\n`);
    expect(r.code).toBe(0);
    expect(existsSync(part)).toBe(false);
    expect(existsSync(n.pidfile)).toBe(false);
  });

  test("prune holds the software pidfile for its whole run (so slapos node software cannot start): it names prune's pid, and is gone after", async () => {
    const n = node();
    // Many parts, so that the run lasts long enough for the pidfile to be seen.
    for (let i = 0; i < 1500; i++) sharedPart(n.shared, `part${i}`);
    const child = Bun.spawn([BINARY, "node", "prune", "--cfg", n.cfg, "--dry-run"], { stdout: "pipe", stderr: "pipe" });
    let seen: string | undefined;
    while (child.exitCode === null && seen === undefined) {
      try {
        seen = readFileSync(n.pidfile, "utf8");
      } catch {
        await Bun.sleep(1);
      }
    }
    expect(await child.exited).toBe(0);
    expect(seen).toBe(String(child.pid));
    expect(existsSync(n.pidfile)).toBe(false);
  });

  test("root_check on, not root: exit 5", async () => {
    const n = node();
    writeFileSync(n.cfg, readFileSync(n.cfg, "utf8").replace("root_check = false", "root_check = true"));
    const part = sharedPart(n.shared, "not_used");
    if (process.getuid?.() !== 0) {
      const r = await prune(n);
      expect(r.code).toBe(5);
      return;
    }
    chmodSync(n.base, 0o755);
    const r = await runAsNobody(n, []);
    expect(r.stderr).toContain("This slapos command must be run as root.");
    expect(r.code).toBe(5);
    expect(existsSync(part)).toBe(true);
  });

  test("a software_root that does not exist is refused (exit 1): every part would look unused", async () => {
    const n = node();
    writeFileSync(n.cfg, readFileSync(n.cfg, "utf8").replace(`software_root = ${n.software}`, `software_root = ${n.software}-typo`));
    const part = sharedPart(n.shared, "not_used");
    const r = await prune(n);
    expect(messages(r.stderr)).toBe(
      `ERROR software_root ${n.software}-typo is not a directory: refusing to prune (every shared part would look unused)\n`,
    );
    expect(r.code).toBe(1);
    expect(existsSync(part)).toBe(true);
  });

  test("-h shows the command's options", async () => {
    const r = await slapos(["node", "prune", "-h"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("usage: slapos node prune [-h] [--dry-run] [--additional-software-directory ADDITIONAL_SOFTWARE_DIRECTORY]");
  });
});

async function waitForCommandLine(pid: number, text: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text)) return;
    } catch {
      // not there yet
    }
    await Bun.sleep(2);
  }
  throw new Error(`process ${pid} never showed ${text}`);
}
