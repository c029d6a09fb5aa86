/** `slapos complete`: a shell completion script built from the command table. */
import type { CommandDef } from "../command.ts";
import type { CommandRegistry } from "../registry.ts";
import { spellings } from "../argv.ts";

function bashScript(name: string, commands: CommandDef[]): string {
  const cases = new Map<string, Set<string>>();
  for (const command of commands) {
    const words = command.name.split(" ");
    for (let i = 0; i < words.length; i++) {
      const prefix = words.slice(0, i).join(" ");
      const set = cases.get(prefix) ?? new Set();
      set.add(words[i]);
      cases.set(prefix, set);
    }
    const options = Object.entries(command.options ?? {}).flatMap(([k, d]) => spellings(k, d));
    const set = cases.get(command.name) ?? new Set();
    for (const o of ["-h", "--help", ...options]) set.add(o);
    cases.set(command.name, set);
  }
  const lines = [
    `_${name}()`,
    "{",
    "  local cur words",
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  words="${COMP_WORDS[@]:1:COMP_CWORD-1}"',
    '  case "$words" in',
  ];
  for (const [prefix, set] of [...cases].sort(([a], [b]) => b.length - a.length)) {
    lines.push(`    "${prefix}") COMPREPLY=( $(compgen -W "${[...set].join(" ")}" -- "$cur") ) ;;`);
  }
  lines.push("  esac", "  return 0", "}", `complete -F _${name} ${name}`);
  return lines.join("\n") + "\n";
}

function fishScript(name: string, commands: CommandDef[]): string {
  const lines: string[] = [];
  const top = [...new Set(commands.map((c) => c.name.split(" ")[0]))];
  lines.push(`complete -c ${name} -f -n 'not __fish_seen_subcommand_from ${top.join(" ")}' -a '${top.join(" ")}'`);
  for (const first of top) {
    const subs = commands.filter((c) => c.name.startsWith(first + " ")).map((c) => c.name.split(" ")[1]);
    if (subs.length) lines.push(`complete -c ${name} -f -n '__fish_seen_subcommand_from ${first}' -a '${[...new Set(subs)].join(" ")}'`);
  }
  return lines.join("\n") + "\n";
}

export function completeCommand(registry: CommandRegistry): CommandDef {
  return {
    name: "complete",
    group: "other",
    summary: "print bash or fish completion command",
    options: {
      name: { type: "string", help: "command name to support with completion", default: "slapos" },
      shell: { type: "string", choices: ["bash", "fish", "none"], default: "bash", help: "shell to emit" },
    },
    run(ctx) {
      const name = String(ctx.options.name);
      const shell = String(ctx.options.shell);
      const commands = registry.list();
      if (shell === "bash") process.stdout.write(bashScript(name, commands));
      else if (shell === "fish") process.stdout.write(fishScript(name, commands));
      else process.stdout.write(commands.map((c) => c.name).join("\n") + "\n");
      return 0;
    },
  };
}
