/**
 * `buildout install` (zc.buildout's Buildout.install): compute the parts,
 * uninstall the installed parts that are gone or whose options (signature
 * included) changed or whose files disappeared, then install or update each
 * part in order, saving `.installed.cfg` after every step. A failing recipe
 * names its part and recipe, and leaves that part uninstalled.
 */
import { existsSync, lstatSync, mkdirSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { isAbs, join } from "../lang/pypath.ts";
import { pyRepr, splitWords, sorted } from "../lang/pystr.ts";
import { valueText, type Section } from "../lang/section.ts";
import { runAsync } from "../lang/steps.ts";
import { splitRecipe } from "../lang/buildout.ts";
import { recipeError, type EngineRun } from "./engine.ts";
import { InstalledFile, readInstalled, type InstalledState, type PartOptions } from "./installed.ts";

const INSTALLED = "__buildout_installed__";
const SIGNATURE = "__buildout_signature__";

function seconds(start: number): string {
  return ((performance.now() - start) / 1000).toFixed(2);
}

/** The options saved for a part (Options.copy(): stored values, nothing re-read), volatile ones left out. */
function savedOptions(run: EngineRun, section: Section): PartOptions {
  const view = run.optionsOf(section);
  const out: PartOptions = new Map();
  for (const [key, value] of section.copy()) if (!view.volatileKeys.has(key)) out.set(key, valueText(value));
  return out;
}

function sameOptions(a: PartOptions, b: PartOptions): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

/** Delete the paths a part recorded (relative ones are under the buildout directory). */
function removePaths(run: EngineRun, installed: string): void {
  for (const line of installed.split("\n")) {
    if (!line) continue;
    const path = isAbs(line) ? line : join(run.buildout.directory, line);
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      continue;
    }
    rmSync(path, { recursive: stat.isDirectory(), force: true });
  }
}

/** Parts a section references, directly or through sections that are not parts, sorted. */
function referencedParts(run: EngineRun, start: string, partSet: Set<string>): string[] {
  const found = new Set<string>();
  const seen = new Set<string>([start]);
  const queue = [...(run.buildout.sections.get(start)?.references ?? [])];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (partSet.has(name)) found.add(name);
    else queue.push(...(run.buildout.sections.get(name)?.references ?? []));
  }
  return sorted(found);
}

/**
 * `__buildout_signature__`: the recipe's name; the fork adds each referenced
 * part with a hash of its options and signature, so a change in a dependency
 * reinstalls its dependents.
 */
function signatures(run: EngineRun, parts: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const partSet = new Set(run.buildout.parts);
  const compute = (part: string, doing: Set<string>): string => {
    const done = out.get(part);
    if (done !== undefined) return done;
    const section = run.buildout.sections.get(part)!;
    const recipe = splitRecipe(valueText(section.data.get("recipe") ?? ""), part).name;
    let signature = `${recipe}-native`;
    if (run.buildout.fork && section.references && !doing.has(part)) {
      doing.add(part);
      const deps: string[] = [];
      for (const dep of referencedParts(run, part, partSet)) {
        const options = savedOptions(run, run.buildout.sections.get(dep)!);
        const text = sorted(options.keys()).map((k) => `${k}=${options.get(k)}`).join("\n") + "\n" + compute(dep, doing);
        deps.push(`${dep}:${createHash("md5").update(text).digest("hex")}`);
      }
      doing.delete(part);
      if (deps.length) signature += " " + deps.join(" ");
    }
    out.set(part, signature);
    return signature;
  };
  for (const part of parts) compute(part, new Set());
  return out;
}

async function uninstallPart(run: EngineRun, part: string, state: InstalledState): Promise<void> {
  run.log.info(`Uninstalling ${part}.`);
  const saved = state.options.get(part) ?? new Map();
  const recipe = saved.get("recipe");
  const factory = recipe ? run.request.recipes.get(splitRecipe(recipe, part).name) : undefined;
  if (factory?.uninstall) {
    run.log.info("Running uninstall recipe.");
    try {
      await factory.uninstall(part, Object.fromEntries(saved));
    } catch (error) {
      throw recipeError(error, part, recipe!, "uninstalling");
    }
  }
  removePaths(run, saved.get(INSTALLED) ?? "");
}

