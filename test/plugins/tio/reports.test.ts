/**
 * The files collect writes (format-collect-cli.md §2.4, §2.6; acceptance
 * checks 27–29, 38–39): raw day dumps, today's system CSVs, the day
 * archives, the partitions' monitor JSON — byte for byte.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compressDayFolders } from "../../../plugins/tio/files/tar-gz.ts";
import { buildMonitorReport, initDataFile, previousMinute } from "../../../plugins/tio/report/monitor.ts";
import { dumpPastDays } from "../../../plugins/tio/report/raw-dump.ts";
import { writeSystemCsv } from "../../../plugins/tio/report/system-csv.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { freshDb, process, sampleAt, utcDay } from "./fixtures.ts";

const read = (path: string) => readFileSync(path, "utf8");

describe("raw dumps of past days (test_raw_csv_report)", () => {
  const { db } = freshDb();
  db.insertSample(sampleAt("1983-01-10", "TIME"));
  const folder = tempDir();
  const dumped = dumpPastDays(db, folder, utcDay());
  const day = join(folder, "1983-01-10");

  test("a folder per past day holds one dump per table", () => {
    expect(dumped).toEqual(["1983-01-10"]);
    expect(readdirSync(day).sort()).toEqual(
      ["computer", "disk", "folder", "heating", "system", "temperature", "user"].map((t) => `dump_${t}.csv`),
    );
  });
  test("rows in raw column order, no header, floats as Python writes them, CRLF", () => {
    expect(read(join(day, "dump_disk.csv"))).toBe("/dev/sdx1,10,20,/mnt,1983-01-10,TIME,0\r\n");
    expect(read(join(day, "dump_computer.csv"))).toBe("1.0,0.0,0,100.0,0,/dev/sdx1,1983-01-10,TIME,0\r\n");
    expect(read(join(day, "dump_user.csv"))).toBe("fakeuser0,10.0,10-12345,0.1,10.0,1.0,10.0,10.0,0.1,0.1,1983-01-10,TIME,0\r\n");
    expect(read(join(day, "dump_folder.csv"))).toBe("fakeuser0,0.1,1983-01-10,TIME,0\r\n");
    expect(read(join(day, "dump_system.csv"))).toBe("0.1,10.0,100.0,100.0,10.0,1.0,2.0,12.0,1.0,1.0,1983-01-10,TIME,0\r\n");
  });
  test("tables without rows give empty files", () => {
    expect(read(join(day, "dump_heating.csv"))).toBe("");
    expect(read(join(day, "dump_temperature.csv"))).toBe("");
  });
  test("the day is then marked reported, in every table, and not dumped again", () => {
    expect(db.db.query("SELECT count(*) AS n FROM user WHERE reported = 1").get()).toEqual({ n: 1 });
    expect(db.dateScopes(utcDay())).toEqual([]);
    expect(dumpPastDays(db, folder, utcDay())).toEqual([]);
  });
  test("today is never dumped", () => {
    const { db: other } = freshDb();
    other.insertSample(sampleAt(utcDay(), "00:00:00"));
    expect(dumpPastDays(other, tempDir(), utcDay())).toEqual([]);
  });
  test("each value is written as Python reads its storage class back (NUMERIC affinity of sensor ids, integer alarms)", () => {
    const { db: other } = freshDb();
    other.insertSample(
      sampleAt("1983-01-12", "TIME", {
        temperatures: [
          { sensor_id: "coretemp-isa-0000 Core 0:", temperature: 42, alarm: 0 },
          { sensor_id: "5.0", temperature: 42.5, alarm: 2 },
          { sensor_id: "7.25", temperature: 1e-5, alarm: 1 },
        ],
      }),
    );
    const out = tempDir();
    dumpPastDays(other, out, utcDay());
    expect(read(join(out, "1983-01-12", "dump_temperature.csv"))).toBe(
      "coretemp-isa-0000 Core 0:,42.0,0,1983-01-12,TIME,0\r\n5,42.5,2,1983-01-12,TIME,0\r\n7.25,1e-05,1,1983-01-12,TIME,0\r\n",
    );
  });
  test("a field with a comma or a quote is quoted the csv module's way", () => {
    const { db: other } = freshDb();
    other.insertSample(sampleAt("1983-01-11", "TIME", { processes: [process('we"ird,user')] }));
    const out = tempDir();
    dumpPastDays(other, out, utcDay());
    expect(read(join(out, "1983-01-11", "dump_user.csv"))).toStartWith('"we""ird,user",10.0,');
  });
});

describe("today's system CSV files (test_system_csv_report)", () => {
  const today = utcDay();
  const { db } = freshDb();
  db.insertSample(sampleAt(today, "TIME"));
  db.insertSample(sampleAt(today, "TIME"));
  const folder = tempDir();
  writeSystemCsv(db, folder, today);

  test("12 files: 10 system items and used/free of each disk", () => {
    expect(readdirSync(folder).sort()).toEqual(
      [
        "system_cpu_percent.csv",
        "system_disk_memory_free__dev_sdx1.csv",
        "system_disk_memory_used__dev_sdx1.csv",
        "system_loadavg.csv",
        "system_memory_free.csv",
        "system_memory_used.csv",
        "system_net_in_bytes.csv",
        "system_net_in_dropped.csv",
        "system_net_in_errors.csv",
        "system_net_out_bytes.csv",
        "system_net_out_dropped.csv",
        "system_net_out_errors.csv",
      ].sort(),
    );
  });
  test("the first system row is skipped; memory in KiB; network bytes as deltas", () => {
    expect(read(join(folder, "system_memory_used.csv"))).toBe(`time,entry\r\n${today} TIME,0.09765625\r\n`);
    expect(read(join(folder, "system_cpu_percent.csv"))).toBe(`time,entry\r\n${today} TIME,10.0\r\n`);
    expect(read(join(folder, "system_net_in_bytes.csv"))).toBe(`time,entry\r\n${today} TIME,0.0\r\n`);
    expect(read(join(folder, "system_net_in_dropped.csv"))).toBe(`time,entry\r\n${today} TIME,2.0\r\n`);
    expect(read(join(folder, "system_loadavg.csv"))).toBe(`time,entry\r\n${today} TIME,0.1\r\n`);
  });
  test("disk files hold every row of today, in KiB", () => {
    expect(read(join(folder, "system_disk_memory_used__dev_sdx1.csv"))).toBe(`time,entry\r\n${today} TIME,0.009765625\r\n${today} TIME,0.009765625\r\n`);
    expect(read(join(folder, "system_disk_memory_free__dev_sdx1.csv"))).toBe(`time,entry\r\n${today} TIME,0.01953125\r\n${today} TIME,0.01953125\r\n`);
  });
  test("a device name with dashes becomes underscores in the file name", () => {
    const { db: other } = freshDb();
    other.insertSample(sampleAt(today, "T", { disks: [{ partition: "/dev/mapper/vg-root", used: 1024, free: 2048, mountpoint: "/" }] }));
    const out = tempDir();
    writeSystemCsv(other, out, today);
    expect(read(join(out, "system_disk_memory_used__dev_mapper_vg_root.csv"))).toBe(`time,entry\r\n${today} T,1.0\r\n`);
  });
  test("a network delta between two samples, in KiB", () => {
    const { db: other } = freshDb();
    const s = sampleAt(today, "00:00:00");
    other.insertSample(s);
    other.insertSample({ ...s, time: "00:01:00", system: { ...s.system, net_in_bytes: 10.0 + 3072 } });
    const out = tempDir();
    writeSystemCsv(other, out, today);
    expect(read(join(out, "system_net_in_bytes.csv"))).toBe(`time,entry\r\n${today} 00:01:00,3.0\r\n`);
  });
});

describe("day archives (test_compress_log_directory)", () => {
  test("1990-01-01/ becomes 1990-01-01.tar.gz with its members, and the folder goes", async () => {
    const folder = tempDir();
    mkdirSync(join(folder, "1990-01-01"));
    writeFileSync(join(folder, "1990-01-01", "test.txt"), "hi");
    mkdirSync(join(folder, "not_a_day"));
    await compressDayFolders(folder);
    expect(existsSync(join(folder, "1990-01-01"))).toBe(false);
    expect(existsSync(join(folder, "not_a_day"))).toBe(true);
    const archive = join(folder, "1990-01-01.tar.gz");
    const list = Bun.spawnSync(["tar", "-tzf", archive]);
    expect(list.stdout.toString()).toBe("1990-01-01/\n1990-01-01/test.txt\n");
    const content = Bun.spawnSync(["tar", "-xzOf", archive, "1990-01-01/test.txt"]);
    expect(content.stdout.toString()).toBe("hi");
  });
  test("python's tarfile reads the archive: members 1990-01-01 and 1990-01-01/test.txt", async () => {
    const folder = tempDir();
    mkdirSync(join(folder, "1990-01-01"));
    writeFileSync(join(folder, "1990-01-01", "test.txt"), "hi");
    await compressDayFolders(folder);
    const python = Bun.spawnSync([
      "python3",
      "-c",
      "import sys,tarfile; t=tarfile.open(sys.argv[1]); m=t.getmembers(); print([x.name for x in m], t.extractfile(m[1]).read())",
      join(folder, "1990-01-01.tar.gz"),
    ]);
    expect(python.stdout.toString()).toBe("['1990-01-01', '1990-01-01/test.txt'] b'hi'\n");
  });
});

describe("partition monitor files (test_initDataFile, test_buildJSONMonitorReport)", () => {
  const window = { date: "2019-10-06", minTime: "00:00:00", maxTime: "00:00:59" };
  const setup = () => {
    const { db } = freshDb();
    const root = tempDir();
    const partitions = [0, 1, 2, 3].map((i) => ({ user: `slapuser${i}`, id: `slappart${i}`, path: join(root, `slappart${i}`) }));
    for (const p of partitions) mkdirSync(p.path);
    for (const i of [0, 1, 2]) mkdirSync(join(partitions[i].path, ".slapgrid"));
    const MiB = 1048576;
    db.insertSample(
      sampleAt("2019-10-06", "00:00:10", {
        processes: [
          process("slapuser0", { pid: 100, cpu_percent: 2.5, cpu_time: 60.5, cpu_num_threads: 4, memory_percent: 1.25, memory_rss: 3 * MiB, io_rw_counter: 4096, io_cycles_counter: 10 }),
          process("slapuser0", { pid: 200, cpu_percent: 0.125, cpu_time: 6.0, cpu_num_threads: 1, memory_percent: 0.375, memory_rss: MiB / 2, io_rw_counter: 0, io_cycles_counter: 3 }),
          process("slapuser2", { pid: 300, cpu_percent: 0, cpu_time: 0, cpu_num_threads: 1, memory_percent: 0, memory_rss: 0, io_rw_counter: 0, io_cycles_counter: 0 }),
        ],
        folders: [{ partition: "slapuser0", disk_used: 2048 }],
      }),
    );
    // Outside the window: ignored.
    db.insertSample(sampleAt("2019-10-06", "00:01:10", { processes: [process("slapuser0", { pid: 100, cpu_percent: 50 })], folders: [] }));
    const noProc = tempDir();
    buildMonitorReport(db, partitions, window, noProc, () => 1570495649.5);
    const monitor = (i: number, name: string) => read(join(partitions[i].path, ".slapgrid", "monitor", name));
    return { partitions, monitor };
  };

  test("the data file starts as {date, data: [columns]}", () => {
    const path = join(tempDir(), "testfile.json");
    initDataFile(path, ["my", "colums", "goes", "here"], 1570495649.5);
    expect(read(path)).toBe('{"date": 1570495649.5, "data": ["my", "colums", "goes", "here"]}');
    expect(Object.keys(JSON.parse(read(path))).sort()).toEqual(["data", "date"]);
  });

  test("the window's totals are appended to the three series (ties rounded to even)", () => {
    const { monitor } = setup();
    expect(monitor(0, "monitor_resource_process.data.json")).toBe(
      '{"date": 1570495649.5, "data": ["date, total process, CPU percent, CPU time, CPU threads","2019-10-06 00:00:00, 2, 2.62, 1.11, 5.0"]}',
    );
    expect(monitor(0, "monitor_resource_memory.data.json")).toBe(
      '{"date": 1570495649.5, "data": ["date, memory used percent, memory used","2019-10-06 00:00:00, 1.62, 3.5"]}',
    );
    expect(monitor(0, "monitor_resource_io.data.json")).toBe(
      '{"date": 1570495649.5, "data": ["date, io rw counter, io cycles counter, disk used","2019-10-06 00:00:00, 4096.0, 13.0, 2.0"]}',
    );
  });

  test("the status merges what was appended, in the reference's key order", () => {
    const { monitor } = setup();
    expect(monitor(0, "monitor_resource.status.json")).toBe(
      '{"total_process": 2, "cpu_percent": 2.62, "cpu_time": 1.11, "cpu_num_threads": 5.0, "date": "2019-10-06 00:00:00", ' +
        '"memory_percent": 1.62, "memory_rss": 3.5, "io_rw_counter": 4096.0, "io_cycles_counter": 13.0, "disk_used": 2.0}',
    );
  });

  test("one entry per process, busiest first (processes gone: no name/command)", () => {
    const { monitor } = setup();
    expect(monitor(0, "monitor_process_resource.status.json")).toBe(
      '[{"pid": 100.0, "cpu_percent": 2.5, "cpu_time": 1.01, "cpu_num_threads": 4.0, "memory_percent": 1.25, "memory_rss": 3.0, "io_rw_counter": 4096.0, "io_cycles_counter": 10.0}, ' +
        '{"pid": 200.0, "cpu_percent": 0.12, "cpu_time": 0.1, "cpu_num_threads": 1.0, "memory_percent": 0.38, "memory_rss": 0.5, "io_rw_counter": 0.0, "io_cycles_counter": 3.0}]',
    );
  });

  test("zero memory and zero IO are not appended; the process line is", () => {
    const { monitor } = setup();
    expect(monitor(2, "monitor_resource_memory.data.json")).toBe('{"date": 1570495649.5, "data": ["date, memory used percent, memory used"]}');
    expect(monitor(2, "monitor_resource_io.data.json")).toBe('{"date": 1570495649.5, "data": ["date, io rw counter, io cycles counter, disk used"]}');
    expect(monitor(2, "monitor_resource.status.json")).toBe(
      '{"total_process": 1, "cpu_percent": 0.0, "cpu_time": 0.0, "cpu_num_threads": 1.0, "date": "2019-10-06 00:00:00"}',
    );
  });

  test("a partition without rows gets the empty series and {} but no process list", () => {
    const { monitor, partitions } = setup();
    expect(monitor(1, "monitor_resource.status.json")).toBe("{}");
    expect(existsSync(join(partitions[1].path, ".slapgrid", "monitor", "monitor_process_resource.status.json"))).toBe(false);
  });

  test("a partition without .slapgrid gets nothing", () => {
    const { partitions } = setup();
    expect(existsSync(join(partitions[3].path, ".slapgrid"))).toBe(false);
  });

  test("a running process gets its name, command, user and start date", () => {
    const { db } = freshDb();
    const root = tempDir();
    const partition = { user: "slapuser0", id: "slappart0", path: join(root, "slappart0") };
    mkdirSync(join(partition.path, ".slapgrid"), { recursive: true });
    db.insertSample(sampleAt("2019-10-06", "00:00:10", { processes: [process("slapuser0", { pid: globalThis.process.pid })] }));
    buildMonitorReport(db, [partition], window);
    const [entry] = JSON.parse(read(join(partition.path, ".slapgrid", "monitor", "monitor_process_resource.status.json")));
    expect(entry.pid).toBe(globalThis.process.pid);
    expect(typeof entry.name).toBe("string");
    expect(entry.command.length).toBeGreaterThan(0);
    expect(entry.user).toBe(Bun.spawnSync(["id", "-un"]).stdout.toString().trim());
    expect(entry.date).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  test("the monitor window is the previous full UTC minute", () => {
    expect(previousMinute(new Date("2024-05-01T00:00:30Z"))).toEqual({ date: "2024-04-30", minTime: "23:59:00", maxTime: "23:59:59" });
  });
});
