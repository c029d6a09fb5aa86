/** `slapos node run`: settings, root check, pidfile, then the loop until SIGTERM. */
import type { CommandContext } from "../../cli/command.ts";
import { parseBoolean, SLAPOS_DEFAULTS } from "../../config/defaults.ts";
import { SlapConfig } from "../../config/slap-config.ts";
import { SlapError } from "../../errors.ts";
import { checkRoot } from "../options.ts";
import { NodeLoop } from "./loop.ts";
import { loopSettings } from "./settings.ts";
import { takeLoopPidfile } from "./takeover.ts";

export async function runNodeLoop(ctx: CommandContext): Promise<number> {
  // Until the loop takes them over: a SIGUSR1/SIGHUP sent as soon as the pidfile names us must not kill us.
  const early = () => undefined;
  process.on("SIGUSR1", early);
  process.on("SIGHUP", early);
  const path = ctx.configPath;
  if (!path) throw new SlapError("config", "node run needs a configuration file (--cfg or $SLAPOS_CONFIGURATION)");
  const settings = loopSettings(ctx.config, path, ctx.options);
  checkRoot(parseBoolean(ctx.config.get("slapos", "root_check") ?? SLAPOS_DEFAULTS.root_check, "root_check"));
  const lock = await takeLoopPidfile(settings.pidfile, Boolean(ctx.options.replace), ctx.log);
  try {
    const loop = new NodeLoop(settings, {
      hooks: ctx.hooks,
      log: ctx.log,
      reload: () => loopSettings(SlapConfig.load(path), path, ctx.options),
    });
    const running = loop.run();
    process.off("SIGUSR1", early);
    process.off("SIGHUP", early);
    await running;
  } finally {
    lock.release();
  }
  return 0;
}
