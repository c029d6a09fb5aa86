/**
 * Recipe tests install real profiles through the native engine: a folder
 * with buildout.cfg, `slapos buildout -U` run in process with the built-in
 * recipes and the SlapOS fork's language.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createHooks, type Hooks } from "../../../../core/hooks/catalogue.ts";
import { runBuildout, type RunBuildoutResult } from "../../../../plugins/buildout/run/run.ts";
import { tempDir } from "../../../helpers/tmp.ts";

export interface ProfileRun extends RunBuildoutResult {
  lines: string[];
  text: string;
}

/** A fresh buildout folder; `profile` becomes its buildout.cfg. */
export function project(profile: string, files: Record<string, string> = {}): string {
  const dir = tempDir("recipes-");
  writeFileSync(join(dir, "buildout.cfg"), profile);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** The [slap-connection] section of a partition profile whose master listens at `url`. */
export const slapConnection = (url: string) => `[slap-connection]
computer-id = COMP-PEER
partition-id = slappart0
server-url = ${url}
software-release-url = /srv/sr/trivial/software.cfg
key-file =
cert-file =
`;

/** Run `buildout -U ARGS` in `dir` (fork language, built-in recipes, fresh hooks unless given). */
export async function buildout(dir: string, argv: string[] = [], hooks: Hooks = createHooks()): Promise<ProfileRun> {
  const lines: string[] = [];
  const result = await runBuildout({ argv: ["-U", ...argv], cwd: dir, hooks, fork: true, output: (line) => lines.push(line) });
  return { ...result, lines, text: lines.join("\n") };
}

/** Run and fail the test with the output when the run did not succeed. */
export async function installOk(dir: string, argv: string[] = [], hooks?: Hooks): Promise<ProfileRun> {
  const run = await buildout(dir, argv, hooks);
  if (run.code !== 0) throw new Error(`buildout failed (${run.code}):\n${run.text}`);
  return run;
}

/** The part names recorded in .installed.cfg (the last `parts =` of [buildout]). */
export function installedParts(dir: string): string[] {
  const path = join(dir, ".installed.cfg");
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const blocks = [...text.matchAll(/^\[buildout\]\n(?:[^\[].*\n?)*/gm)].map((m) => m[0]);
  const last = blocks[blocks.length - 1] ?? "";
  const parts = /^parts\s*=\s*(.*(?:\n[ \t].*)*)/m.exec(last)?.[1] ?? "";
  return parts.split(/\s+/).filter(Boolean);
}

/** The text of .installed.cfg, or "" when there is none. */
export function installedText(dir: string): string {
  const path = join(dir, ".installed.cfg");
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

export function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), "utf8");
}
