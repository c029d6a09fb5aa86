/**
 * The evaluated buildout (the second half of zc.buildout's Buildout.__init__
 * and the part list of `install`): sections are initialised lazily on first
 * access, [buildout] first; a section with a recipe joins the parts list when
 * its initialisation finishes, so dependencies come first and referenced
 * recipe sections are included even when `parts` does not name them.
 */
import { BuildoutError } from "./errors.ts";
import { boolOption } from "./open.ts";
import { isAbs, join } from "./pypath.ts";
import { splitWords, strip } from "./pystr.ts";
import { BUILDOUT_DEFAULTS, type LoadedConfig } from "./load.ts";
import { Section, valueText, type StoredValue } from "./section.ts";
import type { AnnotatedConfig } from "./section-key.ts";
import type { Step } from "./steps.ts";

/** Called when a section with a recipe finishes initialising (constructs its recipe in a run). */
export type RecipeInitializer = (section: Section) => Promise<void> | void;

const LOG_LEVELS = new Set(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]);

/** Python's int() on text. */
function pyInt(text: string): number | undefined {
  const m = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(text);
  return m ? Number(m[1].replaceAll("_", "")) : undefined;
}

/** `recipe = dist[:entry]`: the distribution and the entry point (default "default"). */
export function splitRecipe(recipe: string, part: string): { dist: string; entry: string; name: string } {
  const pieces = recipe.split(":");
  if (pieces.length > 2) {
    throw new BuildoutError("ValueError", `[${part}] recipe '${recipe}': too many values to unpack (more than one colon)`);
  }
  const dist = pieces[0];
  const entry = pieces.length === 2 ? pieces[1] : "default";
  return { dist, entry, name: `${dist}:${entry}` };
}

export class Buildout {
  readonly raw: Map<string, Map<string, string>>;
  readonly sections = new Map<string, Section>();
  /** Sections with a recipe, in the order their initialisation finished. */
  readonly parts: string[] = [];
  offline = false;
  newest = true;
  /** `[buildout] directory`, once known. */
  directory = "";
  /** Record which sections each section references (for the fork's dependency signatures). */
  trackReferences = false;
  /** Structured values assigned from outside (a parent buildout's sub-buildout request), by section. */
  readonly presets = new Map<string, Map<string, StoredValue>>();

  constructor(
    readonly loaded: LoadedConfig,
    readonly fork: boolean,
    private readonly recipeInitializer?: RecipeInitializer,
  ) {
    this.raw = new Map();
    for (const [name, section] of loaded.annotated) {
      const plain = new Map<string, string>();
      for (const [key, value] of section) plain.set(key, value.value);
      this.raw.set(name, plain);
    }
  }

  get annotated(): AnnotatedConfig {
    return this.loaded.annotated;
  }

  /** Buildout.__getitem__: the section, initialised on first access. */
  *section(name: string, ref?: string, from?: string): Step<Section> {
    const existing = this.sections.get(name);
    if (existing) return existing;
    const raw = this.raw.get(name);
    if (!raw) {
      const where = ref ? ` (${ref} in section [${from}])` : "";
      throw new BuildoutError("MissingSection", `The referenced section, '${name}', was not defined.${where}`);
    }
    const section = new Section(this, name, raw);
    const preset = this.presets.get(name);
    if (preset) for (const [key, value] of preset) section.data.set(key, value);
    this.sections.set(name, section);
    yield* section.initialize();
    return section;
  }

  /** Options.initialize: validate the recipe string, then let the run construct it. */
  *initializeRecipe(section: Section): Step<void> {
    splitRecipe(valueText(section.data.get("recipe") ?? ""), section.name);
    const pending = this.recipeInitializer?.(section);
    if (pending) yield pending;
  }

  /** An option of a section that must exist (Options.__getitem__). */
  *require(section: Section, option: string): Step<StoredValue> {
    const value = yield* section.get(option);
    if (value === undefined) throw new BuildoutError("MissingOption", `Missing option: ${section.name}:${option}`);
    return value;
  }

  private path(name: string): string {
    return name.includes("${") ? name : join(this.directory, name);
  }

  private *boolean(section: Section, name: string, fallback?: string): Step<boolean> {
    const value = yield* section.get(name);
    const text = value === undefined ? fallback : valueText(value);
    return boolOption(new Map(text === undefined ? [] : [[name, text]]), name);
  }

  /** Initialise [buildout] and the settings zc.buildout derives from it, in its order. */
  *start(): Step<Section> {
    const rawBuildout = this.raw.get("buildout")!;
    if (rawBuildout.has("directory")) {
      this.directory = rawBuildout.get("directory")!;
      for (const name of ["bin", "parts", "eggs", "develop-eggs"]) {
        const key = `${name}-directory`;
        rawBuildout.set(key, this.path(rawBuildout.get(key) ?? ""));
      }
    }
    this.offline = boolOption(rawBuildout, "offline");
    this.newest = !this.offline && boolOption(rawBuildout, "newest");

    const options = yield* this.section("buildout");
    yield* options.get("find-links");
    yield* this.require(options, "allow-hosts");
    this.directory = valueText(yield* this.require(options, "directory"));
    for (const name of ["bin", "parts", "eggs", "develop-eggs"]) {
      const key = `${name}-directory`;
      options.set(key, this.path(valueText(yield* this.require(options, key))));
    }
    const installed = valueText(yield* this.require(options, "installed"));
    if (installed) options.set("installed", join(valueText(yield* this.require(options, "directory")), installed));

    yield* this.require(options, "log-format");
    const level = valueText(yield* this.require(options, "log-level"));
    if (!LOG_LEVELS.has(level) && pyInt(level) === undefined) throw new BuildoutError("UserError", `Invalid logging level ${level}`);
    const verbosity = yield* options.get("verbosity");
    if (verbosity !== undefined && pyInt(valueText(verbosity)) === undefined) {
      throw new BuildoutError("UserError", `Invalid verbosity ${valueText(verbosity)}`);
    }
    yield* this.require(options, "socket-timeout");

    if (this.loaded.versionsSection) yield* this.section(this.loaded.versionsSection);
    yield* this.require(options, "versions");
    for (const name of ["prefer-final", "use-dependency-links", "allow-picked-versions", "show-picked-versions"]) {
      yield* this.boolean(options, name);
    }
    yield* this.require(options, "update-versions-file");
    yield* options.get("download-cache");
    yield* options.get("extends-cache");
    yield* this.boolean(options, "abi-tag-eggs", "false");
    yield* options.get("eggs-directory");
    if ((yield* this.boolean(options, "install-from-cache")) && this.offline) {
      throw new BuildoutError("UserError", "install-from-cache can't be used with offline mode.");
    }
    for (const [name] of BUILDOUT_DEFAULTS) yield* this.require(options, name);
    return options;
  }

  /** The parts `install` would handle: `parts` read, each part's recipe read, then the initialisation order. */
  *computeParts(): Step<string[]> {
    const options = yield* this.section("buildout");
    const names = splitWords(valueText(yield* this.require(options, "parts")));
    for (const name of names) {
      const section = yield* this.section(name);
      yield* this.require(section, "recipe");
    }
    return [...this.parts];
  }

  /** A directory option as an absolute path (relative ones against the buildout directory). */
  absolute(path: string): string {
    return isAbs(path) ? path : join(this.directory, strip(path));
  }
}
