/**
 * The journals collect queues reach the master through node report's
 * usage sending (node-runtime.md §4 step 5, format-collect-cli.md §2.9),
 * or another sink: a plugin file from `[slapos] plugin_list` tapping the
 * `report.send` bail hook takes them instead of the master.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Hono } from "hono";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { definePlugin } from "../../../core/hooks/plugin.ts";
import { startMaster, type RunningMaster } from "../../../core/master/index.ts";
import type { NodeRun } from "../../../core/node/context.ts";
import { collectPartitionUsage, sendComputerReports } from "../../../core/node/report/usage.ts";
import type { SlapgridOptions } from "../../../core/node/options.ts";
import { SlapClient } from "../../../core/slap/client.ts";
import { runCollect } from "../../../plugins/tio/run.ts";
import { slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { log, makeNode, type TestNode, cleanUp } from "./helpers.ts";

afterAll(cleanUp);

const received: Array<{ computerId: string; useString: string }> = [];
let master: RunningMaster;

beforeAll(async () => {
  const host = new PluginHost();
  host.add(
    definePlugin({
      name: "use-computer-recorder",
      version: "1.0.0",
      apiVersion: "^1.0.0",
      apply(hooks) {
        hooks.master.routes.tapPromise("use-computer-recorder", async ({ app }) => {
          (app as Hono).post("/useComputer", async (c, next) => {
            const form = await c.req.raw.clone().formData();
            received.push({ computerId: String(form.get("computer_id")), useString: String(form.get("use_string")) });
            await next();
          });
        });
      },
    }),
  );
  await host.applyAll((loaded) => ({ config: new SlapConfig(), options: {}, log, source: loaded.source, command: "test" }));
  master = await startMaster({ settings: { computerId: "COMP-TIO", databaseUri: join(tempDir(), "master.db"), port: 0 }, hooks: host.hooks });
});
afterAll(async () => {
  await master?.stop();
});

/** Two collect runs a day apart: yesterday's journal (and the day before's) are queued. */
async function collected(): Promise<TestNode> {
  const node = makeNode({ partitions: 1, cpuSampleInterval: 0 });
  const config = node.config();
  await runCollect({ config, log, now: () => new Date("2031-05-01T12:00:00Z") });
  await runCollect({ config, log, now: () => new Date("2031-05-02T12:00:00Z") });
  return node;
}

function nodeRun(node: TestNode, hooks = new PluginHost().hooks): NodeRun {
  const options = {
    computerId: "COMP-TIO",
    masterUrl: master.url,
    instanceRoot: node.instanceRoot,
    softwareRoot: "/opt/slapgrid",
    maximumPeriodicity: 86400,
    promiseTimeout: 20,
    maximalDelay: 0,
    now: true,
    rootCheck: false,
    raw: {},
  } satisfies SlapgridOptions;
  return { options, hooks, master: new SlapClient({ masterUrl: master.url }), log, command: "node report" };
}

const queue = (node: TestNode) => join(node.instanceRoot, "var", "xml_report", "COMP-TIO");
const journal = (node: TestNode, date: string) => readFileSync(join(node.instanceRoot, "var", "consumption-report", `${date}.xml`), "utf8");

const SINK_PLUGIN = `import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

let count = 0;
export default {
  name: "journal-folder", version: "1.0.0", apiVersion: "^1.0.0",
  apply(hooks, ctx) {
    hooks.report.send.tapPromise("journal-folder", async ({ xml, computerId }) => {
      mkdirSync(ctx.options.folder, { recursive: true });
      writeFileSync(join(ctx.options.folder, computerId + "-" + (++count) + ".xml"), xml);
      return true;
    });
  },
};
`;

