/**
 * checkEnvironmentAndCreateStructure (node-runtime.md §1.2, §1.4, §2.1 step 1):
 * both roots must exist; the instance root gets its supervisor folders and
 * etc/supervisord.conf with the watchdog line (supervisor-files.ts), the
 * text passed through the `supervisor.mainConfig` hook first.
 */
import { existsSync, statSync } from "node:fs";
import { SlapError } from "../errors.ts";
import type { Hooks } from "../hooks/catalogue.ts";
import type { Logger } from "../log/logger.ts";
import { createSupervisordConfiguration, supervisorPaths, watchdogCommand as watchdogLine } from "./supervisor-files.ts";

export { updateFile } from "./supervisor-files.ts";

export interface StructureOptions {
  instanceRoot: string;
  softwareRoot: string;
  masterUrl: string;
  computerId: string;
  certificateRepositoryPath?: string;
  /** Empty for `node supervisord`, the watchdog line for node runs. */
  withWatchdog: boolean;
}

/** The socket the node talks to: legacy `supervisord.socket` when it exists, else `sv.sock`. */
export function supervisorSocket(instanceRoot: string): string {
  return supervisorPaths(instanceRoot).socket;
}

/** The watchdog's command line, laid out as the reference's (including its double space). */
export function watchdogCommand(options: StructureOptions): string {
  return watchdogLine(options);
}

/** checkEnvironmentAndCreateStructure: refuse missing roots, create the instance root's skeleton. */
export async function createStructure(options: StructureOptions, hooks: Hooks, log: Logger): Promise<string> {
  if (!existsSync(options.softwareRoot) || !statSync(options.softwareRoot).isDirectory()) {
    throw new SlapError("failure", `${options.softwareRoot} does not exist.`);
  }
  const root = options.instanceRoot;
  const changed = await createSupervisordConfiguration(root, {
    watchdogCommand: options.withWatchdog ? watchdogCommand(options) : "",
    log,
    transform: (text) => hooks.supervisor.mainConfig.promise(text, { instanceRoot: root }),
  });
  const path = supervisorPaths(root).config;
  if (changed) log.debug(`Wrote ${path}`);
  return path;
}
