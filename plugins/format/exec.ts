/**
 * External commands of format (§1.14): `callAndRead` runs a command with
 * stderr merged into stdout, logs the command line at DEBUG (the
 * reference's tracing wrapper), and in dry-run pretends every command
 * succeeded with empty output.
 */
import { SlapError } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";

export interface CommandResult {
  code: number;
  output: string;
}

export interface Runner {
  /** Run a command; a non-zero exit throws unless `raiseOnError` is false. */
  run(argv: string[], raiseOnError?: boolean): CommandResult;
  readonly dryRun: boolean;
}

/**
 * `callAndRead(['echo', 'hello'])` → `{code: 0, output: 'hello\n'}`. A
 * command that cannot be started throws a `failure` SlapError whose message
 * starts with "not found".
 */
export function callAndRead(argv: string[], raiseOnError = true): CommandResult {
  const binary = resolveBinary(argv[0]);
  if (!binary) throw new SlapError("failure", `not found: ${argv[0]}`);
  // `sh -c 'exec "$@" 2>&1'` merges stderr into the same pipe, in write order.
  const child = Bun.spawnSync(["/bin/sh", "-c", 'exec "$@" 2>&1', "sh", binary, ...argv.slice(1)], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore",
    env: { ...process.env, LC_ALL: "C" },
  });
  const output = child.stdout ? new TextDecoder().decode(child.stdout) : "";
  const code = child.exitCode ?? 1;
  if (raiseOnError && code !== 0) {
    throw new SlapError("failure", `Issue while invoking ${JSON.stringify(argv)}, result was: ${output.trim()}`, {
      logTail: output,
    });
  }
  return { code, output };
}

const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Where a command is found: $PATH, then the system directories (cron's PATH lacks /sbin). */
export function resolveBinary(name: string): string | null {
  if (name.includes("/")) return name;
  return Bun.which(name, { PATH: process.env.PATH ?? SYSTEM_PATH }) ?? Bun.which(name, { PATH: SYSTEM_PATH });
}

/** The runner format uses: traced, and inert in dry-run. */
export function createRunner(log: Logger, dryRun: boolean): Runner {
  return {
    dryRun,
    run(argv, raiseOnError = true) {
      log.debug(argv.join(" "));
      if (dryRun) return { code: 0, output: "" };
      return callAndRead(argv, raiseOnError);
    },
  };
}

/**
 * The probe of §1.1: run each binary once; only "not found" is a failure.
 * Returns the names that are missing.
 */
export function missingBinaries(commands: string[][]): string[] {
  const missing: string[] = [];
  for (const argv of commands) {
    if (!resolveBinary(argv[0])) missing.push(argv[0]);
    else callAndRead(argv, false);
  }
  return missing;
}
