/**
 * The daemon's own log, in supervisord's format:
 * `2026-11-22 10:00:00,123 INFO spawned: 'wrapper' with pid 4242`,
 * to the `[supervisord] logfile` (rotated by logfile_maxbytes/backups) and,
 * in the foreground unless `silent`, to stdout.
 */
import { asctime } from "../../../core/log/logger.ts";
import { RotatingFile } from "./rotating-file.ts";

export const Level = Object.freeze({ CRIT: 50, ERRO: 40, WARN: 30, INFO: 20, DEBG: 10, TRAC: 5, BLAT: 3 });

const NAMES: Record<number, string> = { 50: "CRIT", 40: "ERRO", 30: "WARN", 20: "INFO", 10: "DEBG", 5: "TRAC", 3: "BLAT" };

export interface MainLogOptions {
  level: number;
  file?: { path: string; maxbytes: number; backups: number };
  stdout?: boolean;
}

export class MainLog {
  level: number;
  private file: RotatingFile | undefined;
  private stdout: boolean;

  constructor(options: MainLogOptions) {
    this.level = options.level;
    this.file = options.file ? new RotatingFile(options.file.path, options.file.maxbytes, options.file.backups) : undefined;
    this.stdout = options.stdout ?? false;
  }

  get path(): string | undefined {
    return this.file?.path;
  }

  log(level: number, message: string): void {
    if (level < this.level) return;
    const line = `${asctime()} ${NAMES[level] ?? "INFO"} ${message}\n`;
    this.file?.write(line);
    if (this.stdout) process.stdout.write(line);
  }

  critical(message: string): void {
    this.log(Level.CRIT, message);
  }
  error(message: string): void {
    this.log(Level.ERRO, message);
  }
  warn(message: string): void {
    this.log(Level.WARN, message);
  }
  info(message: string): void {
    this.log(Level.INFO, message);
  }
  debug(message: string): void {
    this.log(Level.DEBG, message);
  }
  trace(message: string): void {
    this.log(Level.TRAC, message);
  }
  blather(message: string): void {
    this.log(Level.BLAT, message);
  }

  /** SIGUSR2 / clearLog: reopen (or recreate) the file. */
  reopen(): void {
    this.file?.close();
  }

  removeFile(): void {
    this.file?.remove();
  }

  close(): void {
    this.file?.close();
  }
}
