/**
 * A no-change re-run of a 50-part instance-like profile: the native engine
 * in process and through the binary (recipes from a plugin of slapos.cfg),
 * and zc.buildout 2.13 with an equivalent Python recipe when it is installed
 * (run offline). `bun test/bench/buildout/rerun.ts`
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createHooks } from "../../../core/hooks/catalogue.ts";
import type { RecipeFactory } from "../../../plugins/buildout/recipe-api.ts";
import { RecipeCatalog } from "../../../plugins/buildout/run/recipes.ts";
import { runBuildout } from "../../../plugins/buildout/run/run.ts";
import { instanceProfile } from "./generate.ts";
import { PYTHON, haveZcBuildout, median, ms, offline } from "./python.ts";

const ROOT = resolve(import.meta.dir, "../../..");
const PARTS = 50;

/** Writes `content` to `path` on install; update checks nothing (like most instance recipes on a no-change run). */
const fileRecipe: RecipeFactory = (_buildout, _name, options) => {
  const path = options.require("path");
  const content = options.require("content");
  return {
    install() {
      writeFileSync(path, content);
      return [path];
    },
    update() {},
  };
};

async function native(dir: string): Promise<number> {
  const started = performance.now();
  const result = await runBuildout({
    argv: ["-U", "-N"],
    cwd: dir,
    hooks: createHooks(),
    fork: true,
    output: () => {},
    recipes: new RecipeCatalog({ "bench:file": fileRecipe }),
  });
  if (result.code !== 0) throw new Error(`native run failed: ${String(result.error)}`);
  return performance.now() - started;
}

const dir = mkdtempSync(join(tmpdir(), "bench-rerun-"));
instanceProfile(dir, PARTS);
console.log(`profile: ${PARTS} parts, each writing one file from options that reference other sections`);
console.log(`native first install, in process:   ${ms(await native(dir))}`);
const runs: number[] = [];
for (let i = 0; i < 20; i++) runs.push(await native(dir));
console.log(`native no-change re-run, in process: median ${ms(median(runs))}, best ${ms(Math.min(...runs))} (20 runs)`);

// Through the binary, with the recipe registered by a plugin named in slapos.cfg.
const plugin = join(dir, "bench-plugin.ts");
writeFileSync(
  plugin,
  `import { writeFileSync } from "node:fs";
export default { name: "bench", version: "1.0.0", apiVersion: "^1.0.0", apply(hooks) {
  hooks.buildout.recipes.tap("bench", (r) => r.register("bench:file", (b, n, o) => {
    const path = o.require("path"), content = o.require("content");
    return { install() { writeFileSync(path, content); return [path]; }, update() {} };
  }));
} };\n`,
);
writeFileSync(join(dir, "slapos.cfg"), `[slapos]\nplugin_list = ${plugin}\n`);
const binary = join(ROOT, "dist/slapos");
const walls: number[] = [];
for (let i = 0; i < 10; i++) {
  const started = performance.now();
  const run = Bun.spawnSync([binary, "--cfg", join(dir, "slapos.cfg"), "buildout", "--fork", "-U", "-N"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  walls.push(performance.now() - started);
  if (run.exitCode !== 0) throw new Error(`binary run failed: ${run.stderr}`);
}
console.log(`slapos buildout no-change re-run:    median ${ms(median(walls))} wall, process start included (10 runs)`);

if (haveZcBuildout()) {
  const pyDir = mkdtempSync(join(tmpdir(), "bench-rerun-py-"));
  instanceProfile(pyDir, PARTS, "benchrecipe");
  const site = join(pyDir, "site");
  mkdirSync(join(site, "benchrecipe-1.0.dist-info"), { recursive: true });
  writeFileSync(join(site, "benchrecipe.py"), `class Recipe:
    def __init__(self, buildout, name, options):
        self.options = options
    def install(self):
        with open(self.options['path'], 'w') as f:
            f.write(self.options['content'])
        return [self.options['path']]
    def update(self):
        pass
`);
  writeFileSync(join(site, "benchrecipe-1.0.dist-info", "METADATA"), "Metadata-Version: 2.1\nName: benchrecipe\nVersion: 1.0\n");
  writeFileSync(join(site, "benchrecipe-1.0.dist-info", "entry_points.txt"), "[zc.buildout]\ndefault = benchrecipe:Recipe\n");
  const main = `import collections, collections.abc; collections.MutableMapping = collections.abc.MutableMapping
import sys, zc.buildout.buildout; zc.buildout.buildout.main(sys.argv[1:])`;
  const command = `${PYTHON} -c '${main}' -U -N`;
  const first = offline(command, pyDir, { PYTHONPATH: site });
  if (first.code !== 0) throw new Error(`zc.buildout failed: ${first.stdout}${first.stderr}`);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) times.push(offline(command, pyDir, { PYTHONPATH: site }).ms);
  console.log(`zc.buildout 2.13 no-change re-run:   median ${ms(median(times))} wall (3 runs)`);
  rmSync(pyDir, { recursive: true, force: true });
} else {
  console.log("zc.buildout 2.13 not installed (apt-get install python3-zc.buildout): no comparison");
}
rmSync(dir, { recursive: true, force: true });
