/**
 * The output of a buildout run. zc.buildout prints its own messages bare
 * ("Installing app.") and other loggers' as "name: message"; a run sends
 * those lines to one sink (stdout for the CLI, the node's line callback when
 * the node runs a partition), filtered by buildout's verbosity.
 */
import { LEVELS, Logger, type LevelName } from "../../../core/log/logger.ts";

export type LineSink = (line: string, level: LevelName) => void;

export class RunLogger extends Logger {
  constructor(
    private readonly sink: LineSink,
    /** Lowest level shown (buildout's log-level minus verbosity). */
    private readonly threshold: number = LEVELS.INFO,
    private readonly prefix = "",
    name = "zc.buildout",
  ) {
    super(name);
  }

  override child(suffix: string): Logger {
    return new RunLogger(this.sink, this.threshold, `${suffix}: `, `${this.name}.${suffix}`);
  }

  override log(level: LevelName, message: string): void {
    if (LEVELS[level] < this.threshold) return;
    for (const line of message.split("\n")) this.sink(this.prefix + line, level);
  }
}

/** zc.buildout's threshold: log-level (INFO by default) lowered by 10 per -v, raised by 10 per -q. */
export function thresholdFor(verbosity: number, logLevel = "INFO"): number {
  const base = (LEVELS as Record<string, number>)[logLevel] ?? (Number.parseInt(logLevel, 10) || LEVELS.INFO);
  return base - verbosity;
}
