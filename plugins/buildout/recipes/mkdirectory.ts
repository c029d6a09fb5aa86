/**
 * slapos.cookbook:mkdirectory — every option but `recipe` and `mode` is a
 * folder to create (parents included, sorted order, empty values skipped).
 * Returns no path, so the folders are never removed on uninstall: they may
 * hold user data. `mode` is octal, default 0777 (umask applies).
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { UserError } from "./util/errors.ts";
import { octalMode } from "./util/options.ts";

function makeDirectory(path: string, mode: number): void {
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new UserError(`${path} exists and is not a directory`);
    return;
  }
  const parent = dirname(path);
  if (parent !== path) makeDirectory(parent, 0o777);
  mkdirSync(path, { mode });
}

export const mkdirectory: RecipeFactory = (_buildout, _name, options) => {
  const mode = octalMode(options, "mode", 0o777)!;
  const paths = options
    .keys()
    .filter((key) => key !== "recipe" && key !== "mode")
    .map((key) => options.get(key) ?? "")
    .filter(Boolean)
    .sort();
  const install = (): string[] => {
    for (const path of paths) makeDirectory(path, mode);
    return [];
  };
  return { install, update: install };
};
