/**
 * Managers are taps on the node's hooks (node-runtime.md §3.12; §8.50,
 * test_slapgrid.py TestSlapgridManagerLifecycle): a plugin file named in
 * `plugin_list` sees software/softwareTearDown, instance/instanceTearDown
 * and report in the reference's order — teardown skipped after a failed
 * build, always run for partitions, even up-to-date ones.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Node, scratchDir, stopNodes, instanceProfile, writeRelease } from "./harness.ts";

afterAll(stopNodes, 60_000);

const releases = scratchDir("slapgrid-mg-");

function managerPlugin(dir: string): { file: string; sequence: () => string[]; reset: () => void } {
  const log = join(dir, "sequence");
  const file = join(dir, "dummy-manager.ts");
  writeFileSync(
    file,
    `import { appendFileSync } from "node:fs";
const note = (step) => appendFileSync(${JSON.stringify(log)}, step + "\\n");
export default {
  name: "dummy-manager",
  version: "1.0.0",
  apiVersion: "^1.0.0",
  apply(hooks) {
    hooks.software.setup.tap("dummy-manager", () => note("software"));
    hooks.software.tearDown.tap("dummy-manager", () => note("softwareTearDown"));
    hooks.instance.setup.tap("dummy-manager", () => note("instance"));
    hooks.instance.tearDown.tap("dummy-manager", () => note("instanceTearDown"));
    hooks.report.partition.tap("dummy-manager", () => note("report"));
  },
};
`,
  );
  writeFileSync(log, "");
  return {
    file,
    sequence: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
    reset: () => writeFileSync(log, ""),
  };
}

describe("§8.50 TestSlapgridManagerLifecycle", () => {
  test("§8.50 software: ['software', 'softwareTearDown']; a failing build: ['software']", async () => {
    const dir = scratchDir("slapgrid-mgr-");
    const manager = managerPlugin(dir);
    const node = await Node.create({ partitions: 0, slapos: `plugin_list = ${manager.file}\n` });
    await node.supply(writeRelease(releases, "fine", { parts: { p: "recipe = plone.recipe.command\ncommand = true" } }));
    expect((await node.node("software")).code).toBe(0);
    expect(manager.sequence()).toEqual(["software", "softwareTearDown"]);
    manager.reset();
    const node2 = await Node.create({ partitions: 0, slapos: `plugin_list = ${manager.file}\n` });
    await node2.supply(writeRelease(releases, "broken", { parts: { p: "recipe = plone.recipe.command\ncommand = exit 1\nstop-on-error = true" } }));
    expect((await node2.node("software")).code).toBe(1);
    expect(manager.sequence()).toEqual(["software"]);
  });

  test("§8.50 instance: ['instance', 'instanceTearDown'], also for an up-to-date partition; report: 'report' for a destroyed one", async () => {
    const dir = scratchDir("slapgrid-mgr-");
    const manager = managerPlugin(dir);
    const node = await Node.create({ slapos: `plugin_list = ${manager.file}\n` });
    const url = writeRelease(releases, "instance", { instance: instanceProfile({ p: "recipe = plone.recipe.command\ncommand = true" }) });
    await node.deploy(url, "inst", "stopped");
    manager.reset();
    expect((await node.node("instance")).code).toBe(0);
    expect(manager.sequence()).toEqual(["instance", "instanceTearDown"]);
    manager.reset();
    expect(Node.paths((await node.node("instance")).calls)).toEqual(["getFullComputerInformation"]);
    expect(manager.sequence()).toEqual(["instance", "instanceTearDown"]);
    await node.request("inst", url, { state: "destroyed" });
    manager.reset();
    expect((await node.node("report")).code).toBe(0);
    expect(manager.sequence()).toEqual(["report"]);
  });
});
