/** Hooks of the buildout engine, shared by software and instance runs. */
import { bail, series, syncWaterfall, waterfall } from "../declare.ts";

export interface BuildoutRunInput {
  /** Folder that holds buildout.cfg. */
  directory: string;
  /** Arguments after `buildout`, e.g. ["-U", "-c", "buildout.cfg"]. */
  argv: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Seconds; undefined means no limit. */
  timeout?: number;
  /** For an instance run: the software release's folder (an external buildout uses its bin/buildout). */
  softwareDirectory?: string;
  /** Read profiles as the SlapOS fork does (`$${`, `_profile_base_location_`); the node always sets it. */
  fork?: boolean;
  /** Where output lines go as they come. */
  onOutput?: (line: string) => void;
}

export interface BuildoutRunResult {
  code: number;
  /** Combined output, for error reports. */
  output: string;
  /** The run was killed because `timeout` expired (the node reports a timeout, not a buildout failure). */
  timedOut?: boolean;
}

export interface RecipeRegistry {
  /** Register a recipe by its entry point name, e.g. "slapos.cookbook:wrapper". */
  register(entryPoint: string, recipe: unknown): void;
}

export function createBuildoutHooks() {
  return {
    buildout: {
      run: bail<BuildoutRunInput, BuildoutRunResult>(
        "run buildout in a folder; the native engine and an external buildout are two taps",
      ),
      env: syncWaterfall<Record<string, string>>("environment of a buildout child → environment"),
      recipes: series<RecipeRegistry>("register more recipes with the native engine"),
      profile: waterfall<string, { directory: string }>(
        "text of a profile → text, before the engine reads it",
      ),
    },
  };
}
