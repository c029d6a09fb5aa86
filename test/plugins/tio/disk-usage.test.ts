/**
 * Partition disk usage, measured natively (format-collect-cli.md §2.2 step
 * 5; acceptance checks 30–32): the same figure as `du -s`, the time cycle,
 * the pid-file guard, the 1 MiB floor, DATA/ links.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { folderSizeKiB, guardedFolderSize, measureInProgress } from "../../../plugins/tio/sample/disk-usage.ts";
import { takeSample } from "../../../plugins/tio/sample/take-sample.ts";
import { CollectorDb } from "../../../plugins/tio/store/database.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { sampleAt } from "./fixtures.ts";
import { log, makeNode, startProcess, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

function du(path: string): number {
  const out = Bun.spawnSync(["du", "-s", path]).stdout.toString();
  return Number(out.trim().split(/\s+/)[0]);
}

function tree(): string {
  const root = tempDir();
  for (let i = 0; i < 10; i++) {
    mkdirSync(join(root, `folder${i}`, "deeper"), { recursive: true });
    writeFileSync(join(root, `folder${i}`, "toto"), "toto text");
    writeFileSync(join(root, `folder${i}`, "deeper", "big"), Buffer.alloc(5000 * (i + 1), 1));
  }
  linkSync(join(root, "folder9", "deeper", "big"), join(root, "hardlink-to-big"));
  symlinkSync("/usr", join(root, "link-to-usr"));
  const sparse = Bun.spawnSync(["truncate", "-s", "100M", join(root, "sparse")]);
  if (sparse.exitCode !== 0) throw new Error("truncate failed");
  return root;
}

describe("the native walk", () => {
  test("an empty folder measures what du says (its own block)", () => {
    const root = tempDir();
    expect(folderSizeKiB(root)).toBe(du(root));
  });
  test("a tree with hard links, a symlink and a sparse file: exactly du -s (test_folder_size_snapshot)", () => {
    const root = tree();
    const size = folderSizeKiB(root);
    expect(size).toBeGreaterThan(0);
    expect(size).toBe(du(root));
  });
  test("DATA/ entries that are links to folders are added; other links are not followed", () => {
    const partition = tempDir();
    const storage = tree();
    mkdirSync(join(partition, "DATA"));
    symlinkSync(storage, join(partition, "DATA", "data1"));
    symlinkSync("/nonexistent", join(partition, "DATA", "dangling"));
    expect(folderSizeKiB(partition)).toBe(du(partition) + du(`${storage}/`));
  });
});

describe("the pid-file guard (test_process_in_progress_disk_usage)", () => {
  test("a live pid in the guard file means no measure", async () => {
    const folder = tempDir();
    const pidFile = join(folder, "sleep.pid");
    const sleeper = startProcess("exec sleep 300", folder);
    writeFileSync(pidFile, String(sleeper.pid));
    expect(measureInProgress(pidFile)).toBe(sleeper.pid);
    expect(guardedFolderSize(folder, pidFile)).toBeUndefined();
    sleeper.kill("SIGKILL");
  });
  test("a dead pid does not block; the guard file is gone after the measure", async () => {
    const folder = tempDir();
    const pidFile = join(tempDir(), "run", "user_disk_size.pid");
    const dead = Bun.spawn(["true"]);
    await dead.exited;
    mkdirSync(join(pidFile, ".."));
    writeFileSync(pidFile, String(dead.pid));
    expect(guardedFolderSize(folder, pidFile)).toBe(du(folder));
    expect(existsSync(pidFile)).toBe(false);
  });
});

describe("in a sample: time cycle and the 1 MiB floor (test_time_cycle)", () => {
  async function folders(node: ReturnType<typeof makeNode>, seed?: (db: CollectorDb) => void) {
    const dataLog = join(node.instanceRoot, "var", "data-log");
    mkdirSync(dataLog, { recursive: true });
    const db = new CollectorDb(dataLog, { create: true });
    seed?.(db);
    try {
      return (await takeSample({ config: node.config(), db, log, statePath: join(dataLog, ".cpu-state.json") })).sample.folders;
    } finally {
      db.close();
    }
  }
  const utc = (msAgo: number) => {
    const iso = new Date(Date.now() - msAgo).toISOString();
    return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
  };
  function bigPartition(extra = "disk_snapshot_time_cycle = 3600") {
    const node = makeNode({ partitions: 1, extra });
    writeFileSync(join(node.partitions[0], "data"), Buffer.alloc(3 * 1024 * 1024, 7));
    return node;
  }

  test("a partition measured 3 h ago with a 3600 s cycle is measured again", async () => {
    const node = bigPartition();
    const { date, time } = utc(3 * 3600_000);
    const rows = await folders(node, (db) => db.insertSample(sampleAt(date, time, { processes: [], folders: [{ partition: node.userNames[0], disk_used: 1.0 }] })));
    expect(rows).toEqual([{ partition: node.userNames[0], disk_used: du(node.partitions[0]) }]);
  });
  test("a partition measured 10 min ago is not", async () => {
    const node = bigPartition();
    const { date, time } = utc(600_000);
    const rows = await folders(node, (db) => db.insertSample(sampleAt(date, time, { processes: [], folders: [{ partition: node.userNames[0], disk_used: 1.0 }] })));
    expect(rows).toEqual([]);
  });
  test("a partition of 1 MiB or less is not recorded", async () => {
    const node = makeNode({ partitions: 1 });
    writeFileSync(join(node.partitions[0], "small"), "x");
    expect(await folders(node)).toEqual([]);
  });
  test("report_disk_usage = false measures nothing", async () => {
    const node = bigPartition("report_disk_usage = false");
    expect(await folders(node)).toEqual([]);
  });
  test("[BUG] fixed: the example file's spellings (enable, time_cycle, pid_folder) are honoured", async () => {
    const node = bigPartition("enable = false");
    expect(await folders(node)).toEqual([]);
    const cycled = bigPartition(`time_cycle = 3600\npid_folder = ${tempDir()}`);
    expect(cycled.config().diskUsage.timeCycle).toBe(3600);
    const { date, time } = utc(600_000);
    const rows = await folders(cycled, (db) => db.insertSample(sampleAt(date, time, { processes: [], folders: [{ partition: cycled.userNames[0], disk_used: 1.0 }] })));
    expect(rows).toEqual([]);
  });
  test("the guard file lives in disk_snapshot_process_pid_foder, named <user>_disk_size.pid", async () => {
    const pidFolder = tempDir();
    const node = bigPartition(`disk_snapshot_process_pid_foder = ${pidFolder}`);
    const config = node.config();
    const sleeper = startProcess("exec sleep 300", pidFolder);
    writeFileSync(join(pidFolder, `${node.userNames[0]}_disk_size.pid`), String(sleeper.pid));
    expect(config.diskUsage.pidFolder).toBe(pidFolder);
    expect(await folders(node)).toEqual([]);
    expect(readFileSync(join(pidFolder, `${node.userNames[0]}_disk_size.pid`), "utf8")).toBe(String(sleeper.pid));
    sleeper.kill("SIGKILL");
  });
});
