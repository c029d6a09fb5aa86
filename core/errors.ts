/**
 * One error type for the whole appliance.
 *
 * Every failure carries a string `code` so that the CLI, the master and the
 * supervisor can each map it in one table (exit code, HTTP status, XML-RPC
 * fault) instead of matching on messages. `logTail` holds the last lines of a
 * child process that failed, which is what the reference sends to the master.
 */

/** The codes in use. A plugin may throw its own code; unknown codes map to "failure". */
export type SlapErrorCode =
  | "usage" // bad command line (exit 2, argparse's code)
  | "unknown-command" // exit 5
  | "not-root" // exit 5
  | "config" // configuration file missing, unreadable or invalid
  | "plugin" // a plugin could not be loaded, or threw inside a tap
  | "hook-untapped" // core needed a hook that no plugin taps
  | "marshal" // a marshal XML document was refused
  | "not-found" // SLAP 404
  | "not-ready" // SLAP 408
  | "server" // SLAP 500 or any other status >= 400
  | "connection" // timeout, refused, TLS
  | "authentication" // TLS client certificate refused
  | "bad-request" // master: a malformed or missing field
  | "too-large" // master: body over the size limit
  | "already-running" // pidfile held by a live slapos process (exit 10)
  | "promise" // only promises failed (exit 2)
  | "offline" // master unreachable, offline run succeeded (exit 3)
  | "failure" // anything else (exit 1)
  | (string & {});

export interface SlapErrorOptions {
  cause?: unknown;
  /** Last lines of a failed child process, sent to the master with the error. */
  logTail?: string;
  /** Name of the plugin whose tap threw. */
  plugin?: string;
}

export class SlapError extends Error {
  readonly code: SlapErrorCode;
  readonly logTail?: string;
  readonly plugin?: string;

  constructor(code: SlapErrorCode, message: string, options: SlapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SlapError";
    this.code = code;
    this.logTail = options.logTail;
    this.plugin = options.plugin;
  }
}

/** Exit code of a failure, as the reference CLI chooses it (format-collect-cli.md §7.3). */
const EXIT_CODES: Record<string, number> = {
  usage: 2,
  "unknown-command": 5,
  "not-root": 5,
  "already-running": 10,
  promise: 2,
  offline: 3,
  "not-ready": 2,
};

export function exitCodeOf(error: unknown): number {
  if (error instanceof SlapError) return EXIT_CODES[error.code] ?? 1;
  return 1;
}

/** The message of anything thrown, on one line. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ").trim();
}
