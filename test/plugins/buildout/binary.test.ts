/**
 * The commands through the compiled binary (build it first: installer/build):
 * `slapos buildout resolve` and `slapos buildout` with recipes a plugin of
 * slapos.cfg registers through the `buildout.recipes` hook.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { resolveConfig } from "../../../plugins/buildout/lang/resolve.ts";
import { slapos } from "../../helpers/binary.ts";
import { tempDir } from "../../helpers/tmp.ts";

const PLUGIN = join(import.meta.dir, "fixtures", "recipes-plugin.ts");

function folder(files: Record<string, string>): string {
  const dir = tempDir("buildout-bin-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("slapos buildout (binary)", () => {
  test("resolve prints the resolved configuration as JSON", async () => {
    const dir = folder({
      "base.cfg": "[buildout]\nparts = app\n\n[app]\nrecipe = r\nport = 80\n",
      "buildout.cfg": "[buildout]\nextends = base.cfg\n\n[app]\nurl = http://host:${:port}/\n",
    });
    const run = await slapos(["buildout", "resolve"], { cwd: dir });
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toEqual(JSON.parse(JSON.stringify(await resolveConfig({ configFile: join(dir, "buildout.cfg") }))));
    expect(printed.sections.app.url).toBe("http://host:80/");
    expect(printed.install_order).toEqual(["app"]);
  });

  test("resolve -c FILE --fork reads the fork's escapes", async () => {
    const dir = folder({ "other.cfg": "[buildout]\nparts =\n\n[s]\nx = $${i:j}\n" });
    const run = await slapos(["buildout", "resolve", "-c", join(dir, "other.cfg"), "--fork"]);
    expect(JSON.parse(run.stdout).sections.s.x).toBe("${i:j}");
  });

  test("a refused configuration prints the error class and exits 1", async () => {
    const dir = folder({ "buildout.cfg": "[buildout]\nparts =\n\n[s]\nx = ${s:x}\n" });
    const run = await slapos(["buildout", "resolve"], { cwd: dir });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: "CircularReference" });
  });

  test("buildout installs with recipes registered by a plugin, then updates", async () => {
    const dir = folder({
      "slapos.cfg": `[slapos]\nplugin_list = ${PLUGIN}\n`,
      "buildout.cfg": "[buildout]\nparts = hello\n\n[hello]\nrecipe = test:file\npath = ${buildout:directory}/hello.txt\ncontent = hi\n",
    });
    const first = await slapos(["--cfg", join(dir, "slapos.cfg"), "buildout", "-U"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("Installing hello.");
    expect(readFileSync(join(dir, "hello.txt"), "utf8")).toBe("hi");
    const second = await slapos(["--cfg", join(dir, "slapos.cfg"), "buildout", "-U", "-N"], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("Updating hello.");
    expect(readFileSync(join(dir, ".installed.cfg"), "utf8")).toContain("parts = hello\n");
  });

  test("a recipe we do not have is an error naming the recipe and the part", async () => {
    const dir = folder({ "buildout.cfg": "[buildout]\nparts = eggs\n\n[eggs]\nrecipe = zc.recipe.egg\n" });
    const run = await slapos(["buildout", "-U"], { cwd: dir, env: { SLAPOS_CONFIGURATION: join(dir, "none.cfg") } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("part [eggs] uses recipe 'zc.recipe.egg'");
  });
});
