/**
 * `buildout [options] [assignments] [command [args]]` run natively, in
 * process: the entry point the CLI and the `buildout.run` tap use, and the
 * API the node runtime may call directly (runBuildout).
 */
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import { messageOf } from "../../../core/errors.ts";
import type { LevelName } from "../../../core/log/logger.ts";
import { builtinRecipes } from "../recipes/index.ts";
import type { FetchLimits } from "../lang/fetch.ts";
import { annotate, query } from "./annotate.ts";
import { parseBuildoutArgs } from "./argv.ts";
import { EngineRun, UnknownRecipeError, type EngineRequest } from "./engine.ts";
import { createDirectories, install } from "./install.ts";
import { RunLogger, thresholdFor, type LineSink } from "./log.ts";
import { RecipeCatalog } from "./recipes.ts";
import { UNKNOWN_RECIPE_EXIT } from "../exit-codes.ts";

export { UNKNOWN_RECIPE_EXIT };

export interface RunBuildoutOptions {
  /** buildout's arguments, e.g. ["-U", "-c", "buildout.cfg", "install"]. */
  argv: string[];
  /** The folder the run starts in (relative -c and the default buildout.cfg are taken from it). */
  cwd: string;
  hooks: Hooks;
  /** Language mode when argv has neither --fork nor --upstream. */
  fork: boolean;
  /** Where output lines go (buildout's messages, recipe logs, errors). */
  output: LineSink;
  /** Defaults to the built-in recipes plus those plugins register through `buildout.recipes`. */
  recipes?: RecipeCatalog;
  limits?: FetchLimits;
}

export interface RunBuildoutResult {
  /** 0 on success, 1 on failure, UNKNOWN_RECIPE_EXIT when a recipe is not native. */
  code: number;
  /** Installed parts after the run, in order (install only). */
  parts?: string[];
  /** The error, when code is not 0. */
  error?: unknown;
}

/** The recipe table: built-ins, then what plugins register through the `buildout.recipes` hook. */
export async function recipeCatalog(hooks: Hooks): Promise<RecipeCatalog> {
  const catalog = new RecipeCatalog(builtinRecipes);
  await hooks.buildout.recipes.promise(catalog);
  return catalog;
}

/** Load and run `install` (used for nested runs too): the installed parts, in order. */
export async function runInstall(request: EngineRequest, only: string[] = []): Promise<string[]> {
  const run = new EngineRun(request);
  await run.load();
  const previous = process.cwd();
  process.chdir(run.buildout.directory || request.cwd);
  try {
    return await install(run, only);
  } finally {
    process.chdir(previous);
  }
}

/** Run buildout natively. Never throws for a refused profile or a failing recipe: see `code`. */
export async function runBuildout(options: RunBuildoutOptions): Promise<RunBuildoutResult> {
  const emit = (line: string, level: LevelName = "INFO") => options.output(line, level);
  let parsed;
  try {
    parsed = parseBuildoutArgs(options.argv);
  } catch (error) {
    emit(`Error: ${messageOf(error)}`, "ERROR");
    return { code: 1, error };
  }
  if (parsed.help || parsed.version) {
    emit(parsed.version ? "buildout version 2.13.2 (slapos native engine)" : USAGE);
    return { code: 0 };
  }
  const log = new RunLogger(options.output, thresholdFor(parsed.verbosity));
  const request: EngineRequest = {
    configFile: parsed.configFile,
    cwd: options.cwd,
    assignments: parsed.assignments,
    userDefaults: parsed.userDefaults,
    fork: parsed.fork ?? options.fork,
    recipes: options.recipes ?? (await recipeCatalog(options.hooks)),
    hooks: options.hooks,
    log,
    limits: options.limits,
  };
  try {
    if (parsed.command === "install") return { code: 0, parts: await runInstall(request, parsed.args) };
    if (parsed.command === "bootstrap") {
      const run = new EngineRun(request);
      await run.load();
      createDirectories(run);
      return { code: 0 };
    }
    if (parsed.command === "annotate" || parsed.command === "query") {
      const run = new EngineRun(request);
      await run.load();
      const verbose = parsed.assignments.some(([s, o]) => s === "buildout" && o === "verbosity");
      const text = parsed.command === "annotate" ? annotate(run, parsed.args, verbose) : query(run, parsed.args, verbose);
      for (const line of text.replace(/\n$/, "").split("\n")) emit(line);
      return { code: 0 };
    }
    throw new Error(`the ${parsed.command} command is not supported by the native engine`);
  } catch (error) {
    emit(`Error: ${messageOf(error)}`, "ERROR");
    return { code: error instanceof UnknownRecipeError ? UNKNOWN_RECIPE_EXIT : 1, error };
  }
}

const USAGE = `Usage: slapos buildout [options] [assignments] [command [command arguments]]

Options:
  -c config_file   the configuration file (default: buildout.cfg)
  -N               non-newest mode (buildout:newest=false)
  -o / -O          offline mode on / off (buildout:offline=true/false)
  -n               newest mode
  -U               do not read ~/.buildout/default.cfg
  -v / -q          more / less output
  -t seconds       socket timeout
  --fork           SlapOS fork language ($\${ gives \${, \${:_profile_base_location_})
  --upstream       zc.buildout 2.13 language

Assignments: section:option=value (section defaults to buildout).

Commands:
  install [parts]          install the configured parts (default)
  annotate [sections]      show every option and where it was set
  query section:option     print an option's raw value
  bootstrap                create the buildout directories
  resolve [FILE] [--fork]  print the resolved configuration as JSON`;
