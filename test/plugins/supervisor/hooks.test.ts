/**
 * Hooks run inside the daemon, which loads the plugins of slapos.cfg's
 * plugin_list: supervisor.configure rewrites a program before it is
 * configured, process.exited hears every exit, and a tap that throws does
 * not take the daemon down.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { slapos } from "../../helpers/binary.ts";
import { waitFor } from "../../helpers/ports.ts";
import { makeInstance, program, readText, noteDaemon, rpc, script, waitState } from "./helpers.ts";

const instance = makeInstance();
const exits = join(instance.dir, "exits.jsonl");
const cfg = join(instance.dir, "slapos.cfg");

beforeAll(async () => {
  const plugin = join(instance.dir, "test-plugin.ts");
  writeFileSync(
    plugin,
    `import { appendFileSync } from "node:fs";
export default {
  name: "test-wrap",
  version: "1.0.0",
  apiVersion: "^1.0.0",
  apply(hooks) {
    hooks.supervisor.configure.tapPromise("test-wrap", async (definition) => ({
      ...definition,
      options: { ...definition.options, environment: [definition.options.environment, "WRAPPED=" + definition.name].filter(Boolean).join(",") },
    }));
    hooks.process.exited.tap("test-wrap", (exit) => appendFileSync(${JSON.stringify(exits)}, JSON.stringify(exit) + "\\n"));
    hooks.process.exited.tap("test-broken", () => { throw new Error("this tap always fails"); });
  },
};
`,
  );
  writeFileSync(cfg, `[slapos]\nplugin_list = ${plugin}\n`);
  const show = script(join(instance.dir, "show.sh"), 'echo "WRAPPED is $WRAPPED"; exit 3');
  writeFileSync(join(instance.confDir, "p.conf"), program(instance, "shown", show, { autorestart: false }));
  const result = await slapos(["--cfg", cfg, "node", "supervisord", "-c", instance.conf]);
  if (result.code !== 0) throw new Error(result.stderr);
  noteDaemon(instance);
});

describe("hooks in the daemon", () => {
  test("supervisor.configure taps change the program before it runs", async () => {
    await waitFor(() => readText(join(instance.dir, "logs", "shown.log")).includes("WRAPPED is shown"), 20, "wrapped env");
  });

  test("process.exited taps hear the exit with its code and state", async () => {
    await waitFor(() => readText(exits).includes('"name":"shown"'), 20, "exit record");
    const record = JSON.parse(readText(exits).trim().split("\n")[0]);
    expect(record).toMatchObject({ group: "shown", name: "shown", exitCode: 3, signal: null, expected: false, state: "EXITED" });
    expect(record.pid).toBeGreaterThan(0);
  });

  test("a tap that throws is logged and the daemon keeps running", async () => {
    await waitState(instance, "shown", "EXITED");
    expect(readText(instance.log)).toContain("process.exited hook failed: plugin test-wrap: process.exited: this tap always fails");
    expect(await rpc(instance)("getState")).toEqual({ statecode: 1, statename: "RUNNING" });
  });
});
