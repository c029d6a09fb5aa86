/**
 * A sample read from the real /proc: processes the test starts (a busy
 * loop and a sleeping process) in partitions, accounted by their user's
 * uid (root node) or by their partition folder (non-root node).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readProcess } from "../../../plugins/tio/proc/process.ts";
import { Attribution } from "../../../plugins/tio/sample/attribution.ts";
import { scanProcesses, takeSample } from "../../../plugins/tio/sample/take-sample.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { CollectorDb } from "../../../plugins/tio/store/database.ts";
import { isRoot, log, makeNode, makeUser, startProcess, until, type TestNode, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

async function sample(node: TestNode) {
  const dataLog = join(node.instanceRoot, "var", "data-log");
  mkdirSync(dataLog, { recursive: true });
  const db = new CollectorDb(dataLog, { create: true });
  try {
    return await takeSample({ config: node.config(), db, log, statePath: join(dataLog, ".cpu-state.json") });
  } finally {
    db.close();
  }
}

describe.skipIf(!isRoot)("a root node: processes are accounted by their partition user", () => {
  const node = makeNode({ partitions: 2, withUsers: true });
  const busy = startProcess("while :; do :; done", node.partitions[0], node.ids[0]);
  const sleeper = startProcess("exec sleep 300", node.partitions[1], node.ids[1]);
  const ready = until(() => readProcess(busy.pid!)?.uid === node.ids[0]!.uid && readProcess(sleeper.pid!)?.uid === node.ids[1]!.uid, "the test processes");

  test("the busy loop is slapuser0's and uses most of one CPU", async () => {
    await ready;
    const { sample: s } = await sample(node);
    const row = s.processes.find((p) => p.pid === busy.pid);
    expect(row?.partition).toBe(node.userNames[0]);
    expect(row!.cpu_percent).toBeGreaterThan(20);
    expect(row!.cpu_time).toBeGreaterThan(0);
  });

  test("the sleeping process is slapuser1's, idle, with its memory and threads", async () => {
    await ready;
    const { sample: s } = await sample(node);
    const row = s.processes.find((p) => p.pid === sleeper.pid)!;
    expect(row.partition).toBe(node.userNames[1]);
    expect(row.cpu_percent).toBe(0);
    expect(row.memory_rss).toBeGreaterThan(0);
    expect(row.memory_percent).toBeGreaterThan(0);
    expect(row.cpu_num_threads).toBe(1);
    expect(row.process).toMatch(new RegExp(`^${sleeper.pid}-\\d+\\.?\\d*$`));
  });

  test("a non-dumpable process of the partition user (its /proc folder is root's) is still the partition's", async () => {
    // A /proc laid out as the kernel shows a process that dropped privileges without exec:
    // the folder belongs to root, the status tells the real uid.
    const proc = tempDir();
    const write = (pid: number, uid: number) => {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), "stat"), `${pid} (worker) S 1 ${pid} ${pid} 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 5000 1000000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n`);
      writeFileSync(join(proc, String(pid), "status"), `Name:\tworker\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nVmRSS:\t    1000 kB\nThreads:\t1\n`);
    };
    write(4242, node.ids[1]!.uid);
    write(4243, 0);
    const seen = await scanProcesses(new Attribution(node.config().partitions), undefined, proc);
    expect(seen.map((s) => [s.stat.pid, s.user])).toEqual([[4242, node.userNames[1]]]);
  });

  test("processes of other users (the test runner) are not any partition's", async () => {
    await ready;
    const { sample: s } = await sample(node);
    expect(s.processes.every((p) => node.userNames.includes(p.partition))).toBe(true);
    expect(s.processes.some((p) => p.pid === process.pid)).toBe(false);
  });

  test("the process name is <pid>-<create time>, the same in two samples", async () => {
    await ready;
    const a = (await sample(node)).sample.processes.find((p) => p.pid === sleeper.pid)!;
    const b = (await sample(node)).sample.processes.find((p) => p.pid === sleeper.pid)!;
    expect(b.process).toBe(a.process);
  });
});

describe.skipIf(!isRoot)("a non-root node: one user owns every partition, processes are accounted by folder", () => {
  const owner = makeUser();
  const node = makeNode({ partitions: 3, folderOwner: owner });
  const inFolder = startProcess("exec sleep 300", node.partitions[0], owner);
  const deep = join(node.partitions[1], "srv", "run");
  mkdirSync(deep, { recursive: true });
  const inSubfolder = startProcess("exec sleep 301", deep, owner);
  const supervised = startProcess("exec sleep 302", "/", owner, { SUPERVISOR_GROUP_NAME: "slappart2-prerm" });
  const elsewhere = startProcess("exec sleep 303", "/", owner);
  const ready = until(() => [inFolder, inSubfolder, supervised, elsewhere].every((c) => readProcess(c.pid!)?.uid === owner.uid), "the test processes");

  test("a process running in a partition folder is that partition's", async () => {
    await ready;
    const { sample: s } = await sample(node);
    expect(s.processes.find((p) => p.pid === inFolder.pid)?.partition).toBe(node.userNames[0]);
    expect(s.processes.find((p) => p.pid === inSubfolder.pid)?.partition).toBe(node.userNames[1]);
  });

  test("a process of a partition's supervisor group is that partition's, wherever it runs", async () => {
    await ready;
    const { sample: s } = await sample(node);
    expect(s.processes.find((p) => p.pid === supervised.pid)?.partition).toBe(node.userNames[2]);
  });

  test("a process of that user outside any partition is nobody's", async () => {
    await ready;
    const { sample: s } = await sample(node);
    expect(s.processes.some((p) => p.pid === elsewhere.pid)).toBe(false);
  });
});

describe("the computer", () => {
  test("cores, memory, load, network and the mounted root filesystem are read", async () => {
    const node = makeNode({ partitions: 1 });
    const { sample: s } = await sample(node);
    expect(s.computer.cpu_num_core).toBeGreaterThanOrEqual(1);
    expect(s.computer.memory_size).toBeGreaterThan(0);
    expect(s.computer.cpu_type).toBe("0");
    expect(s.system.memory_used + s.system.memory_free).toBe(s.computer.memory_size);
    expect(s.system.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(s.system.cpu_percent).toBeLessThanOrEqual(100);
    expect(s.system.net_in_bytes).toBeGreaterThanOrEqual(0);
    const root = s.disks.find((d) => d.mountpoint === "/");
    if (root) expect(s.computer.partition_list).toContain(`${root.partition}=`);
  });

  test("the CPU window of a second run is the time since the first (no wait, deltas kept in .cpu-state.json)", async () => {
    const node = makeNode({ partitions: 1, cpuSampleInterval: 30 });
    const dataLog = join(node.instanceRoot, "var", "data-log");
    mkdirSync(dataLog, { recursive: true });
    const db = new CollectorDb(dataLog, { create: true });
    const statePath = join(dataLog, ".cpu-state.json");
    const { saveMark, markNow } = await import("../../../plugins/tio/sample/cpu-window.ts");
    saveMark(statePath, markNow());
    await Bun.sleep(50);
    // With a usable previous mark, the 30 s interval is never waited for (the test guard is 10 s).
    const result = await Promise.race([
      takeSample({ config: node.config(), db, log, statePath }).then(() => "sampled"),
      Bun.sleep(10_000).then(() => "waited"),
    ]);
    db.close();
    expect(result).toBe("sampled");
    expect(existsSync(statePath)).toBe(true);
  });
});
