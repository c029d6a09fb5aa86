/** The command table: every command of every plugin, by its words. */
import { SlapError } from "../errors.ts";
import type { CommandDef } from "./command.ts";

export class CommandRegistry {
  private readonly byName = new Map<string, CommandDef>();

  add(command: CommandDef, owner: string): void {
    const name = command.name.trim().replace(/\s+/g, " ");
    if (this.byName.has(name)) throw new SlapError("plugin", `${owner}: command "${name}" is already defined`);
    this.byName.set(name, command);
  }

  get map(): Map<string, CommandDef> {
    return this.byName;
  }

  get(name: string): CommandDef | undefined {
    return this.byName.get(name);
  }

  list(): CommandDef[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