/**
 * [buildout] options the SlapOS node writes into every software buildout.cfg;
 * in SlapOS profiles the fork's extensions (slapos.extension.shared) read
 * them, and the native engine stands in for those extensions.
 */
const NODE_BUILDOUT_OPTIONS = new Set(["shared-part-list", "build-time-part-list"]);

/**
 * zc.buildout's check for options nothing read, in the message of the
 * language mode (2.13, or the fork's 3.0 wording). The fork also sets
 * `_profile_base_location_` on sections and never reports it.
 */
function warnUnused(run: EngineRun, section: Section): void {
  const fork = run.buildout.fork;
  const unused = sorted(section.raw.keys()).filter((key) => {
    if (section.data.has(key)) return false;
    if (!fork) return true;
    return key !== "_profile_base_location_" && !(section.name === "buildout" && NODE_BUILDOUT_OPTIONS.has(key));
  });
  if (!unused.length) return;
  const names = unused.map((key) => pyRepr(key)).join(" ");
  run.log.warning(
    fork
      ? `Section \`${section.name}\` contains unused option(s): ${names}.\nThis may be an indication for either a typo in the option's name or a bug in the used recipe.`
      : `Unused options for ${section.name}: ${names}.`,
  );
}

/** Create the buildout's directories (caches, bin, parts, develop-eggs) that are missing. */
export function createDirectories(run: EngineRun): void {
  const options = run.buildout.sections.get("buildout")!;
  const read = (key: string) => valueText(options.data.get(key) ?? options.raw.get(key) ?? "");
  for (const key of ["download-cache", "extends-cache", "eggs-directory", "bin-directory", "parts-directory", "develop-eggs-directory"]) {
    const value = read(key);
    if (!value) continue;
    const path = isAbs(value) ? value : join(run.buildout.directory, value);
    if (existsSync(path)) continue;
    run.log.info(`Creating directory '${path}'.`);
    mkdirSync(path, { recursive: true });
  }
}

/** Run one recipe call with options.created() active; created paths are removed if it throws. */
async function call<T>(run: EngineRun, part: string, fn: () => Promise<T> | T): Promise<T> {
  const view = run.optionsOf(run.buildout.sections.get(part)!);
  view.createdPaths = [];
  try {
    return await fn();
  } catch (error) {
    for (const path of view.createdPaths) rmSync(path, { recursive: true, force: true });
    throw error;
  } finally {
    view.createdPaths = undefined;
  }
}

function pathList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  return [...(value as Iterable<string>)].map(String);
}

/** Install or update the parts; `only` limits the run to those parts (and uninstalls nothing else). */
export async function install(run: EngineRun, only: string[]): Promise<string[]> {
  const buildout = run.buildout;
  const options = buildout.sections.get("buildout")!;
  const extensions = valueText((await runAsync(options.get("extensions"))) ?? "").trim();
  if (extensions) run.log.warning(`Extensions are not loaded by the native engine: ${splitWords(extensions).join(" ")}.`);
  if (valueText((await runAsync(options.get("develop"))) ?? "").trim()) {
    run.log.warning("The native engine does not develop eggs: [buildout] develop is ignored.");
  }
  createDirectories(run);

  const installedPath = valueText((await runAsync(options.get("installed"))) ?? "");
  const { state, exists } = readInstalled(installedPath);
  const file = new InstalledFile(installedPath, exists, state);
  const configured = splitWords(valueText(await runAsync(buildout.require(options, "parts"))));
  const uninstallMissing = only.length === 0;
  for (const part of uninstallMissing ? configured : only) {
    await runAsync(buildout.require(await runAsync(buildout.section(part)), "recipe"));
  }
  const parts = uninstallMissing ? [...buildout.parts] : only;
  const signature = signatures(run, parts);
  try {
    return await installParts(run, parts, uninstallMissing, signature, state, file);
  } finally {
    file.compact(state);
  }
}