describe("node report sends what collect queued", () => {
  test("each queued journal is posted as it is to useComputer, then deleted; the consumption-report copy stays", async () => {
    const node = await collected();
    expect(readdirSync(queue(node)).sort()).toEqual(["2031-04-29.xml", "2031-04-30.xml", "2031-05-01.xml"]);
    received.length = 0;
    await sendComputerReports(nodeRun(node));
    expect(received.map((r) => r.computerId)).toEqual(["COMP-TIO", "COMP-TIO", "COMP-TIO"]);
    expect(received.map((r) => r.useString).sort()).toEqual([journal(node, "2031-04-29"), journal(node, "2031-04-30"), journal(node, "2031-05-01")].sort());
    expect(readdirSync(queue(node))).toEqual([]);
    expect(existsSync(join(node.instanceRoot, "var", "consumption-report", "2031-05-01.xml"))).toBe(true);
  });

  test("a document that is not a valid TIO journal is left in place and not sent", async () => {
    const node = await collected();
    const bad = join(queue(node), "broken.xml");
    writeFileSync(bad, "<journal><transaction/></journal>");
    received.length = 0;
    await sendComputerReports(nodeRun(node));
    expect(received.length).toBe(3);
    expect(readdirSync(queue(node))).toEqual(["broken.xml"]);
  });

  test("a plugin file tapping report.send takes the journals instead of the master", async () => {
    const node = await collected();
    const dir = tempDir();
    const pluginFile = join(dir, "journal-folder.ts");
    writeFileSync(pluginFile, SINK_PLUGIN);
    const folder = join(dir, "sent");
    const host = new PluginHost();
    await host.loadFile(pluginFile);
    await host.applyAll((loaded) => ({ config: new SlapConfig(), options: { folder }, log, source: loaded.source, command: "node report" }));
    received.length = 0;
    await sendComputerReports(nodeRun(node, host.hooks));
    expect(received).toEqual([]);
    const sent = readdirSync(folder).map((name) => readFileSync(join(folder, name), "utf8"));
    expect(sent.sort()).toEqual([journal(node, "2031-04-29"), journal(node, "2031-04-30"), journal(node, "2031-05-01")].sort());
    expect(readdirSync(queue(node))).toEqual([]);
  });
});

describe("partition consumption documents node report aggregates", () => {
  test("a valid document becomes journal movements (reference replaced by the partition id); an invalid one stays", () => {
    const node = makeNode({ partitions: 1 });
    const folder = join(node.instanceRoot, "var", "xml_report", "slappart0");
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, "good.xml"),
      '<?xml version="1.0" encoding="utf-8"?>\n<consumption>\n  <movement>\n    <resource>CPU</resource>\n    <title>CPU consumption of slappart3</title>\n' +
        "    <reference>slappart3</reference>\n    <quantity>42.5</quantity>\n    <price>0.0</price>\n    <VAT></VAT>\n    <category></category>\n  </movement>\n</consumption>\n",
    );
    // quantity before resource: refused by partition_consumption.xsd
    writeFileSync(join(folder, "bad.xml"), "<consumption><movement><quantity>1</quantity><resource>r</resource><price>0</price><VAT/></movement></consumption>");
    const movements = collectPartitionUsage(nodeRun(node), "slappart0", node.partitions[0]);
    expect(movements).toEqual([
      "<movement><resource>CPU</resource><title>CPU consumption of slappart3</title><reference>slappart0</reference><quantity>42.5</quantity><price>0.0</price><VAT></VAT><category></category></movement>",
    ]);
    expect(readdirSync(folder)).toEqual(["bad.xml"]);
  });
});

const reportRegistered = (await slapos(["help"]).catch(() => ({ stdout: "", stderr: "" }))).stdout.includes("node report");

describe.skipIf(!reportRegistered)("through the compiled binary: slapos node collect, then slapos node report", () => {
  function configure(node: TestNode, extra: string): void {
    const softwareRoot = join(node.root, "soft");
    mkdirSync(softwareRoot);
    const text = readFileSync(node.cfgPath, "utf8")
      .replace("master_url = http://127.0.0.1:9", `master_url = ${master.url}`)
      .replace("software_root = /opt/slapgrid", `software_root = ${softwareRoot}`)
      .replace("[slapos]\n", `[slapos]\npidfile_report = ${join(node.root, "report.pid")}\nforbid_supervisord_automatic_launch = true\n${extra}`);
    writeFileSync(node.cfgPath, text);
  }

  test("the journals reach the master's useComputer", async () => {
    const node = await collected();
    configure(node, "");
    received.length = 0;
    const result = await slapos(["node", "report", "--cfg", node.cfgPath, "--now"]);
    expect(result.code).toBe(0);
    expect(received.map((r) => r.useString).sort()).toEqual([journal(node, "2031-04-29"), journal(node, "2031-04-30"), journal(node, "2031-05-01")].sort());
  });

  test("a plugin from [slapos] plugin_list takes them instead", async () => {
    const node = await collected();
    const pluginFile = join(node.root, "journal-folder.ts");
    writeFileSync(pluginFile, SINK_PLUGIN);
    const folder = join(node.root, "sent");
    mkdirSync(folder);
    configure(node, `plugin_list = ${pluginFile}\n`);
    writeFileSync(node.cfgPath, readFileSync(node.cfgPath, "utf8") + `\n[plugin:journal-folder]\nfolder = ${folder}\n`);
    received.length = 0;
    const result = await slapos(["node", "report", "--cfg", node.cfgPath, "--now"]);
    expect(result.code).toBe(0);
    expect(received).toEqual([]);
    expect(readdirSync(folder).length).toBe(3);
    expect(readdirSync(queue(node))).toEqual([]);
  });
});
