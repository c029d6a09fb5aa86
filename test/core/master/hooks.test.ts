/** The master's hooks, each tapped by a real plugin through the plugin host. */
import { afterEach, describe, expect, test } from "bun:test";
import type { Hono } from "hono";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { definePlugin, type PluginContext } from "../../../core/hooks/plugin.ts";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { pyDict } from "../../../core/slap/marshal/values.ts";
import { format, full, rawGet, req, reqRaw, testMaster, quietLog, type TestMaster } from "./helpers.ts";

let master: TestMaster;
afterEach(() => master?.stop());

async function hostWith(plugin: ReturnType<typeof definePlugin>) {
  const host = new PluginHost();
  host.add(plugin);
  const context = (): PluginContext => ({ config: new SlapConfig(), options: {}, log: quietLog, source: "built-in", command: "proxy start" });
  await host.applyAll(context);
  return host.hooks;
}

describe("master hooks", () => {
  test("master.allocate: a plugin chooses the partition of a new instance", async () => {
    const seen: string[][] = [];
    const hooks = await hostWith(
      definePlugin({
        name: "last-partition",
        version: "1.0.0",
        apiVersion: "^1.0.0",
        apply(h) {
          h.master.allocate.tapPromise("last-partition", async (input) => {
            seen.push(input.candidates.map((c) => c.partitionId));
            return input.partitionReference === "pick-last" ? input.candidates[input.candidates.length - 1] : undefined;
          });
        },
      }),
    );
    master = await testMaster({}, { hooks });
    await format(master, 3);
    expect((await req(master, { name: "pick-last" })).state.slap_computer_partition_id).toBe("slappart2");
    expect((await req(master, { name: "default-choice" })).state.slap_computer_partition_id).toBe("slappart0");
    expect(seen).toEqual([["slappart0", "slappart1", "slappart2"], ["slappart0", "slappart1"]]);
  });

  test("master.allocate: a plugin that fails gives 500 and allocates nothing", async () => {
    const hooks = await hostWith(
      definePlugin({
        name: "broken",
        version: "1.0.0",
        apiVersion: "^1.0.0",
        apply(h) {
          h.master.allocate.tapPromise("broken", async () => {
            throw new Error("no capacity data");
          });
        },
      }),
    );
    master = await testMaster({}, { hooks });
    await format(master, 1);
    expect((await reqRaw(master, { name: "x" })).status).toBe(500);
    expect((await full(master)).getComputerPartitionList()[0].getSoftwareReleaseUrl()).toBeUndefined();
  });

  test("master.computer: a plugin transforms the computer document", async () => {
    const hooks = await hostWith(
      definePlugin({
        name: "annotate",
        version: "1.0.0",
        apiVersion: "^1.0.0",
        apply(h) {
          h.master.computer.tapPromise("annotate", async (document, context) => {
            document.state._plugin_note = pyDict([["for", context.computerId]]);
            return document;
          });
        },
      }),
    );
    master = await testMaster({}, { hooks });
    const body = (await rawGet(master, "/getFullComputerInformation", [["computer_id", "computer"]])).body;
    expect(body).toContain("<string>_plugin_note</string><dictionary id=");
    expect(body).toContain("<string>for</string><string>computer</string>");
  });

  test("master.routes: a plugin adds a route and a middleware", async () => {
    const hooks = await hostWith(
      definePlugin({
        name: "extra-routes",
        version: "1.0.0",
        apiVersion: "^1.0.0",
        apply(h) {
          h.master.routes.tapPromise("extra-routes", async ({ app }) => {
            const hono = app as Hono;
            hono.use("*", async (c, next) => {
              await next();
              c.res.headers.set("X-Served-By", "extra-routes");
            });
            hono.get("/plugin/hello", (c) => c.text("hello"));
          });
        },
      }),
    );
    master = await testMaster({}, { hooks });
    const hello = await rawGet(master, "/plugin/hello");
    expect([hello.status, hello.body, hello.headers.get("x-served-by")]).toEqual([200, "hello", "extra-routes"]);
    const slap = await rawGet(master, "/getRunId");
    expect(slap.headers.get("x-served-by")).toBe("extra-routes");
  });
});
