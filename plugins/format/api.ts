/**
 * Formatting from code (the node loop, `configure local`): the same run as
 * `slapos node format --now`, given a loaded slapos.cfg.
 *
 *     import { formatNode, standaloneDefinition } from "../format/api.ts";
 *     writeFileSync(definitionPath, standaloneDefinition({ partitionCount: 10, ipv4: "127.0.0.1",
 *       ipv6: "::1", user: userInfo().username }));
 *     const code = await formatNode(SlapConfig.load(cfgPath), { hooks });   // 0, 1 or 2
 *
 * The root check is the caller's business (the command does it).
 */
import type { SlapConfig } from "../../core/config/slap-config.ts";
import { createHooks, type Hooks } from "../../core/hooks/catalogue.ts";
import { log as rootLog, type Logger } from "../../core/log/logger.ts";
import { mergeFormatOptions, validateFormatOptions, type FormatCommandLine, type FormatConfig } from "./config.ts";
import formatPlugin from "./index.ts";
import { doFormat } from "./run.ts";

export { standaloneDefinition, type StandaloneDefinition } from "./definition.ts";
export { computerXml, dumpComputer } from "./persist.ts";
export { prepareComputer, doFormat, FORMAT_SUCCESS, FORMAT_FAILURE, FORMAT_OFFLINE_SUCCESS } from "./run.ts";
export { FormatUsageError, FormatFatalError, type FormatConfig, type FormatCommandLine } from "./config.ts";

/** Hooks with only the built-in network backend tapped, for callers that have no plugin host. */
export async function builtinFormatHooks(): Promise<Hooks> {
  const hooks = createHooks();
  await formatPlugin.apply(hooks);
  return hooks;
}

/** Merge and validate the options of a run (throws FormatUsageError / FormatFatalError, one line each). */
export function formatConfig(config: SlapConfig, cli: FormatCommandLine = {}): FormatConfig {
  return validateFormatOptions(mergeFormatOptions(config, { now: true, ...cli }));
}

/**
 * Format the node described by `config`: 0 formatted and posted, 2
 * formatted but the master was unreachable, 1 failed (logged). Bad options
 * throw before anything is touched.
 */
export async function formatNode(
  config: SlapConfig,
  options: { hooks?: Hooks; cli?: FormatCommandLine; log?: Logger } = {},
): Promise<number> {
  const conf = formatConfig(config, options.cli);
  return doFormat(conf, options.hooks ?? (await builtinFormatHooks()), options.log ?? rootLog);
}
