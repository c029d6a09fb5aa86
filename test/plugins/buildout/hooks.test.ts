/**
 * The buildout plugin on the hook bus: recipes registered by plugins,
 * profiles transformed before they are read, the native and external taps
 * of `buildout.run`, and what recipes see of the buildout (substitution,
 * nested runs).
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHooks } from "../../../core/hooks/catalogue.ts";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { log } from "../../../core/log/logger.ts";
import plugin from "../../../plugins/buildout/index.ts";
import type { RecipeFactory } from "../../../plugins/buildout/recipe-api.ts";
import { recipeCatalog } from "../../../plugins/buildout/run/run.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { buildout, project } from "./run-helpers.ts";

const RECIPES_PLUGIN = join(import.meta.dir, "fixtures", "recipes-plugin.ts");

function applied(config: SlapConfig) {
  const hooks = createHooks();
  plugin.apply(hooks, { config, options: {}, log: log.child("buildout"), source: "built-in", command: "test" });
  return hooks;
}

function slaposCfg(extra = ""): SlapConfig {
  const dir = tempDir("buildout-cfg-");
  const path = join(dir, "slapos.cfg");
  writeFileSync(path, `[slapos]\nplugin_list = ${RECIPES_PLUGIN}\n${extra}`);
  return SlapConfig.load(path);
}

describe("hooks", () => {
  test("plugins register recipes through buildout.recipes", async () => {
    const hooks = createHooks();
    const factory: RecipeFactory = () => ({ install: () => [] });
    hooks.buildout.recipes.tap("mine", (registry) => registry.register("acme.recipe:thing", factory));
    const catalog = await recipeCatalog(hooks);
    expect(catalog.get("Acme.Recipe==1.0:thing")).toBe(factory);
  });

  test("buildout.profile transforms every file before it is read", async () => {
    const hooks = createHooks();
    hooks.buildout.profile.tap("upper", (text) => text.replace("@@PART@@", "p"));
    const dir = project(`[buildout]\nparts = @@PART@@\n\n[p]\nrecipe = test:file\npath = \${buildout:directory}/out\ncontent = x\n`);
    const run = await buildout(dir, [], { hooks });
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, "out"))).toBe(true);
  });

  test("the native tap runs the profile in a child slapos with the plugins of slapos.cfg", async () => {
    const hooks = applied(slaposCfg());
    const dir = project(`[buildout]\nparts = p\n\n[p]\nrecipe = test:file\npath = \${buildout:directory}/out\ncontent = native\n`);
    const lines: string[] = [];
    const result = await hooks.buildout.run.promise({
      directory: dir,
      argv: ["-U"],
      env: { ...process.env } as Record<string, string>,
      fork: true,
      onOutput: (line) => lines.push(line),
    });
    expect(result?.code).toBe(0);
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("native");
    expect(lines).toContain("Installing p.");
  });

  test("a profile with a recipe we lack goes whole to the external buildout of [slapos] buildout", async () => {
    const bin = tempDir("buildout-external-");
    const fake = join(bin, "buildout");
    writeFileSync(fake, `#!/bin/sh\necho "external buildout $*"\necho "$*" > "$PWD/external.log"\n`);
    chmodSync(fake, 0o755);
    const hooks = applied(slaposCfg(`buildout = ${fake}\n`));
    const dir = project(`[buildout]\nparts = p q\n\n[p]\nrecipe = test:file\npath = \${buildout:directory}/out\n\n[q]\nrecipe = zc.recipe.egg\n`);
    const result = await hooks.buildout.run.promise({ directory: dir, argv: ["-U"], env: { ...process.env } as Record<string, string>, fork: true });
    expect(result?.code).toBe(0);
    expect(readFileSync(join(dir, "external.log"), "utf8").trim()).toBe("-U");
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(result?.output).toContain("external buildout -U");
  });

  test("without an external buildout, a recipe we lack fails naming it", async () => {
    const hooks = applied(slaposCfg());
    const dir = project(`[buildout]\nparts = q\n\n[q]\nrecipe = zc.recipe.egg\n`);
    const result = await hooks.buildout.run.promise({ directory: dir, argv: ["-U"], env: { ...process.env } as Record<string, string> });
    expect(result?.code).not.toBe(0);
    expect(result?.output).toContain("part [q] uses recipe 'zc.recipe.egg'");
  });
});

describe("what recipes see", () => {
  test("substitute renders a template in a section's context, the fork unescaping $${", async () => {
    const seen: string[] = [];
    const hooks = createHooks();
    hooks.buildout.recipes.tap("t", (registry) =>
      registry.register("t:render", (async (view: { substitute(t: string, s: string): Promise<string> }, name: string) => {
        seen.push(await view.substitute("port=${:port} host=${net:host} keep=$${instance:x}", name));
        return { install: () => [] };
      }) as unknown as RecipeFactory),
    );
    const dir = project(`[buildout]\nparts = r\n\n[net]\nhost = h\n\n[r]\nrecipe = t:render\nport = 80\n`);
    const run = await buildout(dir, [], { hooks, fork: true });
    expect(run.code).toBe(0);
    expect(seen).toEqual(["port=80 host=h keep=${instance:x}"]);
  });

  test("subBuildout runs a nested profile with assignments, in the same folder", async () => {
    const hooks = createHooks();
    hooks.buildout.recipes.tap("t", (registry) =>
      registry.register("t:switch", ((view: { subBuildout(r: unknown): Promise<void> }, name: string, options: { require(k: string): string }) => ({
        async install() {
          await view.subBuildout({
            config: options.require("profile"),
            assignments: [
              ["buildout", "installed", `.installed-${name}.cfg`],
              ["slap-configuration", "configuration", { size: 3 }],
            ],
          });
          return [];
        },
      })) as unknown as RecipeFactory),
    );
    const dir = project(`[buildout]\nparts = switch\n\n[switch]\nrecipe = t:switch\nprofile = \${buildout:directory}/inner.cfg\n`);
    writeFileSync(
      join(dir, "inner.cfg"),
      `[buildout]\nparts = p\n\n[slap-configuration]\n\n[p]\nrecipe = test:file\npath = \${buildout:directory}/inner.txt\ncontent = \${slap-configuration:configuration}\n`,
    );
    const run = await buildout(dir, [], { hooks, fork: true });
    expect(run.code).toBe(0);
    expect(readFileSync(join(dir, "inner.txt"), "utf8")).toBe('{"size":3}');
    expect(existsSync(join(dir, ".installed-switch.cfg"))).toBe(true);
  });
});
