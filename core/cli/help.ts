/**
 * Help text in the reference's layout: an argparse-style usage and option
 * list, then the commands grouped by `group` with groups sorted by name,
 * one `"  %-13s  %s"` line per command.
 */
import { GLOBAL_OPTIONS, spellings, takesValue } from "./argv.ts";
import type { CommandDef, OptionDef } from "./command.ts";

function metavarOf(key: string, def: OptionDef): string {
  return def.metavar ?? key.toUpperCase().replace(/-/g, "_");
}

function optionLine(key: string, def: OptionDef): string {
  const names = spellings(key, def);
  const metavar = metavarOf(key, def);
  const rendered = names
    .map((n) => (def.nargs === "+" ? `${n} ${metavar} [${metavar} ...]` : takesValue(def) ? `${n} ${metavar}` : n))
    .join(", ");
  const help = def.help ?? "";
  const suffix = def.default !== undefined && def.type !== "boolean" ? ` (default: ${def.default})` : "";
  if (rendered.length <= 20) return `  ${rendered.padEnd(22)}${help}${suffix}`;
  return `  ${rendered}\n${" ".repeat(24)}${help}${suffix}`;
}

/** The global help; `commands` come sorted by name (CommandRegistry.list). */
export function globalHelp(commands: CommandDef[]): string {
  const lines = [
    "usage: slapos [--version] [-v | -q] [--log-file LOG_FILE] [-h] [--debug] [--log-color] [--log-time]",
    "",
    "slapos: a whole SlapOS node in one executable",
    "",
    "optional arguments:",
  ];
  for (const [key, def] of Object.entries(GLOBAL_OPTIONS)) lines.push(optionLine(key, def));
  lines.push("", "Commands:");
  const groups = new Map<string, CommandDef[]>();
  for (const command of commands) {
    const list = groups.get(command.group) ?? [];
    list.push(command);
    groups.set(command.group, list);
  }
  for (const group of [...groups.keys()].sort()) {
    lines.push(`${group} commands:`);
    for (const command of groups.get(group)!) {
      lines.push(`  ${command.name.padEnd(13)}  ${command.summary}`);
    }
  }
  return lines.join("\n") + "\n";
}

export function usageLine(command: CommandDef): string {
  const parts = [`usage: slapos ${command.name} [-h]`];
  for (const [key, def] of Object.entries(command.options ?? {})) {
    const flag = spellings(key, def)[0];
    const metavar = metavarOf(key, def);
    if (def.nargs === "+") parts.push(`[${flag} ${metavar} [${metavar} ...]]`);
    else parts.push(takesValue(def) ? `[${flag} ${metavar}]` : `[${flag}]`);
  }
  for (const arg of command.args ?? []) {
    const name = arg.variadic ? `${arg.name} ...` : arg.name;
    parts.push(arg.required === false ? `[${name}]` : name);
  }
  if (command.passthrough) parts.push("...");
  return parts.join(" ");
}

export function commandHelp(command: CommandDef): string {
  const lines = [usageLine(command), "", command.summary];
  if (command.description) lines.push("", command.description.trim());
  if (command.args?.length) {
    lines.push("", "positional arguments:");
    for (const arg of command.args) lines.push(arg.name.length <= 20 ? `  ${arg.name.padEnd(22)}${arg.help ?? ""}` : `  ${arg.name}\n${" ".repeat(24)}${arg.help ?? ""}`);
  }
  lines.push("", "optional arguments:", `  ${"-h, --help".padEnd(22)}show this help message and exit`);
  for (const [key, def] of Object.entries(command.options ?? {})) lines.push(optionLine(key, def));
  if (command.config && command.config !== "none") {
    lines.push(optionLine("cfg", { ...GLOBAL_OPTIONS.cfg, help: configHelp(command) }));
  }
  return lines.join("\n") + "\n";
}

function configHelp(command: CommandDef): string {
  return command.config === "client"
    ? "client configuration (default: $SLAPOS_CLIENT_CONFIGURATION or ~/.slapos/slapos-client.cfg)"
    : "node configuration (default: $SLAPOS_CONFIGURATION or /etc/opt/slapos/slapos.cfg)";
}

/** The usage error the way argparse prints it. */
export function usageError(command: CommandDef | undefined, message: string): string {
  const usage = command ? usageLine(command) : "usage: slapos [-h] COMMAND ...";
  const prog = command ? `slapos ${command.name}` : "slapos";
  return `${usage}\n${prog}: error: ${message}\n`;
}
