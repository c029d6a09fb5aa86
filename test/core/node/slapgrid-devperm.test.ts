/**
 * The built-in `devperm` manager (node-runtime.md §3.12, §8.48,
 * test_slapgrid.py TestSlapgridWithDevPerm*): real block devices made by the
 * test — a loop device over a scratch file with two MBR partitions — and a
 * partition owned by a user the test creates. lsblk lists the loop device as
 * type `loop` (refused, as the reference does) and its partitions as `part`
 * (allowed). Nothing of the machine's own disks is touched; devices are
 * given back to root and detached at the end.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { atRunEnd } from "../../helpers/cleanup.ts";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pythonRealpath } from "../../../core/node/managers/python-realpath.ts";
import { Node, scratchDir, stopNodes, instanceProfile, writeRelease } from "./harness.ts";

const user = `sdp${process.pid % 100000}`;
const diskGid = Number(readFileSync("/etc/group", "utf8").split("\n").find((l) => l.startsWith("disk:"))!.split(":")[2]);
const devNull = statSync("/dev/null");

let loop = "";
let p1 = "";
let p2 = "";
let uid = -1;
let node: Node;
let dir = "";
/** A regular file, allowed but no block device. */
let plain = "";

function run(command: string[]): string {
  const result = Bun.spawnSync(command, { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`${command.join(" ")}: ${result.stderr.toString().trim()}`);
  return result.stdout.toString().trim();
}

/** An 8 MiB image with an MBR: partition 1 (sectors 2048..10239) and partition 2 (10240..16383). */
function diskImage(path: string): void {
  const image = Buffer.alloc(8 * 1024 * 1024);
  const entry = (slot: number, start: number, count: number) => {
    const at = 446 + slot * 16;
    image[at + 4] = 0x83;
    image.writeUInt32LE(start, at + 8);
    image.writeUInt32LE(count, at + 12);
  };
  entry(0, 2048, 8192);
  entry(1, 10240, 6144);
  image[510] = 0x55;
  image[511] = 0xaa;
  writeFileSync(path, image);
}

function detach(): void {
  if (!loop) return;
  for (const device of [p1, p2, loop]) if (existsSync(device)) chownSync(device, 0, 0);
  Bun.spawnSync(["losetup", "--detach", loop]);
  loop = "";
}

function removeUser(): void {
  if (uid >= 0) Bun.spawnSync(["userdel", user]);
  uid = -1;
}

/** Whatever happens to /dev/null if the manager went wrong, it is given back. */
function restoreDevNull(): void {
  const now = statSync("/dev/null");
  if (now.uid !== devNull.uid || now.gid !== devNull.gid) chownSync("/dev/null", devNull.uid, devNull.gid);
}

atRunEnd(() => {
  detach();
  removeUser();
  restoreDevNull();
});

/** The `[manager:devperm]` section of the node's slapos.cfg: absent (undefined), or its allowed-disk-for-vm lines. */
function configure(allowed: string[] | undefined): void {
  const text = readFileSync(node.cfg, "utf8").split("\n[manager:devperm]\n")[0];
  const section = allowed === undefined ? "" : `\n[manager:devperm]\nallowed-disk-for-vm =${allowed.map((line) => `\n  ${line}`).join("")}\n`;
  writeFileSync(node.cfg, text.replace(/\n*$/, "\n") + section);
}

/**
 * Write the partition's request (text as is; undefined: none), give the
 * devices back to root (p1 to `p1Owner`:root), run `node instance`
 * (`--force`: the buildout runs again).
 */
async function instanceRun(request: string | undefined, options: { force?: boolean; p1Owner?: number } = {}) {
  const file = join(node.partition(0), ".slapos-disk-permission");
  if (request === undefined) rmSync(file, { force: true });
  else writeFileSync(file, request);
  for (const device of [loop, p2]) chownSync(device, 0, 0);
  chownSync(p1, options.p1Owner ?? 0, 0);
  const result = await node.node("instance", ...(options.force ? ["--force"] : []));
  expect(result.code).toBe(0);
  return result.stderr;
}

const owner = (path: string) => `${statSync(path).uid}:${statSync(path).gid}`;
const disks = (...paths: string[]) => JSON.stringify(paths.map((disk) => ({ disk })));

/**
 * The loop device and its two partitions, made before the tests are declared:
 * a machine that cannot make them (no loop driver, a /dev without devtmpfs)
 * skips this file and says why, instead of failing on something it lacks.
 */
function makeDevices(): string | undefined {
  try {
    dir = scratchDir("slapgrid-devperm-");
    chmodSync(dir, 0o755);
    const image = join(dir, "disk.img");
    diskImage(image);
    loop = run(["losetup", "--find", "--show", image]);
    p1 = `${loop}p1`;
    p2 = `${loop}p2`;
    // --partscan is not honoured everywhere (this kernel ignores it for a fresh device): partx adds them
    if (!existsSync(p1)) run(["partx", "--add", loop]);
    if (!existsSync(p1) || !existsSync(p2)) throw new Error(`${p1} and ${p2} did not appear`);
    return undefined;
  } catch (error) {
    detach();
    return (error as Error).message;
  }
}
const noDevices = makeDevices();
if (noDevices) console.warn(`slapgrid-devperm: skipped, no loop device with partitions here: ${noDevices}`);

beforeAll(async () => {
  if (noDevices) return;
  plain = join(dir, "plain-file");
  writeFileSync(plain, "not a disk");

  run(["useradd", "-M", "-d", "/nonexistent", "-s", "/bin/sh", user]);
  uid = Number(run(["id", "-u", user]));
  const gid = Number(run(["id", "-g", user]));

  node = await Node.create({ slapos: "manager_list = devperm\n" });
  chmodSync(node.dir, 0o755);
  configure([p1, loop, "/dev/null", realpathSync(plain)]);
  // the instance buildout notes who owns p1 while it runs, and copies a request it was given
  const url = writeRelease(dir, "vm", {
    instance: instanceProfile({
      note: `recipe = plone.recipe.command
command = stat -c %u:%g ${p1} > \${buildout:directory}/owner-at-buildout; if [ -f \${buildout:directory}/request.json ]; then cp \${buildout:directory}/request.json \${buildout:directory}/.slapos-disk-permission; fi
update-command = \${:command}
stop-on-error = true`,
    }),
  });
  await node.deploy(url, "vm", "stopped");
  run(["chown", "-R", `${uid}:${gid}`, node.partition(0)]);
}, 120_000);

afterAll(async () => {
  await stopNodes();
  detach();
  removeUser();
  restoreDevNull();
}, 60_000);

describe.skipIf(Boolean(noDevices))("§8.48 TestSlapgridWithDevPerm*", () => {
  test("§8.48 test: an allowed partition listed by lsblk is chowned to the partition user and group disk, at instance (before the buildout runs)", async () => {
    const stderr = await instanceRun(disks(p1), { force: true });
    expect(owner(p1)).toBe(`${uid}:${diskGid}`);
    expect(readFileSync(join(node.partition(0), "owner-at-buildout"), "utf8").trim()).toBe(`${uid}:${diskGid}`);
    // instanceTearDown finds it already owned: one transfer per run
    expect(stderr.split(`WARNING Transfer ownership of ${p1} to ${user}\n`).length).toBe(2);
  });

  test("§8.48 instanceTearDown: a request the instance buildout wrote is honoured at the end of the same run", async () => {
    writeFileSync(join(node.partition(0), "request.json"), disks(p1));
    try {
      await instanceRun(undefined, { force: true });
      expect(readFileSync(join(node.partition(0), "owner-at-buildout"), "utf8").trim()).toBe("0:0");
      expect(owner(p1)).toBe(`${uid}:${diskGid}`);
    } finally {
      rmSync(join(node.partition(0), "request.json"), { force: true });
    }
  });

  test("§8.48 TestSlapgridWithDevPermManagerDevPermDisallowLsblk: a disk not in allowed-disk-for-vm is not chowned", async () => {
    const stderr = await instanceRun(disks(p2));
    expect(owner(p2)).toBe("0:0");
    expect(stderr).toContain(`WARNING Disk ${p2} not in allowed disk list ${p1}, ${loop}, /dev/null, ${realpathSync(plain)}\n`);
  });

  test("§8.48 test_not_existing: allowed paths that are no disk or partition of lsblk (a regular file, /dev/null, the loop device itself, a missing one) are not chowned", async () => {
    configure([p1, loop, "/dev/null", realpathSync(plain), "/dev/devperm-none"]);
    try {
      const stderr = await instanceRun(disks(realpathSync(plain), "/dev/null", loop, "/dev/devperm-none"));
      expect(owner(realpathSync(plain))).toBe("0:0");
      expect(owner("/dev/null")).toBe(`${devNull.uid}:${devNull.gid}`);
      expect(owner(loop)).toBe("0:0");
      for (const path of [realpathSync(plain), "/dev/null", loop, "/dev/devperm-none"]) {
        expect(stderr).toMatch(new RegExp(`WARNING Disk '${path}' is not detected by lsblk list \\[.*'${p1}', '${p2}'.*\\]\\n`));
      }
    } finally {
      configure([p1, loop, "/dev/null", realpathSync(plain)]);
    }
  });

  test("§8.48 test_link: a symlink to a partition is resolved (realpath) and the partition chowned", async () => {
    const link = join(dir, "some_link");
    if (!existsSync(link)) symlinkSync(p1, link);
    const stderr = await instanceRun(disks(link));
    expect(owner(p1)).toBe(`${uid}:${diskGid}`);
    expect(stderr).toContain(`WARNING Transfer ownership of ${p1} to ${user}\n`);
  });

  test("§8.48 test_bad_link: a dangling symlink resolves to a missing path, refused by the lsblk check", async () => {
    const link = join(dir, "bad_link");
    if (!existsSync(link)) symlinkSync("/dev/devperm-non", link);
    configure([p1, "/dev/devperm-non"]);
    try {
      const stderr = await instanceRun(disks(link));
      expect(stderr).toContain("WARNING Disk '/dev/devperm-non' is not detected by lsblk list");
      expect(owner(p1)).toBe("0:0");
    } finally {
      configure([p1, loop, "/dev/null", realpathSync(plain)]);
    }
  });

  test("§8.48 a device the partition user already owns is left untouched (its group too)", async () => {
    const stderr = await instanceRun(disks(p1), { p1Owner: uid });
    expect(owner(p1)).toBe(`${uid}:0`);
    expect(stderr).not.toContain("Transfer ownership");
  });

  test("§8.48 bad JSON: a warning naming the file, nothing chowned, the run goes on", async () => {
    const stderr = await instanceRun(`[{"disk": "${p1}"`);
    expect(owner(p1)).toBe("0:0");
    expect(stderr).toContain(`WARNING Bad disk configuration file: ${join(node.partition(0), ".slapos-disk-permission")}: `);
    const notList = await instanceRun(JSON.stringify({ disk: p1 }));
    expect(owner(p1)).toBe("0:0");
    expect(notList).toContain(`WARNING Bad disk configuration file: ${join(node.partition(0), ".slapos-disk-permission")}: not a JSON list\n`);
  });

  test("§8.48 entries without a disk are warned with the whole list (reference message) and skipped; the others still apply", async () => {
    const stderr = await instanceRun(JSON.stringify([{ disk: null }, { other: 1 }, { disk: p1 }]));
    expect(stderr).toContain(`WARNING Disk is None: [{'disk': None}, {'other': 1}, {'disk': '${p1}'}] \n`);
    expect(owner(p1)).toBe(`${uid}:${diskGid}`);
  });

  test("§8.48 TestSlapgridWithDevPermLsblk / ManagerDevPermEmptyLsblk: without allowed-disk-for-vm, any lsblk disk or partition is chowned", async () => {
    configure(undefined);
    try {
      await instanceRun(disks(p2));
      expect(owner(p2)).toBe(`${uid}:${diskGid}`);
      await instanceRun(disks(loop));
      expect(owner(loop)).toBe("0:0");
    } finally {
      configure([p1, loop, "/dev/null", realpathSync(plain)]);
    }
  });

  test("§8.48 TestSlapgridWithDevPermManagerDevPermListEmptyLsblk: an empty allowed-disk-for-vm allows nothing", async () => {
    configure([]);
    try {
      const stderr = await instanceRun(disks(p1));
      expect(owner(p1)).toBe("0:0");
      expect(stderr).toContain(`WARNING Disk ${p1} not in allowed disk list \n`);
    } finally {
      configure([p1, loop, "/dev/null", realpathSync(plain)]);
    }
  });
});

describe("os.path.realpath, as the reference resolves disk paths", () => {
  test("pythonRealpath gives Python's answer for links, dangling links, loops, '..' and relative paths", () => {
    const maze = join(dir, "maze");
    mkdirSync(join(maze, "a", "b"), { recursive: true });
    const links: Array<[string, string]> = [
      ["to-b", "a/b"],
      ["dangling", "missing/x"],
      ["loop1", "loop2"],
      ["loop2", "loop1"],
      ["up", "a/b/../.."],
      ["abs", join(maze, "a")],
      ["chain", "to-b/../../abs"],
    ];
    for (const [name, target] of links) if (!existsSync(join(maze, name))) symlinkSync(target, join(maze, name));
    const cases = ["to-b", "to-b/..", "dangling", "dangling/../y", "loop1", "loop1/z", "up/a", "abs", "chain", "a/./b//", "../maze/to-b", "nothing/.."];
    const script = "import os, sys, json\nos.chdir(sys.argv[1])\nprint(json.dumps([os.path.realpath(p) for p in json.loads(sys.argv[2])]))";
    const expected = JSON.parse(run(["python3", "-c", script, maze, JSON.stringify(cases)])) as string[];
    const here = process.cwd();
    process.chdir(maze);
    try {
      expect(cases.map(pythonRealpath)).toEqual(expected);
    } finally {
      process.chdir(here);
    }
  });
});
