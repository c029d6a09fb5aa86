import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import { emptyFolder, parseSize, removeTree } from "../../../core/node/disk.ts";
import { checkPartitionId, inside, partitionPath, softwareHash, softwarePath } from "../../../core/node/paths.ts";
import { acquirePidfile } from "../../../core/node/pidfile.ts";
import { cleanEnvironment, runChild } from "../../../core/node/spawn.ts";
import { asctimeC } from "../../../core/node/time-format.ts";
import { tempDir } from "../../helpers/tmp.ts";

describe("paths", () => {
  test("the software folder is the md5 of the URL (reference test vector)", () => {
    expect(softwareHash("https://lab.nexedi.com/nexedi/slapos/raw/1.0.102/software/slaprunner/software.cfg")).toBe(
      "cccdc51a07e8c575c880f2d70dd4d458",
    );
  });
  test("a software URL full of .. still lands inside software_root", () => {
    const root = tempDir();
    expect(softwarePath(root, "../../etc/passwd")).toBe(join(root, softwareHash("../../etc/passwd")));
  });
  for (const bad of ["..", "../etc", "/etc", "slappart0/../../x", "a/b", "", "x".repeat(200)]) {
    test(`a partition reference ${JSON.stringify(bad.slice(0, 20))} is refused`, () => {
      expect(() => checkPartitionId(bad)).toThrow(SlapError);
    });
  }
  test("a partition folder that is a symlink out of the instance root is refused", () => {
    const root = tempDir();
    const outside = tempDir();
    symlinkSync(outside, join(root, "slappart0"));
    expect(() => partitionPath(root, "slappart0")).toThrow(/outside/);
  });
  test("inside() accepts a plain child", () => {
    const root = tempDir();
    mkdirSync(join(root, "slappart1"));
    expect(inside(root, "slappart1")).toBe(join(root, "slappart1"));
  });
});

describe("the pidfile lock", () => {
  test("is written with our pid, no newline, and removed on release", () => {
    const path = join(tempDir(), "run/slapgrid-cp.pid");
    const lock = acquirePidfile(path);
    expect(readFileSync(path, "utf8")).toBe(String(process.pid));
    lock.release();
    expect(existsSync(path)).toBe(false);
  });
  test("held by a live slapos process: already-running (exit 10)", async () => {
    const dir = tempDir();
    // a live process whose command line mentions slapos
    const holder = Bun.spawn(["bash", "-c", "exec -a slapos-node-holder sleep 30"]);
    try {
      const path = join(dir, "held.pid");
      writeFileSync(path, String(holder.pid));
      await Bun.sleep(50);
      let error: unknown;
      try {
        acquirePidfile(path);
      } catch (e) {
        error = e;
      }
      expect((error as SlapError).code).toBe("already-running");
      expect((error as SlapError).message).toContain(`another slapos process is aleady running with pid ${holder.pid}`);
    } finally {
      holder.kill();
    }
  });
  test("a stale pidfile (dead pid) is taken over", () => {
    const path = join(tempDir(), "stale.pid");
    writeFileSync(path, "999999");
    acquirePidfile(path).release();
  });
});

describe("spawning children as the reference does", () => {
  test("the clean environment drops locale and Python variables and sets HOME", () => {
    const env = cleanEnvironment("/srv/p", { PATH: "/bin", LANG: "C", PYTHONPATH: "/x", KEEP: "1" });
    expect(env).toEqual({ PATH: "/bin", KEEP: "1", HOME: "/srv/p", PYTHONNOUSERSITE: "true" });
  });
  test("stderr is merged into stdout in order, stdin is at EOF", async () => {
    const lines: string[] = [];
    const result = await runChild(["sh", "-c", "echo one; echo two >&2; cat; echo three"], {
      cwd: tempDir(),
      env: { PATH: process.env.PATH! },
      onLine: (line) => lines.push(line),
    });
    expect(result.code).toBe(0);
    expect(result.output).toBe("one\ntwo\nthree\n");
    expect(lines).toEqual(["one", "two", "three"]);
  });
  test("a timeout kills the whole process group, grandchildren included", async () => {
    const dir = tempDir();
    const result = await runChild(["sh", "-c", `sleep 30 & echo $! > ${dir}/grandchild; wait`], {
      cwd: dir,
      env: { PATH: process.env.PATH! },
      timeout: 0.5,
    });
    expect(result.timedOut).toBe(true);
    const pid = Number(readFileSync(join(dir, "grandchild"), "utf8"));
    await Bun.sleep(100);
    expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")).toBe(false);
  });
  test("umask applies to the child", async () => {
    const dir = tempDir();
    await runChild(["sh", "-c", "touch made"], { cwd: dir, env: { PATH: process.env.PATH! }, umask: 0o027 });
    expect(statSync(join(dir, "made")).mode & 0o777).toBe(0o640);
  });
});

describe("disk helpers", () => {
  test("sizes in the reference's unit (1000M = 1000·2^20 bytes)", () => {
    expect(parseSize("1000M", "x")).toBe(1000 * 2 ** 20);
    expect(() => parseSize("lots", "software_min_free_space")).toThrow("software_min_free_space is not a size");
  });
  test("removeTree removes folders whose modes forbid it", () => {
    const dir = join(tempDir(), "sr");
    mkdirSync(join(dir, "locked/deep"), { recursive: true });
    writeFileSync(join(dir, "locked/deep/f"), "x");
    chmodSync(join(dir, "locked/deep"), 0o000);
    chmodSync(join(dir, "locked"), 0o000);
    removeTree(dir);
    expect(existsSync(dir)).toBe(false);
  });
  test("emptyFolder keeps the folder and removes read-only content", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "ro"));
    writeFileSync(join(dir, "ro/f"), "x");
    writeFileSync(join(dir, ".slapos-resource"), "{}");
    chmodSync(join(dir, "ro"), 0o500);
    emptyFolder(dir);
    expect(existsSync(dir)).toBe(true);
    expect(existsSync(join(dir, "ro"))).toBe(false);
    expect(existsSync(join(dir, ".slapos-resource"))).toBe(false);
  });
});

describe("time formats", () => {
  test(".completed holds C asctime with a space-padded day", () => {
    expect(asctimeC(new Date(2026, 10, 3, 23, 12, 0))).toBe("Tue Nov  3 23:12:00 2026");
  });
});
