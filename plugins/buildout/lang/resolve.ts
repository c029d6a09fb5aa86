/**
 * `slapos buildout resolve`: the whole configuration, evaluated as
 * zc.buildout would before installing (the parts list, then every other
 * section, so an error anywhere is reported), without constructing recipes.
 * [buildout] shows only the options the files set or changed, the versions
 * section only the pins the files set.
 */
import { Buildout } from "./buildout.ts";
import { loadConfig, type LoadRequest } from "./load.ts";
import { sorted } from "./pystr.ts";
import { valueText } from "./section.ts";
import { runSync } from "./steps.ts";

export interface ResolvedConfig {
  sections: Record<string, Record<string, string>>;
  install_order: string[];
}

/** Load, evaluate and dump a configuration; throws BuildoutError when it is refused. */
export async function resolveConfig(request: LoadRequest): Promise<ResolvedConfig> {
  const loaded = await loadConfig(request);
  const buildout = new Buildout(loaded, request.fork ?? false);
  runSync(buildout.start());
  const installOrder = runSync(buildout.computeParts());

  const sections: Record<string, Record<string, string>> = Object.create(null);
  for (const name of sorted(buildout.raw.keys())) {
    const section = runSync(buildout.section(name));
    const annotated = name === "buildout" || name === loaded.versionsSection ? loaded.annotated.get(name) : undefined;
    const out: Record<string, string> = Object.create(null);
    for (const key of sorted(section.keys())) {
      const value = runSync(section.get(key));
      if (annotated && !annotated.get(key)?.setByFile()) continue;
      if (value !== undefined) out[key] = valueText(value);
    }
    sections[name] = out;
  }
  return { sections, install_order: installOrder };
}
