/**
 * Commands as data (in the manner of citty): a command is a plain object that
 * names itself, declares its options and positional arguments, and has a
 * `run`. Plugins contribute commands through their `commands` array; the CLI
 * builds the tree, the help and the completion from these objects alone.
 */
import type { SlapConfig } from "../config/slap-config.ts";
import type { Hooks } from "../hooks/catalogue.ts";
import type { Logger } from "../log/logger.ts";
import type { LoadedPlugin } from "../hooks/plugin.ts";

export interface OptionDef {
  /** `count` is -v style; `number` parses an integer. */
  type: "string" | "boolean" | "count" | "number";
  /** Other spellings, long or short: ["-n", "--nodaemon"]. */
  alias?: string[];
  help?: string;
  default?: string | number | boolean | string[];
  /** Repeatable option: values accumulate into an array. */
  multiple?: boolean;
  /** argparse's nargs="+": one or more values after the flag (up to the next option), as an array. */
  nargs?: "+";
  choices?: string[];
  metavar?: string;
}

export interface ArgDef {
  name: string;
  help?: string;
  /** Defaults to true. */
  required?: boolean;
  /** Takes every remaining word. */
  variadic?: boolean;
}

/** Which configuration file the command reads (format-collect-cli.md §7.2). */
export type ConfigKind = "node" | "client" | "none";

export type CommandGroup = "node" | "client" | "cachelookup" | "other";

export interface CommandDef {
  /** Words of the command, e.g. "node format". */
  name: string;
  group: CommandGroup;
  /** First line of the help. */
  summary: string;
  /** More help text, shown by `slapos help NAME` and `-h`. */
  description?: string;
  args?: ArgDef[];
  /** Keyed by the long name without dashes, e.g. "instance-root". */
  options?: Record<string, OptionDef>;
  /** Defaults to "none". With "node"/"client", `ctx.config` is loaded before run. */
  config?: ConfigKind;
  /** A missing configuration file is not an error (ctx.config is then empty). */
  configOptional?: boolean;
  /** Pass every word after the command name through unparsed, in `ctx.rest`. */
  passthrough?: boolean;
  /** Returns the exit code; undefined means 0. */
  run(ctx: CommandContext): Promise<number | void> | number | void;
}

export type OptionValue = string | number | boolean | string[] | undefined;

export interface CommandContext {
  command: CommandDef;
  /** Positional arguments by name (variadic ones are arrays). */
  args: Record<string, string | string[] | undefined>;
  /** Options given on the command line, by long name; absent ones are undefined unless defaulted. */
  options: Record<string, OptionValue>;
  /** Words after `--`, or every word when `passthrough`. */
  rest: string[];
  /** The configuration file (`--cfg`, environment, default), when the command reads one. */
  config: SlapConfig;
  /** Path of that file, when one was read. */
  configPath?: string;
  hooks: Hooks;
  plugins: readonly LoadedPlugin[];
  log: Logger;
  /** Global options, already applied to logging. */
  globals: GlobalOptions;
}

export interface GlobalOptions {
  verbose: number;
  quiet: boolean;
  logFile?: string;
  logTime: boolean;
  logColor: boolean;
  debug: boolean;
  help: boolean;
  version: boolean;
  cfg?: string;
}
