/**
 * The plugin host: one set of hooks, the plugins that tap them, and the
 * bookkeeping `slapos plugin list` shows (which plugin tapped which hook).
 *
 * Errors thrown inside a tap are re-thrown as SlapError stamped with the
 * plugin's name and the hook's, keeping the original code so exit codes and
 * HTTP statuses still map.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { SlapError, messageOf } from "../errors.ts";
import { createHooks, HOOKS_API_VERSION, listHooks, type Hooks } from "./catalogue.ts";
import type { LoadedPlugin, Plugin, PluginContext } from "./plugin.ts";

interface FullTap {
  name: string;
  type: "sync" | "async" | "promise";
  fn: (...args: unknown[]) => unknown;
}

function stamp(error: unknown, plugin: string, hook: string): SlapError {
  if (error instanceof SlapError && error.plugin) return error;
  const code = error instanceof SlapError ? error.code : "plugin";
  const logTail = error instanceof SlapError ? error.logTail : undefined;
  return new SlapError(code, `plugin ${plugin}: ${hook}: ${messageOf(error)}`, { cause: error, plugin, logTail });
}

function wrap(tap: FullTap, plugin: string, hook: string): FullTap {
  const fn = tap.fn;
  if (tap.type === "promise") {
    return {
      ...tap,
      fn: async (...args: unknown[]) => {
        try {
          return await fn(...args);
        } catch (error) {
          throw stamp(error, plugin, hook);
        }
      },
    };
  }
  if (tap.type === "async") {
    return {
      ...tap,
      fn: (...args: unknown[]) => {
        const callback = args.pop() as (error?: unknown, result?: unknown) => void;
        try {
          fn(...args, (error?: unknown, result?: unknown) =>
            error ? callback(stamp(error, plugin, hook)) : callback(null, result),
          );
        } catch (error) {
          callback(stamp(error, plugin, hook));
        }
      },
    };
  }
  return {
    ...tap,
    fn: (...args: unknown[]) => {
      try {
        return fn(...args);
      } catch (error) {
        throw stamp(error, plugin, hook);
      }
    },
  };
}

/** Check that a value is a plugin object; `where` names it in the error. */
function validatePlugin(value: unknown, where: string): Plugin {
  const candidate = value as Partial<Plugin> | undefined;
  const problem =
    typeof candidate !== "object" || candidate === null
      ? "does not export a plugin object"
      : typeof candidate.name !== "string" || !candidate.name
        ? 'has no "name"'
        : typeof candidate.version !== "string"
          ? 'has no "version"'
          : typeof candidate.apiVersion !== "string"
            ? 'has no "apiVersion"'
            : typeof candidate.apply !== "function"
              ? 'has no "apply" function'
              : candidate.commands !== undefined && !Array.isArray(candidate.commands)
                ? '"commands" is not an array'
                : undefined;
  if (problem) throw new SlapError("plugin", `plugin ${where} ${problem}`);
  const plugin = candidate as Plugin;
  let compatible = false;
  try {
    compatible = Bun.semver.satisfies(HOOKS_API_VERSION, plugin.apiVersion);
  } catch {
    compatible = false;
  }
  if (!compatible) {
    throw new SlapError(
      "plugin",
      `plugin ${where} (${plugin.name} ${plugin.version}) needs hooks API ${plugin.apiVersion}, this slapos has ${HOOKS_API_VERSION}`,
    );
  }
  return plugin;
}

export class PluginHost {
  readonly hooks: Hooks = createHooks();
  readonly loaded: LoadedPlugin[] = [];
  private applying?: LoadedPlugin;

  constructor() {
    for (const [path, hook] of listHooks(this.hooks)) {
      hook.intercept({
        register: (tap: FullTap) => {
          const owner = this.applying;
          if (!owner) return tap;
          if (!owner.taps.includes(path)) owner.taps.push(path);
          return wrap(tap, owner.plugin.name, path);
        },
      });
    }
  }

  /** Register a plugin object (built-in ones, statically imported). */
  add(plugin: Plugin, source = "built-in"): LoadedPlugin {
    const where = source === "built-in" ? plugin.name : source;
    validatePlugin(plugin, where);
    const clash = this.loaded.find((p) => p.plugin.name === plugin.name);
    if (clash) {
      throw new SlapError("plugin", `plugin ${where}: name "${plugin.name}" is already used by ${clash.source}`);
    }
    const loaded: LoadedPlugin = { plugin, source, taps: [] };
    this.loaded.push(loaded);
    return loaded;
  }

  /**
   * Load an external plugin file (.ts or .js) at run time. Its default export,
   * or its export named `plugin`, is the plugin object.
   */
  async loadFile(file: string, baseDir = process.cwd()): Promise<LoadedPlugin> {
    const path = isAbsolute(file) ? file : resolve(baseDir, file);
    if (!existsSync(path)) throw new SlapError("plugin", `plugin file not found: ${path}`);
    let module: Record<string, unknown>;
    try {
      module = await import(path);
    } catch (cause) {
      throw new SlapError("plugin", `plugin ${path} failed to load: ${messageOf(cause)}`, { cause });
    }
    // ESM: `export default` or `export const plugin`; CommonJS: `module.exports = plugin` or `{ plugin }`.
    const candidates = [module.default, module.plugin, (module.default as Record<string, unknown> | undefined)?.plugin];
    const value = candidates.find((c) => typeof c === "object" && c !== null && "apply" in c) ?? module.default ?? module.plugin;
    return this.add(value as Plugin, path); // add() validates it, naming the file
  }

  /** Apply every registered plugin, in registration order. */
  async applyAll(context: (loaded: LoadedPlugin) => PluginContext): Promise<void> {
    for (const loaded of this.loaded) {
      this.applying = loaded;
      try {
        await loaded.plugin.apply(this.hooks, context(loaded));
      } catch (error) {
        const where = loaded.source === "built-in" ? loaded.plugin.name : loaded.source;
        throw new SlapError("plugin", `plugin ${where} failed in apply: ${messageOf(error)}`, {
          cause: error,
          plugin: loaded.plugin.name,
        });
      } finally {
        this.applying = undefined;
      }
    }
  }
}

/** Call a bail hook that core needs an answer from; nobody answering is an error naming the hook. */
export async function required<R>(
  hook: { name?: string; promise(input: never): Promise<R | undefined> },
  input: unknown,
): Promise<R> {
  const result = await hook.promise(input as never);
  if (result === undefined) {
    throw new SlapError("hook-untapped", `no plugin answered hook ${hook.name}: is the plugin that provides it loaded?`);
  }
  return result;
}
