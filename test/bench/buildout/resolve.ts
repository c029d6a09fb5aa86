/**
 * Resolve time of a 40-file extends tree with 2,000 options: our resolver in
 * process and through the binary, and the real zc.buildout 2.13 when it is
 * installed (run offline). `bun test/bench/buildout/resolve.ts`
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { resolveConfig } from "../../../plugins/buildout/lang/resolve.ts";
import { extendsTree } from "./generate.ts";
import { PYTHON, haveZcBuildout, median, ms, offline } from "./python.ts";

const ROOT = resolve(import.meta.dir, "../../..");
const dir = mkdtempSync(join(tmpdir(), "bench-resolve-"));
const main = extendsTree(dir);
const files = readdirSync(join(dir, "stack")).length + 1;

const first = await resolveConfig({ configFile: main });
const options = Object.values(first.sections).reduce((n, s) => n + Object.keys(s).length, 0);
const written = (await Promise.all([main, ...readdirSync(join(dir, "stack")).map((f) => join(dir, "stack", f))].map((p) => Bun.file(p).text())))
  .join("\n")
  .split("\n")
  .filter((line) => /^[^\s\[#;][^=]*=/.test(line) && !line.startsWith("extends") && !line.startsWith("<=")).length;
console.log(`profile: ${files} files, ${written} options written, ${options} after macros and merges, ${first.install_order.length} parts`);

const times: number[] = [];
for (let i = 0; i < 40; i++) {
  const started = performance.now();
  await resolveConfig({ configFile: main });
  times.push(performance.now() - started);
}
console.log(`native resolve, in process:      median ${ms(median(times))}, best ${ms(Math.min(...times))} (40 runs)`);

const binary = join(ROOT, "dist/slapos");
const walls: number[] = [];
for (let i = 0; i < 10; i++) {
  const started = performance.now();
  const run = Bun.spawnSync([binary, "buildout", "resolve", main], { stdout: "pipe" });
  walls.push(performance.now() - started);
  if (run.exitCode !== 0) throw new Error("slapos buildout resolve failed");
}
console.log(`slapos buildout resolve (binary): median ${ms(median(walls))} wall, process start included (10 runs)`);

if (haveZcBuildout()) {
  const driver = join(ROOT, "test/plugins/buildout/oracle");
  const script = `import sys, time; sys.path.insert(0, ${JSON.stringify(driver)}); import driver
t = []
for i in range(5):
    s = time.perf_counter(); r, code = driver.answer(${JSON.stringify(main)}); t.append(time.perf_counter() - s)
    assert code == 0, r
t.sort(); print(t[len(t)//2] * 1000, t[0] * 1000)`;
  const inProcess = offline(`${PYTHON} -c '${script.replaceAll("'", "'\\''")}'`, dir);
  const [med, best] = inProcess.stdout.trim().split(/\s+/).map(Number);
  console.log(`zc.buildout 2.13, in process:    median ${ms(med)}, best ${ms(best)} (5 runs)`);
  const whole: number[] = [];
  for (let i = 0; i < 3; i++) whole.push(offline(`${PYTHON} ${join(driver, "driver.py")} ${main} > /dev/null`, dir).ms);
  console.log(`zc.buildout 2.13, whole process: median ${ms(median(whole))} wall (3 runs)`);
  const same = offline(`${PYTHON} ${join(driver, "driver.py")} ${main}`, dir).stdout;
  console.log(`same result as zc.buildout: ${JSON.stringify(JSON.parse(same).sections) === JSON.stringify(JSON.parse(JSON.stringify(first.sections))) ? "yes" : "NO"}`);
} else {
  console.log("zc.buildout 2.13 not installed (apt-get install python3-zc.buildout): no comparison");
}
rmSync(dir, { recursive: true, force: true });
