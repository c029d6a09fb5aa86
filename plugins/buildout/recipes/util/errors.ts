/**
 * Recipe failures. Every error that leaves a recipe names the part and the
 * recipe (`[part] (slapos.cookbook:wrapper): message`), so a failed instance
 * run says exactly which section to look at; `wrapFactory` adds that frame
 * around the factory, install and update of every built-in recipe.
 */
import { SlapError } from "../../../../core/errors.ts";
import type { Recipe, RecipeFactory } from "../../recipe-api.ts";

/** The error code of recipe failures. */
export const RECIPE_ERROR = "recipe";

/** A plain recipe failure (zc.buildout's UserError); wrapFactory adds the part and recipe names. */
export class UserError extends SlapError {
  constructor(message: string, cause?: unknown) {
    super(RECIPE_ERROR, message, cause === undefined ? {} : { cause });
    this.name = "UserError";
  }
}

/** Marks an error as already framed with the part and recipe, so nested parts are not framed twice. */
const FRAMED = Symbol("recipe-framed");

function frame(error: unknown, part: string, entryPoint: string, phase: string): SlapError {
  if (error instanceof SlapError && (error as unknown as Record<symbol, boolean>)[FRAMED]) return error;
  const text = error instanceof Error ? error.message : String(error);
  const framed = new SlapError(
    error instanceof SlapError ? error.code : RECIPE_ERROR,
    `[${part}] (${entryPoint}) ${phase}: ${text}`,
    { cause: error, logTail: error instanceof SlapError ? error.logTail : undefined },
  );
  (framed as unknown as Record<symbol, boolean>)[FRAMED] = true;
  return framed;
}

async function guarded<T>(part: string, entryPoint: string, phase: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw frame(error, part, entryPoint, phase);
  }
}

/** The same factory, with every failure naming the part, the recipe and the phase. */
export function wrapFactory(entryPoint: string, factory: RecipeFactory): RecipeFactory {
  const wrapped: RecipeFactory = async (buildout, name, options) => {
    const recipe = await guarded(name, entryPoint, "initialising", () => factory(buildout, name, options));
    const framedRecipe: Recipe = {
      install: () => guarded(name, entryPoint, "installing", () => recipe.install()),
    };
    if (recipe.update) {
      const update = recipe.update.bind(recipe);
      framedRecipe.update = () => guarded(name, entryPoint, "updating", () => update());
    }
    return framedRecipe;
  };
  if (factory.uninstall) {
    const uninstall = factory.uninstall;
    wrapped.uninstall = (name, saved) => guarded(name, entryPoint, "uninstalling", () => uninstall(name, saved));
  }
  return wrapped;
}
