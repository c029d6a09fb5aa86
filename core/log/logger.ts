/**
 * The reference's logging: one `slapos` logger, console lines on stderr as
 * `YYYY-MM-DD HH:MM:SS slapos[PID] LEVEL message` (local time), coloured by
 * level on a TTY, and an optional file at DEBUG level written as
 * `[YYYY-MM-DD HH:MM:SS,mmm] LEVEL    message`.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { localFields } from "./local-time.ts";
import { beforeAppend } from "./rotate.ts";

export const LEVELS = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;
export type LevelName = keyof typeof LEVELS;

export interface LogSettings {
  /** Console threshold; the reference maps -q/default/-v to WARNING/INFO/DEBUG. */
  level: LevelName;
  /** `--log-time` turns console timestamps off. */
  timestamps: boolean;
  /** `--log-file`: everything, at DEBUG, appended to this path. */
  file?: string;
  /** Colour console lines; defaults to stderr being a TTY. */
  color?: boolean;
}

const COLORS: Partial<Record<LevelName, string>> = {
  DEBUG: "\x1b[32m",
  WARNING: "\x1b[33m",
  ERROR: "\x1b[31m",
  CRITICAL: "\x1b[1;31m",
};

let settings: LogSettings = { level: "INFO", timestamps: true };
/** Extra log files; `withName` adds the logger name (`%(name)s`) after the level, as slapgrid's partition log does. */
const extraFiles = new Map<string, { withName: boolean }>();

/** Set the process-wide log settings (the CLI does this once, before the command runs). */
export function configureLogging(next: Partial<LogSettings>): void {
  settings = { ...settings, ...next };
  if (settings.file) mkdirSync(dirname(settings.file), { recursive: true });
}

export function logSettings(): Readonly<LogSettings> {
  return settings;
}

/**
 * Also write every record to `path` (as `--log-file` does); used for
 * per-run log files. `withName`: `[%(asctime)s] %(levelname)-8s %(name)s %(message)s`
 * (slapgrid's `.slapgrid/log/instance.log`).
 */
export function addLogFile(path: string, options: { withName?: boolean } = {}): () => void {
  mkdirSync(dirname(path), { recursive: true });
  extraFiles.set(path, { withName: Boolean(options.withName) });
  return () => extraFiles.delete(path);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

// Local time from the system's zone file (local-time.ts), not Date#getHours(): that loads ICU (~3 MB RSS).
function localStamp(d: Date): string {
  const t = localFields(d);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hours)}:${pad(t.minutes)}:${pad(t.seconds)}`;
}

/** Python logging's `asctime`: `2026-11-22 10:00:00,123`. */
export function asctime(d = new Date()): string {
  return `${localStamp(d)},${pad(d.getMilliseconds(), 3)}`;
}

export class Logger {
  constructor(readonly name = "slapos") {}

  child(suffix: string): Logger {
    return new Logger(`${this.name}.${suffix}`);
  }

  log(level: LevelName, message: string): void {
    const now = new Date();
    if (LEVELS[level] >= LEVELS[settings.level]) {
      const stamp = settings.timestamps ? `${localStamp(now)} ` : "";
      let line = `${stamp}${this.name}[${process.pid}] ${level} ${message}`;
      const color = settings.color ?? process.stderr.isTTY;
      if (color && COLORS[level]) line = `${COLORS[level]}${line}\x1b[0m`;
      process.stderr.write(line + "\n");
    }
    if (settings.file || extraFiles.size) {
      const stamp = `[${asctime(now)}] ${level.padEnd(8)} `;
      const record = `${stamp}${message}\n`;
      const named = `${stamp}${this.name} ${message}\n`;
      const targets: Array<[string | undefined, string]> = [[settings.file, record]];
      for (const [path, how] of extraFiles) targets.push([path, how.withName ? named : record]);
      for (const [path, line] of targets) {
        if (!path) continue;
        try {
          beforeAppend(path, Buffer.byteLength(line));
          appendFileSync(path, line);
        } catch {
          // A log file we cannot write must not stop the run; the console still has it.
        }
      }
    }
  }

  debug(message: string): void {
    this.log("DEBUG", message);
  }
  info(message: string): void {
    this.log("INFO", message);
  }
  warning(message: string): void {
    this.log("WARNING", message);
  }
  error(message: string): void {
    this.log("ERROR", message);
  }
  critical(message: string): void {
    this.log("CRITICAL", message);
  }
}

/** The root `slapos` logger. */
export const log = new Logger();
