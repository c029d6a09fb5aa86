/**
 * slapos.cookbook:symbolic.link — links each path of `link-binary` into
 * `target-directory` under its base name; an existing link is replaced, an
 * existing non-link is an error. The links belong to the part.
 */
import { lstatSync, symlinkSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { UserError } from "./util/errors.ts";

export const symbolicLink: RecipeFactory = (_buildout, _name, options) => {
  const install = (): string[] => {
    const target = options.require("target-directory");
    const links: string[] = [];
    for (const path of options.require("link-binary").split(/\s+/).filter(Boolean)) {
      const link = join(target, basename(path));
      let existing;
      try {
        existing = lstatSync(link);
      } catch {
        existing = undefined;
      }
      if (existing) {
        if (!existing.isSymbolicLink()) throw new UserError(`Target '${link}' already exists but is not a link`);
        unlinkSync(link);
      }
      symlinkSync(path, link);
      links.push(link);
    }
    return links;
  };
  return { install, update: install };
};
