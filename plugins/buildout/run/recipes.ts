/**
 * The recipe table: native recipes by entry-point name ("dist:entry"), as
 * setuptools would find them. Lookups ignore a version spec or extras on the
 * distribution (`slapos.cookbook==1.0`), compare distribution names the way
 * setuptools does (case-insensitive, `_` and `-` alike), and treat "dist"
 * and "dist:default" as the same entry point.
 */
import type { RecipeFactory, RecipeTable } from "../recipe-api.ts";

/** The canonical key of an entry-point name. */
export function recipeKey(entryPoint: string): string {
  const colon = entryPoint.indexOf(":");
  const dist = colon < 0 ? entryPoint : entryPoint.slice(0, colon);
  const entry = colon < 0 ? "default" : entryPoint.slice(colon + 1).trim() || "default";
  const name = (/^[A-Za-z0-9._-]+/.exec(dist.trim())?.[0] ?? dist.trim()).toLowerCase().replaceAll("_", "-");
  return `${name}:${entry}`;
}

export class RecipeCatalog implements RecipeTable {
  private readonly table = new Map<string, RecipeFactory>();

  constructor(initial?: Record<string, RecipeFactory>) {
    for (const [name, factory] of Object.entries(initial ?? {})) this.register(name, factory);
  }

  /** Register (or replace) a recipe; `factory` is checked, as plugins hand it in untyped. */
  register(entryPoint: string, factory: RecipeFactory | unknown): void {
    if (typeof factory !== "function") throw new TypeError(`recipe ${entryPoint}: the factory is not a function`);
    this.table.set(recipeKey(entryPoint), factory as RecipeFactory);
  }

  get(entryPoint: string): RecipeFactory | undefined {
    return this.table.get(recipeKey(entryPoint));
  }

  /** Registered entry points (canonical names), sorted. */
  names(): string[] {
    return [...this.table.keys()].sort();
  }
}
