/**
 * Finding a partition's promises, in directory order as the reference does
 * (unsorted listdir): etc/plugin first (Python plugins and declarations),
 * then etc/promise (legacy executables, unless only some plugins are asked).
 */
import { accessSync, constants, existsSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { PromiseSpec } from "../../core/hooks/groups/promise.ts";
import { log } from "../../core/log/logger.ts";
import { reprString } from "../../core/slap/python-repr.ts";
import type { PromiseFolders } from "./layout.ts";
import { DECLARATION_SUFFIX, readDeclaration } from "./kinds/declaration.ts";
import { legacyMeta } from "./kinds/legacy.ts";

function list(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** os.path.splitext(name)[0]: a leading dot does not start an extension. */
export function splitExtension(name: string): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || name.slice(0, dot).replace(/\./g, "") === "") return name;
  return name.slice(0, dot);
}

function removeStaleBytecode(folder: string, name: string): void {
  const path = join(folder, name);
  if (existsSync(path.slice(0, -1))) return;
  try {
    unlinkSync(path);
    log.debug(`Removed stale ${reprString(path)}`);
  } catch (error) {
    log.warning(`Failed to remove ${reprString(path)} because of ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function discoverPromises(folders: PromiseFolders, only?: string[]): PromiseSpec[] {
  const specs: PromiseSpec[] = [];
  for (const name of list(folders.plugin)) {
    if (name.endsWith(".pyc") || name.endsWith(".pyo")) removeStaleBytecode(folders.plugin, name);
    if (name.startsWith("__init__")) continue;
    if (only && !only.includes(name)) continue;
    const path = join(folders.plugin, name);
    if (name.endsWith(".py")) {
      specs.push({ name, title: splitExtension(name), path, kind: "python", config: {} });
    } else if (name.endsWith(DECLARATION_SUFFIX) && name.length > DECLARATION_SUFFIX.length) {
      specs.push(readDeclaration(path, name));
    }
  }
  if (only) return specs;
  for (const name of list(folders.legacy)) {
    const path = join(folders.legacy, name);
    if (!isExecutableFile(path)) {
      log.warning(`Bad promise file at ${reprString(path)}.`);
      continue;
    }
    specs.push({ name, title: splitExtension(name), path, kind: "legacy", config: {}, meta: legacyMeta(path) });
  }
  return specs;
}
