/**
 * A run killed by SIGTERM in the middle of a part leaves .installed.cfg
 * describing exactly the parts that finished, and the next run resumes.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readInstalled } from "../../../plugins/buildout/run/installed.ts";
import { waitFor } from "../../helpers/ports.ts";
import { project } from "./run-helpers.ts";

const RUNNER = join(import.meta.dir, "fixtures", "run-with-test-recipes.ts");

function start(dir: string) {
  return Bun.spawn(["bun", RUNNER, "-U"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
}

test("SIGTERM during a part keeps .installed.cfg consistent and the next run resumes", async () => {
  const dir = project(`[buildout]
parts = first slow last

[first]
recipe = test:file
path = \${buildout:directory}/first
content = 1

[slow]
recipe = test:wait
started = \${buildout:directory}/started
release = \${buildout:directory}/release

[last]
recipe = test:file
path = \${buildout:directory}/last
content = 3
`);
  const child = start(dir);
  await waitFor(() => existsSync(join(dir, "started")), 30, "the slow part to start");
  const before = readInstalled(join(dir, ".installed.cfg"));
  expect(before.state.parts).toEqual(["first"]);
  child.kill("SIGTERM");
  expect(await child.exited).not.toBe(0);

  const after = readInstalled(join(dir, ".installed.cfg"));
  expect(after.state.parts).toEqual(["first"]);
  expect(after.state.options.get("first")?.get("__buildout_installed__")).toBe(join(dir, "first"));
  expect(existsSync(join(dir, "last"))).toBe(false);

  writeFileSync(join(dir, "release"), "");
  writeFileSync(join(dir, "calls.log"), "");
  const again = start(dir);
  expect(await again.exited).toBe(0);
  expect(readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n")).toEqual(["update first", "install slow", "install last"]);
  expect(readInstalled(join(dir, ".installed.cfg")).state.parts).toEqual(["first", "slow", "last"]);
});
