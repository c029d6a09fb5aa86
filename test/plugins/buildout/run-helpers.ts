/** Shared setup of the run-model tests: a buildout folder and an in-process run with the test recipes. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHooks } from "../../../core/hooks/catalogue.ts";
import { recipeCatalog, runBuildout, type RunBuildoutResult } from "../../../plugins/buildout/run/run.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { TEST_RECIPES } from "./fixtures/test-recipes.ts";

export interface Run extends RunBuildoutResult {
  lines: string[];
  text: string;
}

/** A fresh folder with buildout.cfg holding `profile`. */
export function project(profile: string): string {
  const dir = tempDir("buildout-run-");
  writeFileSync(join(dir, "buildout.cfg"), profile);
  return dir;
}

/** Run `buildout ARGS` in `dir` with the test recipes (and any extra ones). */
export async function buildout(dir: string, argv: string[] = [], options: { fork?: boolean; hooks?: ReturnType<typeof createHooks> } = {}): Promise<Run> {
  const lines: string[] = [];
  const hooks = options.hooks ?? createHooks();
  const recipes = await recipeCatalog(hooks);
  for (const [name, factory] of Object.entries(TEST_RECIPES)) recipes.register(name, factory);
  const result = await runBuildout({
    argv: ["-U", ...argv],
    cwd: dir,
    hooks,
    fork: options.fork ?? false,
    output: (line) => lines.push(line),
    recipes,
  });
  return { ...result, lines, text: lines.join("\n") };
}
