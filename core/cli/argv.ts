/**
 * Command-line parsing with the reference's rules (format-collect-cli.md §7.1):
 * global options are recognised anywhere on the line, long options may be
 * abbreviated to any unique prefix, and the command is found by joining
 * words until they name a registered command.
 */
import { SlapError } from "../errors.ts";
import type { CommandDef, GlobalOptions, OptionDef, OptionValue } from "./command.ts";

/** The global options, in the same shape as a command's. */
export const GLOBAL_OPTIONS: Record<keyof Omit<GlobalOptions, "cfg">, OptionDef> & { cfg: OptionDef } = {
  version: { type: "boolean", help: "show program's version number and exit" },
  verbose: { type: "count", alias: ["-v"], help: "increase verbosity of output (repeatable)" },
  quiet: { type: "boolean", alias: ["-q"], help: "suppress output except warnings and errors" },
  logFile: {
    type: "string",
    alias: ["--log-file", "--logfile", "--log_file"],
    metavar: "LOG_FILE",
    help: "specify a file to log output (default: console only)",
  },
  logColor: { type: "boolean", alias: ["--log-color"], help: "colored log output in console (stderr)" },
  logTime: { type: "boolean", alias: ["--log-time"], help: "do not print timestamps in console logs" },
  help: { type: "boolean", alias: ["-h"], help: "show this help message and exit" },
  debug: { type: "boolean", help: "show tracebacks on errors" },
  cfg: { type: "string", metavar: "CFG", help: "configuration file (default: see the command)" },
};

/** The spellings an option answers to: `--<key>` plus its aliases. */
export function spellings(key: string, def: OptionDef): string[] {
  const primary = key.includes("-") || key.includes("_") || !/[A-Z]/.test(key) ? `--${key}` : undefined;
  return [...(primary ? [primary] : []), ...(def.alias ?? [])];
}

type Table = Map<string, { key: string; def: OptionDef }>;

function table(options: Record<string, OptionDef>): Table {
  const out: Table = new Map();
  for (const [key, def] of Object.entries(options)) {
    for (const spelling of spellings(key, def)) out.set(spelling, { key, def });
  }
  return out;
}

/** Find an option by exact spelling, or by a unique prefix of a long spelling. */
function lookup(options: Table, flag: string): { key: string; def: OptionDef } | undefined {
  const exact = options.get(flag);
  if (exact) return exact;
  if (!flag.startsWith("--") || flag.length < 3) return undefined;
  const keys = new Set<string>();
  let found: { key: string; def: OptionDef } | undefined;
  for (const [spelling, entry] of options) {
    if (spelling.startsWith("--") && spelling.startsWith(flag)) {
      keys.add(entry.key);
      found = entry;
    }
  }
  if (keys.size > 1) {
    const names = [...options.keys()].filter((s) => s.startsWith(flag)).join(", ");
    throw new SlapError("usage", `ambiguous option: ${flag} could match ${names}`);
  }
  return found;
}

function store(values: Record<string, OptionValue>, key: string, def: OptionDef, raw: string | undefined, flag: string) {
  if (def.type === "boolean") {
    values[key] = true;
    return;
  }
  if (def.type === "count") {
    values[key] = Number(values[key] ?? 0) + 1;
    return;
  }
  if (raw === undefined) throw new SlapError("usage", `argument ${flag}: expected one argument`);
  if (def.choices && !def.choices.includes(raw)) {
    const allowed = def.choices.map((c) => `'${c}'`).join(", ");
    throw new SlapError("usage", `argument ${flag}: invalid choice: '${raw}' (choose from ${allowed})`);
  }
  let value: string | number = raw;
  if (def.type === "number") {
    if (!/^-?\d+$/.test(raw)) throw new SlapError("usage", `argument ${flag}: invalid int value: '${raw}'`);
    value = Number(raw);
  }
  if (def.multiple) values[key] = [...((values[key] as string[] | undefined) ?? []), String(value)];
  else values[key] = value;
}

/** Whether the option reads a value after its flag. */
export function takesValue(def: OptionDef): boolean {
  return def.type === "string" || def.type === "number";
}

export interface SplitArgv {
  globals: GlobalOptions;
  /** Words and command options, in order, with the global options taken out. */
  remaining: string[];
}

/**
 * Take the global options out of argv, wherever they are. Words after `--`,
 * and everything after the name of a passthrough command, are left alone.
 */
export function splitGlobals(argv: string[], stopAfter?: (words: string[]) => boolean): SplitArgv {
  const options = table(GLOBAL_OPTIONS);
  const values: Record<string, OptionValue> = {};
  const remaining: string[] = [];
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--" || (stopAfter && stopAfter(words))) {
      remaining.push(...argv.slice(i));
      break;
    }
    if (!token.startsWith("-") || token === "-") {
      remaining.push(token);
      words.push(token);
      continue;
    }
    const [flag, inline] = token.startsWith("--") && token.includes("=") ? splitInline(token) : [token, undefined];
    // -vv counts twice
    if (/^-v+$/.test(flag)) {
      values.verbose = Number(values.verbose ?? 0) + flag.length - 1;
      continue;
    }
    let entry: { key: string; def: OptionDef } | undefined;
    try {
      entry = lookup(options, flag);
    } catch {
      entry = undefined; // ambiguous among globals: let the command's own options decide
    }
    if (!entry) {
      remaining.push(token);
      continue;
    }
    let raw = inline;
    if (raw === undefined && takesValue(entry.def)) raw = argv[++i];
    store(values, entry.key, entry.def, raw, flag);
  }
  const globals: GlobalOptions = {
    verbose: Number(values.verbose ?? 0),
    quiet: Boolean(values.quiet),
    logFile: values.logFile as string | undefined,
    logTime: Boolean(values.logTime),
    logColor: Boolean(values.logColor),
    debug: Boolean(values.debug),
    help: Boolean(values.help),
    version: Boolean(values.version),
    cfg: values.cfg as string | undefined,
  };
  return { globals, remaining };
}

