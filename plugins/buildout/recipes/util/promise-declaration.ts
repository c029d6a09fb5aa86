/**
 * Native promise declarations (plugins/promise): `etc/plugin/<title>.promise.json`,
 * a JSON object whose `kind` the node checks itself (`port-listening`,
 * `url`), so a promise needs nothing on the machine. The promise recipes
 * write one instead of their Python (or curl) script when that script could
 * not run here; the node then writes a result under the same title, with
 * the messages of slapos.toolbox's plugins.
 */
import { mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { createFile } from "./files.ts";

export const DECLARATION_SUFFIX = ".promise.json";

/** slapos.toolbox promise modules the node checks natively, by module name. */
export const NATIVE_PROMISE_MODULES: Readonly<Record<string, string>> = {
  "slapos.promise.plugin.check_socket_listening": "port-listening",
  "slapos.promise.plugin.check_url_available": "url",
};

/** The declaration of a promise that would have been `file` (its title: the name without `.py`). */
export function declarationFor(file: string, folder = dirname(file)): string {
  const name = basename(file);
  return join(folder, (name.endsWith(".py") ? name.slice(0, -3) : name) + DECLARATION_SUFFIX);
}

/** The JSON text: `kind` first, then the configuration in key order (values as given: text). */
export function declarationText(kind: string, config: Record<string, string>): string {
  const object: Record<string, string> = { kind };
  for (const key of Object.keys(config).sort()) if (key !== "kind") object[key] = config[key]!;
  return JSON.stringify(object, null, 2) + "\n";
}

/** Write the declaration (its folder made if needed); returns its path. */
export function writeDeclaration(path: string, kind: string, config: Record<string, string>): string {
  mkdirSync(dirname(path), { recursive: true });
  return createFile(path, declarationText(kind, config), 0o644);
}
