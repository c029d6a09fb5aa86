/**
 * `slapos buildout resolve`: the whole configuration, evaluated as
 * zc.buildout would before installing (the parts list, then every other
 * section, so an error anywhere is reported), without constructing recipes.
 * [buildout] shows only the options the files set or changed, the versions
 * section only the pins the files set.
 */
import { statSync } from "node:fs";
import { Buildout } from "./buildout.ts";
import { BuildoutError } from "./errors.ts";
import { abspath, join } from "./pypath.ts";
import { loadConfig, type LoadRequest } from "./load.ts";
import { sorted } from "./pystr.ts";
import { finalText, valueText } from "./section.ts";
import { runSync } from "./steps.ts";

/**
 * zc.buildout ends its initialisation by creating the cache folders
 * (download-cache, extends-cache, eggs-directory, with their parents) and
 * changing into [buildout] directory: a directory that does not exist and
 * that none of those creates is an error. We check without creating.
 */
function checkDirectory(buildout: Buildout, cwd: string): void {
  const directory = abspath(buildout.directory, cwd);
  if (statSync(directory, { throwIfNoEntry: false })?.isDirectory()) return;
  const options = buildout.sections.get("buildout")!;
  for (const name of ["download-cache", "extends-cache", "eggs-directory"]) {
    const value = options.data.get(name);
    if (typeof value !== "string" || !value) continue;
    const path = abspath(join(buildout.directory, value), cwd);
    if (path === directory || path.startsWith(directory === "/" ? "/" : directory + "/")) return;
  }
  throw new BuildoutError("ExtendsNotFound", `No such directory: '${buildout.directory}' ([buildout] directory)`);
}

export interface ResolvedConfig {
  sections: Record<string, Record<string, string>>;
  install_order: string[];
}

/** Load, evaluate and dump a configuration; throws BuildoutError when it is refused. */
export async function resolveConfig(request: LoadRequest): Promise<ResolvedConfig> {
  const loaded = await loadConfig(request);
  const buildout = new Buildout(loaded, request.fork ?? false);
  runSync(buildout.start());
  checkDirectory(buildout, request.cwd ?? process.cwd());
  const installOrder = runSync(buildout.computeParts());

  const sections: Record<string, Record<string, string>> = Object.create(null);
  for (const name of sorted(buildout.raw.keys())) {
    const section = runSync(buildout.section(name));
    const annotated = name === "buildout" || name === loaded.versionsSection ? loaded.annotated.get(name) : undefined;
    const out: Record<string, string> = Object.create(null);
    for (const key of sorted(section.keys())) {
      const value = runSync(section.get(key));
      if (annotated && !annotated.get(key)?.setByFile()) continue;
      if (value !== undefined) out[key] = finalText(valueText(value), buildout.fork);
    }
    sections[name] = out;
  }
  return { sections, install_order: installOrder };
}
