/**
 * What a plugin is. A plugin is a plain object; `definePlugin` only helps the
 * type checker, so an external plugin file needs no import from us:
 *
 *     export default {
 *       name: "acme-cache", version: "1.0.0", apiVersion: "^1.0.0",
 *       apply(hooks, ctx) {
 *         hooks.binaryCache.lookup.tapPromise("acme-cache", async (key) => ...);
 *       },
 *     };
 */
import type { CommandDef } from "../cli/command.ts";
import type { SlapConfig } from "../config/slap-config.ts";
import type { Logger } from "../log/logger.ts";
import type { Hooks } from "./catalogue.ts";

export interface PluginContext {
  /** The node configuration (slapos.cfg); empty when the command reads none. */
  config: SlapConfig;
  /** This plugin's own section, `[plugin:<name>]`, interpolated. */
  options: Record<string, string>;
  log: Logger;
  /** "built-in", or the absolute path of the plugin file. */
  source: string;
  /** The command being run, e.g. "node instance". */
  command: string;
}

export interface Plugin {
  name: string;
  version: string;
  /** Semver range of HOOKS_API_VERSION this plugin works with, e.g. "^1.0.0". */
  apiVersion: string;
  /** Commands this plugin adds to the CLI. */
  commands?: CommandDef[];
  /** Tap hooks. Runs once per process, before the command. */
  apply(hooks: Hooks, ctx: PluginContext): void | Promise<void>;
}

export interface LoadedPlugin {
  plugin: Plugin;
  /** "built-in" or the plugin file's absolute path. */
  source: string;
  /** Dotted names of the hooks it tapped, in tap order. */
  taps: string[];
}

export function definePlugin<P extends Plugin>(plugin: P): P {
  return plugin;
}
