/** `slapos proxy start`: merge the settings, open the master, serve until SIGTERM/SIGINT. */
import type { CommandContext } from "../../cli/command.ts";
import { addLogFile } from "../../log/logger.ts";
import { startMaster } from "../index.ts";
import { masterSettings } from "../settings.ts";

const optionText = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

export async function runProxyStart(ctx: CommandContext): Promise<number> {
  const settings = masterSettings(ctx.config, {
    database_uri: optionText(ctx.options["database-uri"]),
    port: optionText(ctx.options.port),
    host: optionText(ctx.options.host),
    local_software_release_root: optionText(ctx.options["local-software-release-root"]),
  });
  if (settings.logFile) addLogFile(settings.logFile);
  const master = await startMaster({ settings, hooks: ctx.hooks, log: ctx.log });
  ctx.log.info(`Running on ${master.url}/ (database ${settings.databaseUri}, computer ${settings.computerId})`);
  // Startup garbage (config parsing, plugin loading, migrations) is not needed any more.
  Bun.gc(true);
  if (master.registrationUrl) ctx.log.info(`Node registration on ${master.registrationUrl}/Person_requestComputer`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await master.stop();
  return 0;
}
