/**
 * `slapos node software` (node-runtime.md §2; §8.28, §8.34–8.37,
 * §8.56–8.58, §8.67–8.68, test_slapgrid.py TestSlapgridSoftwareRelease,
 * test_object.py, test_standalone.py): what is built, reported, kept,
 * removed, and what the software buildout gets.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NodeRun } from "../../../core/node/context.ts";
import { buildoutParameters } from "../../../core/node/software/install.ts";
import { softwareHash } from "../../../core/node/paths.ts";
import { Node, scratchDir, stopNodes, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-sw-");
chmodSync(releases, 0o755);

const counting = writeRelease(releases, "counting", {
  parts: {
    counter: "recipe = plone.recipe.command\ncommand = echo install >> ${buildout:directory}/runs\nupdate-command = echo update >> ${buildout:directory}/runs",
  },
});

describe("§8.67 building, completing, destroying", () => {
  test("§8.67 test_install_software: .completed prevents a rebuild, --force reruns buildout (the update command runs), a destroyed supply removes the folder", async () => {
    const node = await Node.create({ partitions: 0 });
    await node.supply(counting);
    const first = await node.node("software");
    expect(first.code).toBe(0);
    expect(Node.paths(first.calls)).toEqual(["getFullComputerInformation", "buildingSoftwareRelease", "availableSoftwareRelease"]);
    expect(first.calls[2].fields).toEqual({ url: counting, computer_id: node.computerId });
    const path = node.softwarePath(counting);
    expect(readFileSync(join(path, ".completed"), "utf8")).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect(Node.paths((await node.node("software")).calls)).toEqual(["getFullComputerInformation"]);
    expect(readFileSync(join(path, "runs"), "utf8")).toBe("install\n");
    expect((await node.node("software", "--force")).code).toBe(0);
    expect(readFileSync(join(path, "runs"), "utf8")).toBe("install\nupdate\n");
    await node.supply(counting, "destroyed");
    const destroy = await node.node("software");
    expect(destroy.code).toBe(0);
    expect(Node.paths(destroy.calls)).toEqual(["getFullComputerInformation", "destroyedSoftwareRelease"]);
    expect(existsSync(path)).toBe(false);
  });

  test("§2.1 --only-sr alone does not rebuild a completed release; with --force it does, only that one", async () => {
    const node = await Node.create({ partitions: 0 });
    const other = writeRelease(releases, "other", { parts: { p: "recipe = plone.recipe.command\ncommand = true" } });
    await node.supply(counting);
    await node.supply(other);
    expect((await node.node("software")).code).toBe(0);
    expect(Node.paths((await node.node("software", "--only-sr", softwareHash(counting))).calls)).toEqual(["getFullComputerInformation"]);
    const forced = await node.node("software", "--only-sr", counting, "--force");
    expect(forced.calls.filter((c) => c.path === "availableSoftwareRelease").map((c) => c.fields.url)).toEqual([counting]);
  });

  test("§8.35 test_remove_software_chmod: a destroyed release is removed even with 0000 permissions inside", async () => {
    const node = await Node.create({ partitions: 0 });
    const hard = writeRelease(releases, "hard", {
      parts: { p: "recipe = plone.recipe.command\ncommand = mkdir -p a/b && touch a/b/c && chmod 000 a/b/c a/b a" },
    });
    await node.supply(hard);
    expect((await node.node("software")).code).toBe(0);
    expect(statSync(join(node.softwarePath(hard), "a")).mode & 0o777).toBe(0);
    await node.supply(hard, "destroyed");
    expect((await node.node("software")).code).toBe(0);
    expect(readdirSync(node.soft)).toEqual([]);
  });

  test("§8.36 test_garbage_collect_software: only hash-named folders with a buildout.cfg that no available release keeps are removed", async () => {
    const node = await Node.create({ partitions: 0 });
    await node.supply(counting);
    expect((await node.node("software")).code).toBe(0);
    const old = join(node.soft, "00000000000000000000000000000123");
    mkdirSync(old);
    writeFileSync(join(old, "buildout.cfg"), "buildout configuration for old software");
    mkdirSync(join(node.soft, "not_a_software"));
    mkdirSync(join(node.soft, "0000000000000000000000000000beef"));
    expect((await node.node("software")).code).toBe(0);
    expect(readdirSync(node.soft).length).toBe(4);
    expect((await node.node("software", "--garbage-collect")).code).toBe(0);
    expect(readdirSync(node.soft).sort()).toEqual(["0000000000000000000000000000beef", softwareHash(counting), "not_a_software"].sort());
  });
});

describe("§8.28, §8.68 a failing software release", () => {
  const long = "x".repeat(10_000);
  const failing = writeRelease(releases, "failing", {
    parts: { fail: `recipe = plone.recipe.command\ncommand = echo fake software error; echo ${long}; exit 1\nstop-on-error = true` },
  });

  test("§8.28 test_one_software_buildout_fail_is_correctly_logged; §8.68 test_install_software_failure: exit 1, softwareReleaseError with the whole output, long lines kept; no .completed", async () => {
    const node = await Node.create({ partitions: 0 });
    await node.supply(failing);
    await node.supply(counting);
    const run = await node.node("software");
    expect(run.code).toBe(1);
    const error = run.calls.find((c) => c.path === "softwareReleaseError")!;
    expect(error.fields.url).toBe(failing);
    expect(error.fields.error_log).toStartWith(`Failed to run buildout profile in directory '${node.softwarePath(failing)}':\n`);
    expect(error.fields.error_log).toContain("fake software error");
    expect(error.fields.error_log).toContain(long);
    expect(existsSync(join(node.softwarePath(failing), ".completed"))).toBe(false);
    // the other release is still built
    expect(run.calls.filter((c) => c.path === "availableSoftwareRelease").map((c) => c.fields.url)).toEqual([counting]);
  });
});

describe("§8.34, §8.56–8.58 the generated profile and buildout's arguments", () => {
  test("§8.34 test_software_install_generate_buildout_cfg_with_shared_part_list / …build_time_part_list: ConfigParser's layout", async () => {
    const node = await Node.create({ partitions: 0, slapos: "shared_part_list =\n  /opt/read_only\n  /opt/shared\nbuild_time_part_list = /opt/build\n" });
    await node.supply(counting);
    expect((await node.node("software")).code).toBe(0);
    expect(readFileSync(join(node.softwarePath(counting), "buildout.cfg"), "utf8")).toBe(
      `[buildout]\nextends = ${counting}\nshared-part-list = \n\t/opt/read_only\n\t/opt/shared\nbuild-time-part-list = /opt/build\n\n`,
    );
  });

  test("§8.56 test_software_install_with_networkcache / …without_networkcache: the networkcache:* parameters", () => {
    const run = (raw: Record<string, string>) => ({ options: { raw } }) as unknown as NodeRun;
    const job = { url: "u", hash: "h", path: "/sr/h", requestedState: "available" as const };
    expect(buildoutParameters(run({}), job, false)).toEqual(["buildout:extends-cache=/sr/h/extends-cache", "buildout:directory=/sr/h", "-N", "-c", "/sr/h/buildout.cfg"]);
    const all = {
      "signature-private-key-file": "/k",
      "upload-cache-url": "http://c",
      "upload-dir-url": "http://d",
      "shacache-ca-file": "/a",
      "shacache-cert-file": "/b",
      "shacache-key-file": "/c",
      "shadir-ca-file": "/d",
      "shadir-cert-file": "/e",
      "shadir-key-file": "/f",
      "download-cache-url": "http://not-forwarded",
    };
    expect(buildoutParameters(run(all), job, true)).toEqual([
      "buildout:extends-cache=/sr/h/extends-cache",
      "buildout:directory=/sr/h",
      "buildout:networkcache-section=networkcache",
      "networkcache:signature-private-key-file=/k",
      "networkcache:upload-cache-url=http://c",
      "networkcache:upload-dir-url=http://d",
      "networkcache:shacache-ca-file=/a",
      "networkcache:shacache-cert-file=/b",
      "networkcache:shacache-key-file=/c",
      "networkcache:shadir-ca-file=/d",
      "networkcache:shadir-cert-file=/e",
      "networkcache:shadir-key-file=/f",
      "-c",
      "/sr/h/buildout.cfg",
    ]);
  });

  test("§8.56 the networkcache options reach the software buildout", async () => {
    const node = await Node.create({ partitions: 0, extra: "[networkcache]\nupload-cache-url = http://127.0.0.1:9/shacache\nupload-dir-url = http://127.0.0.1:9/shadir\n" });
    const echo = writeRelease(releases, "networkcache", {
      parts: { p: "recipe = plone.recipe.command\ncommand = echo ${buildout:networkcache-section} ${networkcache:upload-cache-url} ${networkcache:upload-dir-url} > seen" },
    });
    await node.supply(echo);
    expect((await node.node("software")).code).toBe(0);
    expect(readFileSync(join(node.softwarePath(echo), "seen"), "utf8")).toBe("networkcache http://127.0.0.1:9/shacache http://127.0.0.1:9/shadir\n");
  });

  test("§8.58 test_software_install_note_git_revision: a local profile in git gets a 'git revision' note, once", async () => {
    const node = await Node.create({ partitions: 0 });
    const repository = join(releases, "in-git");
    const url = writeRelease(releases, "in-git", { parts: { p: "recipe = plone.recipe.command\ncommand = true" } });
    const git = (...args: string[]) => Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repository });
    git("init", "-q", "-b", "master");
    git("add", ".");
    git("commit", "-q", "-m", "release");
    await node.supply(url);
    expect((await node.node("software")).code).toBe(0);
    const profile = join(node.softwarePath(url), "buildout.cfg");
    const note = readFileSync(profile, "utf8").split("\n").filter(Boolean).pop()!;
    expect(note).toMatch(/^# \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} git revision: heads\/master-0-g[0-9a-f]+$/);
    expect((await node.node("software", "--force")).code).toBe(0);
    expect(readFileSync(profile, "utf8").split("git revision").length).toBe(2);
  });
});

describe("§8.37 the software buildout runs as the software root's owner", () => {
  const user = `sgt${process.pid % 100000}`;
  let uid = -1;
  afterAll(() => {
    if (uid >= 0) Bun.spawnSync(["userdel", user]);
  });

  test("§8.37 test_build_software_with_netrc: the owner's ~/.netrc is copied (0600), removed when the home one goes; buildout's HOME is the software folder", async () => {
    const node = await Node.create({ partitions: 0 });
    const home = join(node.dir, "home");
    mkdirSync(home);
    expect(Bun.spawnSync(["useradd", "-M", "-d", home, "-s", "/bin/sh", user]).exitCode).toBe(0);
    uid = Number(Bun.spawnSync(["id", "-u", user]).stdout.toString());
    const gid = Number(Bun.spawnSync(["id", "-g", user]).stdout.toString());
    chmodSync(node.dir, 0o755);
    chownSync(node.soft, uid, gid);
    writeFileSync(join(home, ".netrc"), "machine localhost login foo password bar");
    const url = writeRelease(releases, "netrc", {
      parts: { p: 'recipe = plone.recipe.command\ncommand = echo "$HOME $(id -u)" > whoami' },
    });
    await node.supply(url);
    expect((await node.node("software")).code).toBe(0);
    const path = node.softwarePath(url);
    expect(readFileSync(join(path, ".netrc"), "utf8")).toBe("machine localhost login foo password bar");
    expect(statSync(join(path, ".netrc")).mode & 0o777).toBe(0o600);
    expect(statSync(path).uid).toBe(uid);
    expect(readFileSync(join(path, "whoami"), "utf8")).toBe(`${path} ${uid}\n`);
    rmSync(join(home, ".netrc"));
    rmSync(join(path, ".completed"));
    expect((await node.node("software")).code).toBe(0);
    expect(existsSync(join(path, ".netrc"))).toBe(false);
  });
});
