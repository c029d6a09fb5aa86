/**
 * What `slapos node format` does once parsed: merge the options, check
 * root, add the configured log file, validate, and run (§1.1, §1.3).
 */
import type { CommandContext } from "../../core/cli/command.ts";
import { addLogFile, log } from "../../core/log/logger.ts";
import { FormatFatalError, FormatUsageError, mergeFormatOptions, rootCheck, validateFormatOptions, type FormatCommandLine } from "./config.ts";
import { doFormat, FORMAT_FAILURE } from "./run.ts";

const EXIT_NOT_ROOT = 5;

/** The command-line options that override the configuration: only those given, plus the switches. */
export function commandLineOptions(ctx: Pick<CommandContext, "options" | "globals">): FormatCommandLine {
  const o = ctx.options;
  const given = (key: string) => (typeof o[key] === "string" ? (o[key] as string) : undefined);
  return {
    cfg: ctx.globals.cfg,
    computer_xml: given("computer_xml"),
    computer_json: given("computer_json"),
    input_definition_file: given("input_definition_file"),
    output_definition_file: given("output_definition_file"),
    alter_user: given("alter_user"),
    alter_network: given("alter_network"),
    now: Boolean(o.now),
    dry_run: Boolean(o.dry_run),
    console: given("console"),
  };
}

export async function runFormatCommand(ctx: CommandContext): Promise<number> {
  try {
    const options = mergeFormatOptions(ctx.config, commandLineOptions(ctx));
    if (rootCheck(options) && process.getuid?.() !== 0) {
      log.error("This slapos command must be run as root.");
      return EXIT_NOT_ROOT;
    }
    if (!ctx.globals.logFile && typeof options.log_file === "string" && options.log_file) addLogFile(options.log_file);
    const conf = validateFormatOptions(options);
    log.debug("Started.");
    if (conf.dryRun) log.info("Dry-run mode enabled.");
    if (conf.createTap) log.info(`Tap creation mode enabled (${conf.tapIpv6 ? "with" : "without"} IPv6).`);
    return await doFormat(conf, ctx.hooks, log);
  } catch (error) {
    if (error instanceof FormatUsageError) {
      process.stderr.write(`${error.message}\nFor help use --help\n`);
      return FORMAT_FAILURE;
    }
    if (error instanceof FormatFatalError) {
      log.critical(error.message);
      return FORMAT_FAILURE;
    }
    throw error;
  }
}
