/**
 * The two taps of `buildout.run`. The native one runs our own binary
 * (`slapos buildout`) in the folder, as a child with the node's rules
 * (clean environment, umask 027, privilege drop, timeout); when a part needs
 * a recipe we do not have and `[slapos] buildout` names an external
 * buildout, it answers nothing and the external tap runs the whole profile
 * with that binary instead (node-runtime.md §2.4: shebang split, then the
 * binary and its arguments).
 */
import { existsSync, openSync, readSync, closeSync } from "node:fs";
import { join } from "node:path";
import type { BuildoutRunInput, BuildoutRunResult } from "../../core/hooks/groups/buildout.ts";
import type { Logger } from "../../core/log/logger.ts";
import { selfCommand } from "../../core/node/self.ts";
import { runChild } from "../../core/node/spawn.ts";
import { UNKNOWN_RECIPE_EXIT } from "./exit-codes.ts";


/** The interpreter line of a script, split as the reference does (avoids the kernel's shebang length limit). */
export function shebangCommand(binary: string): string[] {
  let first = "";
  try {
    const fd = openSync(binary, "r");
    const buffer = Buffer.alloc(512);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
    first = buffer.subarray(0, n).toString("utf8").split("\n")[0];
  } catch {
    return [binary];
  }
  if (!first.startsWith("#!")) return [binary];
  return [...first.slice(2).trim().split(/\s+/).filter(Boolean), binary];
}

function owner(input: BuildoutRunInput) {
  return input.uid !== undefined && input.gid !== undefined ? { uid: input.uid, gid: input.gid } : undefined;
}

/** The native engine, in a child `slapos buildout` (so privileges, environment and timeout apply to recipes too). */
export async function runNative(
  input: BuildoutRunInput,
  settings: { configPath?: string; external?: string; log: Logger },
): Promise<BuildoutRunResult | undefined> {
  const argv = [
    ...selfCommand(),
    ...(settings.configPath ? ["--cfg", settings.configPath] : []),
    "buildout",
    "--no-delegate",
    input.fork ? "--fork" : "--upstream",
    ...input.argv,
  ];
  const result = await runBuildoutChild(argv, input, settings.log);
  if (result.code === UNKNOWN_RECIPE_EXIT && settings.external) {
    settings.log.info(`A recipe is not native: running the profile with ${settings.external}`);
    return undefined;
  }
  return result;
}

/** Run a buildout child with the node's spawning rules; a timeout fails the run and says so. */
async function runBuildoutChild(argv: string[], input: BuildoutRunInput, log: Logger): Promise<BuildoutRunResult> {
  const result = await runChild(argv, {
    cwd: input.directory,
    env: input.env,
    owner: owner(input),
    timeout: input.timeout,
    umask: 0o027,
    logger: log,
    onLine: input.onOutput,
  });
  const timeout = result.timedOut ? `\nbuildout timed out after ${input.timeout}s\n` : "";
  return { code: result.timedOut && !result.code ? 1 : result.code, output: result.output + timeout, timedOut: result.timedOut };
}

/** The external buildout named by `[slapos] buildout` (the software release's own bin/buildout when it has one). */
export async function runExternal(
  input: BuildoutRunInput,
  settings: { external?: string; log: Logger },
): Promise<BuildoutRunResult | undefined> {
  if (!settings.external) return undefined;
  const own = join(input.softwareDirectory ?? input.directory, "bin", "buildout");
  const binary = existsSync(own) ? own : settings.external;
  return runBuildoutChild([...shebangCommand(binary), ...input.argv], input, settings.log);
}