async function installParts(
  run: EngineRun,
  parts: string[],
  uninstallMissing: boolean,
  signature: Map<string, string>,
  state: InstalledState,
  file: InstalledFile,
): Promise<string[]> {
  const buildout = run.buildout;
  const options = buildout.sections.get("buildout")!;
  const wanted = new Set(parts);
  let uninstalled = false;
  for (const part of [...state.parts].reverse()) {
    if (wanted.has(part)) {
      const old = new Map(state.options.get(part) ?? []);
      const files = old.get(INSTALLED) ?? "";
      old.delete(INSTALLED);
      const now = savedOptions(run, buildout.sections.get(part)!);
      now.set(SIGNATURE, signature.get(part)!);
      if (sameOptions(old, now)) {
        if (!files) continue;
        const missing = files.split("\n").find((f) => !existsSync(isAbs(f) ? f : join(buildout.directory, f)));
        if (missing === undefined) continue;
        run.log.debug(`Part ${part}: ${missing} is missing.`);
      } else {
        for (const [key, value] of now) if (old.get(key) !== value) run.log.debug(`Part ${part}, option ${key} changed.`);
      }
    } else if (!uninstallMissing) continue;
    await uninstallPart(run, part, state);
    state.parts = state.parts.filter((p) => p !== part);
    file.save(state);
    uninstalled = true;
  }
  // Drop the uninstalled parts' sections, so parts reinstalled below are appended.
  if (uninstalled) file.compact(state);
  warnUnused(run, options);

  // Parts this run does not handle keep their place first; handled ones follow in run order
  // (zc.buildout's final order), so a run that changes nothing rewrites nothing.
  const untouched = state.parts.filter((p) => !wanted.has(p));
  const done: string[] = [];
  const installedBefore = new Set(state.parts);
  // Installed parts this run handles and has not reached yet, in their order; while the
  // run meets them in that order, state.parts stays untouched + done + rest as it is.
  const rest = state.parts.filter((p) => wanted.has(p));
  let restStart = 0;
  let ordered = untouched.every((p, i) => state.parts[i] === p);
  for (const part of parts) {
    const section = buildout.sections.get(part)!;
    const made = run.constructed.get(part)!;
    const saved = savedOptions(run, section);
    saved.delete(SIGNATURE);
    const started = performance.now();
    let files: string[];
    const updated = installedBefore.has(part);
    if (updated) {
      run.log.info(`Updating ${part}.`);
      const old = (state.options.get(part)?.get(INSTALLED) ?? "").split("\n").filter(Boolean);
      let update = made.recipe.update?.bind(made.recipe);
      if (!update) {
        run.log.warning(`The recipe for ${part} doesn't define an update method. Using its install method.`);
        update = made.recipe.install.bind(made.recipe);
      }
      let returned: unknown;
      try {
        returned = await call(run, part, update);
      } catch (error) {
        state.parts = state.parts.filter((p) => p !== part);
        removePaths(run, old.join("\n"));
        file.save(state);
        throw recipeError(error, part, made.name, "updating");
      }
      files = returned === undefined ? old : [...old, ...pathList(returned).filter((p) => !old.includes(p))];
      run.log.info(`Updated ${part} (${seconds(started)}s).`);
    } else {
      run.log.info(`Installing ${part}.`);
      let returned: unknown;
      try {
        returned = await call(run, part, () => made.recipe.install());
      } catch (error) {
        throw recipeError(error, part, made.name, "installing");
      }
      if (returned === undefined || returned === null) {
        run.log.warning(`The ${part} install returned None.  A path or iterable os paths should be returned.`);
      }
      files = pathList(returned);
      run.log.info(`Installed ${part} (${seconds(started)}s).`);
    }
    saved.set(INSTALLED, files.join("\n"));
    saved.set(SIGNATURE, signature.get(part)!);
    state.options.set(part, saved);
    done.push(part);
    if (ordered && rest[restStart] === part) restStart++;
    else {
      const at = rest.indexOf(part, restStart);
      if (at >= 0) rest.splice(at, 1);
      state.parts = [...untouched, ...done, ...rest.slice(restStart)];
      ordered = true;
    }
    // An updated part has exactly the options of its install, which this check already
    // reported (any change reinstalls); native recipes read on update only what updating
    // needs, so checking again would report options the install did use.
    if (!updated) warnUnused(run, section);
    file.save(state, [part]);
  }
  return state.parts;
}
