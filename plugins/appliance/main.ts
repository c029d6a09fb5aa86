/** Dispatch of `configure local`: configure (the default), --stop, --status. */
import type { CommandContext } from "../../core/cli/command.ts";
import { SlapError } from "../../core/errors.ts";
import { configure } from "./configure.ts";
import { showStatus, stopNode } from "./control.ts";
import { chooseLayout } from "./settings.ts";

export async function runConfigureLocal(ctx: CommandContext): Promise<number> {
  const options = ctx.options;
  if (options.stop && options.status) throw new SlapError("usage", "argument --status: not allowed with argument --stop");
  if ((options.stop || options.status) && options.demo) throw new SlapError("usage", `argument --demo: not allowed with argument --${options.stop ? "stop" : "status"}`);
  const timeout = options.timeout;
  if (timeout !== undefined && !(Number(timeout) > 0)) throw new SlapError("usage", `argument --timeout: invalid value: '${timeout}' (seconds, more than 0)`);
  const layout = chooseLayout(options);
  if (options.stop) return stopNode(layout, ctx.log);
  if (options.status) return showStatus(layout);
  return configure(ctx, layout, options);
}
