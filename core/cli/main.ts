/**
 * The dispatcher. `runCli(argv, builtins)` is the whole life of one `slapos`
 * invocation: global options, command lookup, help, configuration, plugins
 * (built-in, then those named by `[slapos] plugin_list`), the command, and
 * the exit code. The binary's entry (main.ts at the top of the tree) passes
 * the built-in plugins in, so that core never imports plugins/.
 */
import { dirname } from "node:path";
import { existsSync } from "node:fs";
import { configurationPath } from "../config/discover.ts";
import { SlapConfig } from "../config/slap-config.ts";
import { SlapError, exitCodeOf, messageOf } from "../errors.ts";
import { PluginHost } from "../hooks/loader.ts";
import type { Plugin } from "../hooks/plugin.ts";
import { configureLogging, log } from "../log/logger.ts";
import { VERSION } from "../version.ts";
import { parseCommandLine, resolveCommand, splitGlobals } from "./argv.ts";
import type { CommandDef, GlobalOptions } from "./command.ts";
import { completeCommand } from "./commands/complete.ts";
import { helpCommand } from "./commands/help.ts";
import { commandHelp, globalHelp, usageError } from "./help.ts";
import { CommandRegistry } from "./registry.ts";
import { coreCommands } from "./core-commands.ts";

function applyLogging(globals: GlobalOptions): void {
  configureLogging({
    level: globals.quiet ? "WARNING" : globals.verbose >= 1 ? "DEBUG" : "INFO",
    timestamps: !globals.logTime,
    file: globals.logFile,
  });
}

/** Paths named by `[slapos] plugin_list`, one per line (blank lines and comments ignored). */
export function pluginPaths(config: SlapConfig): string[] {
  const value = config.get("slapos", "plugin_list") ?? "";
  return value
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
}

async function loadExternal(host: PluginHost, registry: CommandRegistry, config: SlapConfig): Promise<void> {
  const base = config.path ? dirname(config.path) : process.cwd();
  for (const path of pluginPaths(config)) {
    const loaded = await host.loadFile(path, base);
    for (const command of loaded.plugin.commands ?? []) registry.add(command, loaded.source);
  }
}

function loadConfig(command: CommandDef, globals: GlobalOptions): { config: SlapConfig; path?: string } {
  const kind = command.config ?? "none";
  const path = configurationPath(kind, globals.cfg);
  if (!path) return { config: new SlapConfig() };
  if (!existsSync(path) && command.configOptional) return { config: new SlapConfig() };
  return { config: SlapConfig.load(path), path };
}

/** Read the node configuration if there is one, only to find external plugins' commands. */
function nodeConfigIfAny(globals: GlobalOptions): SlapConfig | undefined {
  const path = configurationPath("node", globals.cfg);
  if (!path || !existsSync(path)) return undefined;
  return SlapConfig.load(path);
}

function reportFailure(error: unknown, globals: GlobalOptions, command?: CommandDef): number {
  const code = exitCodeOf(error);
  if (error instanceof SlapError && error.code === "usage") {
    process.stderr.write(usageError(command, error.message));
    return code;
  }
  if (error instanceof SlapError && error.code === "unknown-command") {
    log.critical(error.message);
    return code;
  }
  log.error(messageOf(error));
  if (globals.debug && error instanceof Error && error.stack) process.stderr.write(error.stack + "\n");
  return code;
}

export async function runCli(argv: string[], builtins: Plugin[]): Promise<number> {
  const registry = new CommandRegistry();
  const host = new PluginHost();
  let globals: GlobalOptions = { verbose: 0, quiet: false, logTime: false, logColor: false, debug: false, help: false, version: false };
  let command: CommandDef | undefined;
  try {
    registry.add(helpCommand(registry), "core");
    registry.add(completeCommand(registry), "core");
    for (const def of coreCommands) registry.add(def, "core");
    for (const plugin of builtins) {
      host.add(plugin);
      for (const def of plugin.commands ?? []) registry.add(def, plugin.name);
    }

    // Passthrough commands (supervisorctl) keep every word after their name.
    const passthroughNames = new Set(registry.list().filter((c) => c.passthrough).map((c) => c.name));
    const split = splitGlobals(argv, (words) => passthroughNames.has(words.join(" ")));
    globals = split.globals;
    applyLogging(globals);

    if (globals.version) {
      process.stdout.write(`slapos ${VERSION} (Bun ${Bun.version})\n`);
      return 0;
    }
    let remaining = split.remaining;
    if (remaining.length === 1 && remaining[0] === "node" && registry.get("node status")) remaining = ["node", "status"];
    if (!remaining.length) {
      process.stdout.write(globalHelp(registry.list()));
      return 0;
    }

    let resolved = resolveCommand(remaining, registry.map);
    let externalLoaded = false;
    if (!resolved.command) {
      // Maybe an external plugin defines it.
      const config = nodeConfigIfAny(globals);
      if (config && pluginPaths(config).length) {
        await loadExternal(host, registry, config);
        externalLoaded = true;
        resolved = resolveCommand(remaining, registry.map);
      }
    }
    if (!resolved.command) {
      if (resolved.strayOption) throw new SlapError("unknown-command", `slapos: invalid option '${resolved.strayOption}'`);
      const names = registry.list().map((c) => c.name).join("\n  ");
      throw new SlapError(
        "unknown-command",
        `the command '${resolved.words.join(" ")}' does not exist or is not yet implemented.\nAvailable commands:\n  ${names}`,
      );
    }
    command = resolved.command;
    if (globals.help && !command.passthrough) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    const parsed = parseCommandLine(command, resolved.rest);
    const { config, path } = loadConfig(command, globals);
    if (!externalLoaded && pluginPaths(config).length) await loadExternal(host, registry, config);
    const name = command.name;
    await host.applyAll((loaded) => ({
      config,
      options: config.items(`plugin:${loaded.plugin.name}`),
      log: log.child(loaded.plugin.name),
      source: loaded.source,
      command: name,
    }));
    const result = await command.run({
      command,
      args: parsed.args,
      options: parsed.options,
      rest: parsed.rest,
      config,
      configPath: path,
      hooks: host.hooks,
      plugins: host.loaded,
      log,
      globals,
    });
    return typeof result === "number" ? result : 0;
  } catch (error) {
    return reportFailure(error, globals, command);
  }
}
