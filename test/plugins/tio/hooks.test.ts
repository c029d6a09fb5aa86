/**
 * The `collect` hooks a plugin taps: `collect.sample` (change a sample
 * before it is stored), `collect.attribute` (say which partition a process
 * belongs to), `collect.journal` (change a daily journal before it is
 * written and queued).
 */
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { definePlugin, type Plugin } from "../../../core/hooks/plugin.ts";
import { readProcess } from "../../../plugins/tio/proc/process.ts";
import { runCollect } from "../../../plugins/tio/run.ts";
import { log, makeNode, startProcess, until, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

async function hooksWith(apply: Plugin["apply"]) {
  const host = new PluginHost();
  host.add(definePlugin({ name: "probe", version: "1.0.0", apiVersion: "^1.0.0", apply }));
  await host.applyAll((loaded) => ({ config: new SlapConfig(), options: {}, log, source: loaded.source, command: "node collect" }));
  return host.hooks;
}

function query(instanceRoot: string, sql: string): unknown[] {
  const db = new Database(join(instanceRoot, "var", "data-log", "collector.db"), { readonly: true });
  try {
    return db.query(sql).all();
  } finally {
    db.close();
  }
}

test("collect.sample: a plugin's change to the sample is what is stored", async () => {
  const node = makeNode({ partitions: 1, cpuSampleInterval: 0 });
  const hooks = await hooksWith((h) => {
    h.collect.sample.tapPromise("probe", async (sample) => ({
      ...sample,
      temperatures: [...sample.temperatures, { sensor_id: "ipmi inlet", temperature: 21.5, alarm: 0 }],
    }));
  });
  expect(await runCollect({ config: node.config(), log, hooks })).toBe(0);
  expect(query(node.instanceRoot, "SELECT sensor_id, temperature FROM temperature")).toEqual([{ sensor_id: "ipmi inlet", temperature: 21.5 }]);
});

test("collect.attribute: a plugin accounts a process the built-in rule would not", async () => {
  const node = makeNode({ partitions: 2, cpuSampleInterval: 0 });
  const stray = startProcess("exec sleep 300", "/");
  await until(() => readProcess(stray.pid!) !== undefined, "the process");
  const seen: number[] = [];
  const hooks = await hooksWith((h) => {
    h.collect.attribute.tapPromise("probe", async ({ pid, partitions }) => {
      seen.push(pid);
      return pid === stray.pid ? partitions[1].user : undefined;
    });
  });
  expect(await runCollect({ config: node.config(), log, hooks })).toBe(0);
  expect(seen).toContain(stray.pid!);
  expect(query(node.instanceRoot, `SELECT partition FROM user WHERE pid = ${stray.pid}`)).toEqual([{ partition: node.userNames[1] }]);
});

test("collect.journal: a plugin's change to a daily journal is written and queued", async () => {
  const node = makeNode({ partitions: 1, cpuSampleInterval: 0 });
  const dates: string[] = [];
  const hooks = await hooksWith((h) => {
    h.collect.journal.tapPromise("probe", async (xml, context) => {
      dates.push(context.date);
      return xml.replace("<category></category><arrow", "<category>edge</category><arrow");
    });
  });
  expect(await runCollect({ config: node.config(), log, hooks, now: () => new Date("2031-06-10T08:00:00Z") })).toBe(0);
  expect(dates).toEqual(["2031-06-09", "2031-06-08"]);
  const queued = readFileSync(join(node.instanceRoot, "var", "xml_report", "COMP-TIO", "2031-06-09.xml"), "utf8");
  expect(queued).toContain("<category>edge</category><arrow");
});
