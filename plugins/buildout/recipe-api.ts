/**
 * The contract between the native buildout engine and its recipes, modelled
 * on zc.buildout's: a recipe is made from (buildout, name, options) — which is
 * when it may read other sections and set options of its own, exactly like a
 * Python recipe's __init__ — and then asked to install or update.
 *
 * The engine (plugins/buildout/run/) implements BuildoutView and Options;
 * recipes (plugins/buildout/recipes/, one file each) implement RecipeFactory
 * and are registered by their entry-point name ("slapos.cookbook:wrapper").
 */
import type { Hooks } from "../../core/hooks/catalogue.ts";
import type { Logger } from "../../core/log/logger.ts";

/**
 * A non-text option value (the SlapOS fork lets recipes store dicts, lists,
 * sets, numbers, booleans and None: slapconfiguration's `configuration`,
 * `ipv4`...). Sets are stored as sorted arrays. Text is the normal case.
 */
export type OptionValue = string | number | boolean | null | OptionValue[] | { [key: string]: OptionValue };

/** One section's options, with `${}` substitution already applied on read. */
export interface Options {
  /** The section name. */
  readonly name: string;
  /** The value, substituted; undefined when absent. */
  get(key: string): string | undefined;
  /** The value, or a MissingOption error naming the section and the option. */
  require(key: string): string;
  /** Set a value (recipes publish computed values this way; other sections may reference them). */
  set(key: string, value: string): void;
  has(key: string): boolean;
  keys(): string[];
  /**
   * zc.buildout's bool_option: "true"/"on"/"yes"/"1" and "false"/"off"/"no"/"0"
   * (any case); anything else is an InvalidBooleanOption error.
   */
  bool(key: string, fallback?: boolean): boolean;
  /**
   * (optional, fork) The value as stored, which may be non-text; text options
   * come back substituted, like get(). Recipes fall back to get() when absent.
   */
  value?(key: string): OptionValue | undefined;
  /** (optional, fork) Store a non-text value; `${}` renders it with the engine's serialisation. */
  setValue?(key: string, value: OptionValue): void;
  /** (optional) Remove an option (Python's `options.pop`). */
  delete?(key: string): void;
  /**
   * (optional) Keep these options out of `.installed.cfg` and out of the
   * reinstall comparison (generate.password's `passwd`, publish-early).
   */
  volatile?(...keys: string[]): void;
  /** (optional) zc.buildout's options.created(): paths deleted if install fails. */
  created?(...paths: string[]): void;
  /**
   * (optional) Compute options on demand (the fork's generate.password
   * serves `${gen:passwd-sha512-crypt}` this way): called when a lookup
   * (`${}`, get, value) finds no option of that name; a defined result is
   * stored as the option, undefined keeps it missing.
   */
  provide?(resolve: (key: string) => OptionValue | undefined): void;
}

/** Limits of one download. */
export interface DownloadLimits {
  /** Seconds before a network download is abandoned. */
  timeoutSeconds: number;
  /** Bytes above which a download is abandoned. */
  maxBytes: number;
}

/** A nested buildout run (switch-softwaretype), like zc.buildout's Buildout(config, options).install([]). */
export interface SubBuildoutRequest {
  /** Path of the profile to run. */
  config: string;
  /**
   * Assignments applied after every file is loaded, in order, like
   * `section:option=value` on the command line (a later one wins).
   */
  assignments: Array<[section: string, option: string, value: OptionValue]>;
}

/** What a recipe sees of the running buildout. */
export interface BuildoutView {
  /**
   * A section's options, initialising it first if needed (which may run its
   * own recipe's factory). MissingSection error when absent.
   */
  section(name: string): Promise<Options>;
  /** `[buildout]` options (directory, parts-directory, bin-directory, offline...). */
  readonly buildout: Options;
  /** The SlapOS fork's mode (`$${` and `_profile_base_location_`). */
  readonly fork: boolean;
  readonly offline: boolean;
  /** The appliance's hooks, e.g. to download through the binary cache. */
  readonly hooks: Hooks;
  readonly log: Logger;
  /** (optional) Run a nested buildout in the same process (switch-softwaretype). */
  subBuildout?(request: SubBuildoutRequest): Promise<void>;
  /**
   * (optional, engine) Substitute `${section:option}` references of a text in
   * the context of `section` (`${:x}` is that section's); the fork turns `$${` into `${`.
   */
  substitute?(text: string, section: string): Promise<string>;
  /**
   * (optional, engine) Fetch a path (relative to the buildout directory) or
   * file/http(s) URL to `destination`: HTTP through the binary cache hook
   * first, refused offline, with a timeout, a size limit (`limits`, default
   * 600 s and 8 GiB) and a live progress indicator; an md5sum mismatch
   * deletes it and fails. Returns the destination.
   */
  download?(url: string, destination: string, md5sum?: string, limits?: DownloadLimits): Promise<string>;
}

export interface Recipe {
  /** Install the part; return the paths it created (removed on uninstall). */
  install(): Promise<string[]> | string[];
  /** Called instead of install when the part's options did not change. */
  update?(): Promise<string[] | void> | string[] | void;
}

/** Makes a recipe for one part; may read other sections and set options (like __init__). */
export type RecipeFactory = ((buildout: BuildoutView, name: string, options: Options) => Recipe | Promise<Recipe>) & {
  /**
   * (optional) zc.buildout's uninstall entry point: called with the part's
   * saved options before its recorded paths are deleted.
   */
  uninstall?: (name: string, savedOptions: Record<string, string>) => Promise<void> | void;
};

/** Built-in and plugin recipes, by entry point name. */
export interface RecipeTable {
  register(entryPoint: string, factory: RecipeFactory): void;
  get(entryPoint: string): RecipeFactory | undefined;
}
