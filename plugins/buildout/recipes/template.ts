/**
 * slapos.recipe.template (default entry) and collective.recipe.template:
 * the template text goes through buildout substitution in the context of
 * the part's section, while the section initialises (so download and
 * substitution errors surface early and referenced sections become
 * dependencies); install writes `output` with `mode`.
 *
 * slapos.recipe.template's update does nothing; collective.recipe.template
 * rewrites the file, also takes its text from `input`, expands the
 * shorthand `${option}` as `${this-section:option}`, and without `mode`
 * copies the input file's mode.
 */
import { statSync } from "node:fs";
import type { RecipeFactory } from "../recipe-api.ts";
import { resolveSource } from "./util/download.ts";
import { createFile } from "./util/files.ts";
import { octalMode } from "./util/options.ts";
import { substitute } from "./util/substitute.ts";
import { outputPath, templateSource } from "./util/template-source.ts";

export const slaposTemplate: RecipeFactory = async (buildout, _name, options) => {
  const source = await templateSource(buildout, options);
  const rendered = await substitute(buildout, options, source.text);
  const output = outputPath(options);
  const mode = octalMode(options, "mode", undefined);
  return {
    install() {
      return [createFile(output, rendered, mode ?? defaultMode())];
    },
    update() {},
  };
};

/** A new file's mode when none is asked for: 0666 under the process umask, as Python's open(). */
function defaultMode(): number {
  const mask = process.umask();
  return 0o666 & ~mask;
}

export const collectiveTemplate: RecipeFactory = async (buildout, name, options) => {
  const source = await templateSource(buildout, options, ["input", "url"]);
  const shorthand = source.text.replace(/(?<!\$)\$\{([^:}]+?)\}/g, (_m, option: string) => `\${${name}:${option}}`);
  const rendered = await substitute(buildout, options, shorthand);
  const output = outputPath(options);
  let mode = octalMode(options, "mode", undefined);
  if (mode === undefined && source.url) {
    const input = resolveSource(buildout, source.url);
    if (input.kind === "file") mode = statSync(input.path).mode & 0o7777;
  }
  const install = (): string[] => {
    return [createFile(output, rendered, mode ?? defaultMode())];
  };
  return { install, update: install };
};
