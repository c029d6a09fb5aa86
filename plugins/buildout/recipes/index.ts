/**
 * Placeholder until the recipes helper's index.ts lands: the built-in
 * recipes by entry-point name ("slapos.cookbook:wrapper"). That file owns
 * this export; the engine only imports it.
 */
import type { RecipeFactory } from "../recipe-api.ts";

export const builtinRecipes: Record<string, RecipeFactory> = {};
