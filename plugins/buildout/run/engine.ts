/**
 * One buildout run, in process: load the configuration, initialise
 * [buildout] and then each part, constructing its recipe from the table when
 * its section finishes initialising (so a recipe may read other sections and
 * set options others reference), exactly where zc.buildout constructs it.
 */
import { dirname } from "node:path";
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import { SlapError } from "../../../core/errors.ts";
import { Buildout, splitRecipe } from "../lang/buildout.ts";
import { BuildoutError } from "../lang/errors.ts";
import type { FetchLimits } from "../lang/fetch.ts";
import { loadConfig } from "../lang/load.ts";
import { valueText, type Section, type StoredValue } from "../lang/section.ts";
import { runAsync } from "../lang/steps.ts";
import type { OptionValue, Recipe, RecipeFactory } from "../recipe-api.ts";
import type { RunLogger } from "./log.ts";
import { OptionsView } from "./options-view.ts";
import type { RecipeCatalog } from "./recipes.ts";
import { EngineView } from "./view.ts";

export interface EngineRequest {
  /** The main file, as given (relative to `cwd`). */
  configFile: string;
  cwd: string;
  /** `section:option=value` assignments (command line, or a parent's sub-buildout). */
  assignments: Array<[section: string, option: string, value: OptionValue]>;
  /** Read ~/.buildout/default.cfg (buildout without -U). */
  userDefaults: boolean;
  fork: boolean;
  recipes: RecipeCatalog;
  hooks: Hooks;
  log: RunLogger;
  limits?: FetchLimits;
}

/** A part names a recipe the table does not have. */
export class UnknownRecipeError extends BuildoutError {
  constructor(
    readonly recipe: string,
    readonly part: string,
  ) {
    super("UserError", `part [${part}] uses recipe '${recipe}', which has no native implementation`);
  }
}

/** The error of a recipe, naming the part and the recipe (unless a wrapper already did). */
export function recipeError(error: unknown, part: string, recipe: string, phase: string): SlapError {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith(`[${part}] (`)) return error instanceof SlapError ? error : new SlapError("recipe", message, { cause: error });
  const code = error instanceof SlapError ? error.code : "recipe";
  const logTail = error instanceof SlapError ? error.logTail : undefined;
  return new SlapError(code, `[${part}] (${recipe}) ${phase}: ${message}`, { cause: error, logTail });
}

/** While parts initialise nothing is changed yet, so an unknown recipe met inside a factory stays one. */
function initialisingError(error: unknown, part: string, recipe: string): unknown {
  return error instanceof UnknownRecipeError || error instanceof BuildoutError ? error : recipeError(error, part, recipe, "initialising");
}

export interface ConstructedRecipe {
  recipe: Recipe;
  factory: RecipeFactory;
  /** The recipe option as written (`dist:entry`). */
  name: string;
}

export class EngineRun {
  buildout!: Buildout;
  readonly constructed = new Map<string, ConstructedRecipe>();
  readonly views = new Map<Section, OptionsView>();
  readonly view: EngineView;

  constructor(readonly request: EngineRequest) {
    this.view = new EngineView(this);
  }

  get log(): RunLogger {
    return this.request.log;
  }

  /** Load the files and initialise [buildout] (zc.buildout's Buildout(...)). */
  async load(): Promise<void> {
    const { request } = this;
    const text: Array<[string, string, string]> = request.assignments.map(([s, o, v]) => [s, o, valueText(v as StoredValue)]);
    const hook = request.hooks.buildout.profile;
    const loaded = await loadConfig({
      configFile: request.configFile,
      cwd: request.cwd,
      assignments: text,
      userDefaults: request.userDefaults,
      fork: request.fork,
      limits: request.limits,
      transform: hook.isUsed() ? (profile, file) => hook.promise(profile, { directory: dirname(file) }) : undefined,
    });
    this.buildout = new Buildout(loaded, request.fork, (section) => this.construct(section));
    this.buildout.trackReferences = request.fork;
    for (const [section, option, value] of request.assignments) {
      if (typeof value === "string") continue;
      let preset = this.buildout.presets.get(section);
      if (!preset) this.buildout.presets.set(section, (preset = new Map()));
      preset.set(option, value as StoredValue);
    }
    await runAsync(this.buildout.start());
  }

  optionsOf(section: Section): OptionsView {
    let view = this.views.get(section);
    if (!view) this.views.set(section, (view = new OptionsView(section)));
    return view;
  }

  /** Construct the recipe of a section that just finished initialising. */
  private construct(section: Section): Promise<void> | void {
    const name = valueText(section.data.get("recipe") ?? "");
    const factory = this.request.recipes.get(splitRecipe(name, section.name).name);
    if (!factory) throw new UnknownRecipeError(name, section.name);
    const keep = (recipe: Recipe) => {
      if (!recipe || typeof recipe.install !== "function") {
        throw recipeError("the factory did not return a recipe with install()", section.name, name, "initialising");
      }
      this.constructed.set(section.name, { recipe, factory, name });
    };
    let made: Recipe | Promise<Recipe>;
    try {
      made = factory(this.view, section.name, this.optionsOf(section));
    } catch (error) {
      throw initialisingError(error, section.name, name);
    }
    if (made instanceof Promise) {
      return made.then(keep, (error) => {
        throw initialisingError(error, section.name, name);
      });
    }
    keep(made);
  }
}
