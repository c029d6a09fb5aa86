import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { HOOKS_API_VERSION } from "../../../core/hooks/catalogue.ts";
import { PluginHost, required } from "../../../core/hooks/loader.ts";
import { SlapError } from "../../../core/errors.ts";
import { slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";

const dir = tempDir();
function plugin(name: string, body: string, ext = "ts"): string {
  const path = join(dir, `${name}.${ext}`);
  writeFileSync(path, body);
  return path;
}
function config(...paths: string[]): string {
  const path = join(dir, `cfg-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(path, `[slapos]\nplugin_list =\n${paths.map((p) => `  ${p}`).join("\n")}\n`);
  return path;
}

const cache = plugin(
  "acme-cache",
  `export default { name: "acme-cache", version: "2.0.1", apiVersion: "^1.0.0",
  apply(hooks) {
    hooks.binaryCache.lookup.tapPromise("acme-cache", async () => []);
    hooks.binaryCache.download.tapPromise("acme-cache", async () => undefined);
  } };\n`,
);
const jsPlugin = plugin("plain", `module.exports = { plugin: { name: "plain-js", version: "1.0.0", apiVersion: "^1", apply() {} } };\n`, "cjs");

describe("external plugins, loaded by the compiled binary", () => {
  test("a plugin file outside the repo shows in plugin list with its source and hooks", async () => {
    const r = await slapos(["plugin", "list", "--cfg", config(cache)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`acme-cache +2\\.0\\.1 +${cache.replaceAll("/", "\\/")} +binaryCache\\.lookup, binaryCache\\.download`));
  });

  test("a CommonJS plugin exporting `plugin` loads too", async () => {
    const r = await slapos(["plugin", "list", "--json", "--cfg", config(jsPlugin)]);
    expect(JSON.parse(r.stdout).map((p: { name: string }) => p.name)).toContain("plain-js");
  });

  test("a relative path is relative to the configuration file", async () => {
    const r = await slapos(["plugin", "list", "--cfg", config("./acme-cache.ts")]);
    expect(r.stdout).toContain("acme-cache");
  });

  test("a missing plugin file is refused with a line naming it", async () => {
    const r = await slapos(["plugin", "list", "--cfg", config(join(dir, "nope.ts"))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin file not found: ${join(dir, "nope.ts")}`);
  });

  test("a plugin that throws while loading is refused, naming the file", async () => {
    const broken = plugin("broken", `throw new Error("no network backend here");\nexport default {};\n`);
    const r = await slapos(["plugin", "list", "--cfg", config(broken)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin ${broken} failed to load: no network backend here`);
  });

  test("a plugin for another hooks API version is refused", async () => {
    const future = plugin("future", `export default { name: "future", version: "1.0.0", apiVersion: "^2.0.0", apply() {} };\n`);
    const r = await slapos(["plugin", "list", "--cfg", config(future)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin ${future} (future 1.0.0) needs hooks API ^2.0.0, this slapos has ${HOOKS_API_VERSION}`);
  });

  test("a file that exports no plugin is refused", async () => {
    const empty = plugin("empty", `export const x = 1;\n`);
    const r = await slapos(["plugin", "list", "--cfg", config(empty)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plugin ${empty} does not export a plugin object`);
  });

  test("an error thrown inside a tap carries the plugin's name", async () => {
    const thrower = plugin(
      "thrower",
      `export default { name: "thrower", version: "1.0.0", apiVersion: "^1.0.0",
        apply(hooks) { hooks.config.resolve.tapPromise("thrower", async () => { throw new Error("bad option"); }); } };\n`,
    );
    const caller = plugin(
      "caller",
      `export default { name: "caller", version: "1.0.0", apiVersion: "^1.0.0",
        commands: [{ name: "resolve-config", group: "other", summary: "x",
          async run(ctx) { await ctx.hooks.config.resolve.promise({}, { command: "x" }); } }],
        apply() {} };\n`,
    );
    const r = await slapos(["resolve-config", "--cfg", config(thrower, caller)], { env: { SLAPOS_CONFIGURATION: config(thrower, caller) } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("plugin thrower: config.resolve: bad option");
  });
});

describe("the plugin host", () => {
  test("records which hooks each plugin taps", async () => {
    const host = new PluginHost();
    host.add({ name: "a", version: "1", apiVersion: "^1.0.0", apply: (h) => void h.buildout.run.tapPromise("a", async () => undefined) });
    await host.applyAll((loaded) => ({ config: undefined as never, options: {}, log: undefined as never, source: loaded.source, command: "x" }));
    expect(host.loaded[0].taps).toEqual(["buildout.run"]);
  });

  test("a bail hook nobody answers is an error naming the hook", async () => {
    const host = new PluginHost();
    const error = await required(host.hooks.buildout.run, { directory: "/", argv: [], env: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(SlapError);
    expect((error as SlapError).message).toContain("buildout.run");
  });

  test("two plugins with the same name are refused", () => {
    const host = new PluginHost();
    const p = { name: "dup", version: "1", apiVersion: "^1.0.0", apply() {} };
    host.add(p);
    expect(() => host.add({ ...p })).toThrow('name "dup" is already used');
  });

  test("the catalogue is frozen", () => {
    const host = new PluginHost();
    expect(Object.isFrozen(host.hooks)).toBe(true);
    expect(Object.isFrozen(host.hooks.buildout)).toBe(true);
    expect(host.hooks.software.buildoutProfile.name).toBe("software.buildoutProfile");
  });
});
