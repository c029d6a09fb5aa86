/**
 * Several days of collect runs on a moved clock (format-collect-cli.md
 * §2.4, §2.5, §2.7): past days are dumped, archived and marked reported the
 * next day, journals are built once for yesterday and the day before and
 * queued for node report, reported rows older than collect_cache days go.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runCollect } from "../../../plugins/tio/run.ts";
import { CollectorDb } from "../../../plugins/tio/store/database.ts";
import { log, makeNode, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

const D = ["2031-03-01", "2031-03-02", "2031-03-03", "2031-03-04"];

describe("four simulated days with collect_cache = 2", async () => {
  const node = makeNode({ partitions: 2, cpuSampleInterval: 0 });
  const config = { ...node.config(), collectCache: 2 };
  const dataLog = join(node.instanceRoot, "var", "data-log");
  const consumption = join(node.instanceRoot, "var", "consumption-report");
  const queue = join(node.instanceRoot, "var", "xml_report", "COMP-TIO");
  const run = (at: string) => runCollect({ config, log, now: () => new Date(at) });
  const counts = () => {
    const db = new CollectorDb(dataLog, { readonly: true });
    try {
      return db.db.query("SELECT date, reported, count(*) AS n FROM system GROUP BY date, reported ORDER BY date").all();
    } finally {
      db.close();
    }
  };
  const journalDays = (folder: string) => readdirSync(folder).filter((n) => n.endsWith(".xml")).sort();

  const results: number[] = [];
  results.push(await run(`${D[0]}T10:00:05Z`), await run(`${D[0]}T10:01:05Z`));
  const afterDay1 = { counts: counts(), files: readdirSync(dataLog).sort(), journals: journalDays(consumption) };
  results.push(await run(`${D[1]}T10:00:05Z`));
  const afterDay2 = { counts: counts(), files: readdirSync(dataLog).sort(), journals: journalDays(consumption), queued: journalDays(queue) };
  const day1Journal = readFileSync(join(consumption, `${D[0]}.xml`), "utf8");
  results.push(await run(`${D[2]}T10:00:05Z`));
  const afterDay3 = { counts: counts(), journals: journalDays(consumption) };
  results.push(await run(`${D[3]}T10:00:05Z`));
  const afterDay4 = { counts: counts() };

  test("every run succeeds", () => {
    expect(results).toEqual([0, 0, 0, 0, 0]);
  });
  test("on day 1, both samples are today's and unreported; journals of the two days before exist", () => {
    expect(afterDay1.counts).toEqual([{ date: D[0], reported: 0, n: 2 }]);
    expect(afterDay1.files).not.toContain(`${D[0]}.tar.gz`);
    expect(afterDay1.journals).toEqual(["2031-02-27.xml", "2031-02-28.xml"]);
  });
  test("on day 2, day 1 is dumped into <date>.tar.gz (the folder removed) and marked reported", () => {
    expect(afterDay2.counts).toEqual([
      { date: D[0], reported: 1, n: 2 },
      { date: D[1], reported: 0, n: 1 },
    ]);
    expect(afterDay2.files).toContain(`${D[0]}.tar.gz`);
    expect(afterDay2.files).not.toContain(D[0]);
    const listing = Bun.spawnSync(["tar", "-tzf", join(dataLog, `${D[0]}.tar.gz`)]).stdout.toString().trim().split("\n");
    expect(listing).toContain(`${D[0]}/dump_system.csv`);
    const dump = Bun.spawnSync(["tar", "-xzOf", join(dataLog, `${D[0]}.tar.gz`), `${D[0]}/dump_system.csv`]).stdout.toString();
    expect(dump.split("\r\n").filter(Boolean).length).toBe(2);
  });
  test("on day 2, day 1's journal is built from day 1's samples and queued for node report", () => {
    expect(afterDay2.journals).toEqual(["2031-02-27.xml", "2031-02-28.xml", `${D[0]}.xml`]);
    expect(afterDay2.queued).toContain(`${D[0]}.xml`);
    expect(day1Journal).toContain("<title>CPU Load Percent Average</title><reference>COMP-TIO</reference>");
    expect(day1Journal).toContain("<title>Used Memory</title>");
    expect(readFileSync(join(queue, `${D[0]}.xml`), "utf8")).toBe(day1Journal);
  });
  test("a journal is built once: day 3 adds only day 2's", () => {
    expect(afterDay3.journals).toEqual(["2031-02-27.xml", "2031-02-28.xml", `${D[0]}.xml`, `${D[1]}.xml`]);
  });
  test("reported rows older than collect_cache days are deleted; unreported and recent ones stay", () => {
    expect(afterDay3.counts).toEqual([
      { date: D[1], reported: 1, n: 1 },
      { date: D[2], reported: 0, n: 1 },
    ]);
    expect(afterDay4.counts).toEqual([
      { date: D[2], reported: 1, n: 1 },
      { date: D[3], reported: 0, n: 1 },
    ]);
  });
  test("the archives are kept", () => {
    expect(existsSync(join(dataLog, `${D[0]}.tar.gz`))).toBe(true);
    expect(existsSync(join(dataLog, `${D[2]}.tar.gz`))).toBe(true);
  });
});