function splitInline(token: string): [string, string] {
  const at = token.indexOf("=");
  return [token.slice(0, at), token.slice(at + 1)];
}

export interface Resolved {
  command?: CommandDef;
  /** The words that named it. */
  words: string[];
  /** What follows the command's name. */
  rest: string[];
  /** An option met before any command matched. */
  strayOption?: string;
}

/**
 * Join leading words until they name a command; the longest name wins, so
 * `buildout resolve` and `buildout` can both be commands.
 */
export function resolveCommand(remaining: string[], commands: Map<string, CommandDef>): Resolved {
  const words: string[] = [];
  let found: Resolved | undefined;
  for (let i = 0; i < remaining.length; i++) {
    const token = remaining[i];
    if (token.startsWith("-")) return found ?? { words, rest: remaining.slice(i), strayOption: token };
    words.push(token);
    const name = words.join(" ");
    const command = commands.get(name);
    if (command) found = { command, words: [...words], rest: remaining.slice(i + 1) };
    const longer = [...commands.keys()].some((key) => key.startsWith(`${name} `));
    if (!longer && found) break;
  }
  return found ?? { words, rest: [] };
}

export interface ParsedCommandLine {
  args: Record<string, string | string[] | undefined>;
  options: Record<string, OptionValue>;
  rest: string[];
}

/** Parse what follows a command's name against its definition. */
export function parseCommandLine(command: CommandDef, tokens: string[]): ParsedCommandLine {
  if (command.passthrough) return { args: {}, options: {}, rest: tokens };
  const options = table(command.options ?? {});
  const values: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === "--") {
      rest.push(...tokens.slice(i + 1));
      break;
    }
    if (!token.startsWith("-") || token === "-" || /^-\d/.test(token)) {
      positionals.push(token);
      continue;
    }
    const [flag, inline] = token.startsWith("--") && token.includes("=") ? splitInline(token) : [token, undefined];
    let entry = lookup(options, flag);
    if (!entry && !flag.startsWith("--") && flag.length > 2) {
      // -nq: a cluster of short flags, or -p8080: a short option with its value attached
      const first = lookup(options, flag.slice(0, 2));
      if (first && takesValue(first.def)) {
        store(values, first.key, first.def, flag.slice(2), flag.slice(0, 2));
        continue;
      }
      const cluster = [...flag.slice(1)].map((c) => lookup(options, `-${c}`));
      if (cluster.every((e) => e && !takesValue(e.def))) {
        for (const e of cluster) store(values, e!.key, e!.def, undefined, flag);
        continue;
      }
    }
    if (!entry) throw new SlapError("usage", `unrecognized arguments: ${token}`);
    if (entry.def.nargs === "+") {
      // argparse: an inline value is the only one; otherwise every word up to the next option.
      const list = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < tokens.length && !(tokens[i + 1].startsWith("-") && !/^-\d/.test(tokens[i + 1]))) list.push(tokens[++i]);
      if (!list.length) throw new SlapError("usage", `argument ${flag}: expected at least one argument`);
      values[entry.key] = entry.def.multiple ? [...((values[entry.key] as string[] | undefined) ?? []), ...list] : list;
      continue;
    }
    let raw = inline;
    if (raw === undefined && takesValue(entry.def)) {
      raw = tokens[++i];
      if (raw === undefined) throw new SlapError("usage", `argument ${flag}: expected one argument`);
    }
    store(values, entry.key, entry.def, raw, flag);
  }
  for (const [key, def] of Object.entries(command.options ?? {})) {
    if (values[key] === undefined && def.default !== undefined) values[key] = def.default;
  }
  const args: Record<string, string | string[] | undefined> = {};
  const defs = command.args ?? [];
  let index = 0;
  for (const def of defs) {
    if (def.variadic) {
      args[def.name] = positionals.slice(index);
      if (def.required !== false && !(args[def.name] as string[]).length) {
        throw new SlapError("usage", `the following arguments are required: ${def.name}`);
      }
      index = positionals.length;
      continue;
    }
    const value = positionals[index++];
    if (value === undefined && def.required !== false) {
      const missing = defs.slice(defs.indexOf(def)).filter((d) => d.required !== false).map((d) => d.name);
      throw new SlapError("usage", `the following arguments are required: ${missing.join(", ")}`);
    }
    args[def.name] = value;
  }
  if (index < positionals.length) {
    throw new SlapError("usage", `unrecognized arguments: ${positionals.slice(index).join(" ")}`);
  }
  return { args, options: values, rest };
}
