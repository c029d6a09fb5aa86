/** `slapos help [WORDS...]`: the global help, or one command's. */
import { SlapError } from "../../errors.ts";
import type { CommandDef } from "../command.ts";
import { commandHelp, globalHelp } from "../help.ts";
import type { CommandRegistry } from "../registry.ts";

export function helpCommand(registry: CommandRegistry): CommandDef {
  return {
    name: "help",
    group: "other",
    summary: "print detailed help for another command",
    args: [{ name: "command", variadic: true, required: false, help: "name of the command" }],
    run(ctx) {
      const words = (ctx.args.command as string[]) ?? [];
      if (!words.length) {
        process.stdout.write(globalHelp(registry.list()));
        return 0;
      }
      const command = registry.get(words.join(" "));
      if (!command) throw new SlapError("unknown-command", `Unknown command ${JSON.stringify(words)}`);
      process.stdout.write(commandHelp(command));
      return 0;
    },
  };
}
