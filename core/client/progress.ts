/**
 * The progress line of `slapos request --wait`, on stderr: a spinner redrawn
 * in place when stderr is a terminal, else a plain log line when waiting
 * starts and then once a minute, so that logs and CI output stay readable.
 * Silent with `-q`.
 */
import { logSettings, type Logger } from "../log/logger.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const LOG_EVERY_MS = 60_000;

export class Progress {
  private readonly started = Date.now();
  private status = "";
  private timer?: ReturnType<typeof setInterval>;
  private frame = 0;
  private drawn = false;
  private lastLog = 0;
  private readonly tty: boolean;
  private readonly quiet: boolean;

  constructor(
    private readonly label: string,
    private readonly log: Logger,
    options: { tty?: boolean } = {},
  ) {
    this.tty = options.tty ?? Boolean(process.stderr.isTTY);
    this.quiet = logSettings().level !== "INFO" && logSettings().level !== "DEBUG";
  }

  /** Seconds since waiting started. */
  elapsed(): number {
    return Math.floor((Date.now() - this.started) / 1000);
  }

  update(status: string): void {
    this.status = status;
    if (this.quiet) return;
    if (this.tty) {
      this.timer ??= setInterval(() => this.draw(), 100);
      this.draw();
      return;
    }
    const now = Date.now();
    if (!this.lastLog || now - this.lastLog >= LOG_EVERY_MS) {
      this.lastLog = now;
      this.log.info(`${this.label}: ${this.status} (${this.elapsed()} s)`);
    }
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.drawn = true;
    process.stderr.write(`\r\x1b[K${FRAMES[this.frame]} ${this.label}: ${this.status} (${this.elapsed()} s)`);
  }

  /** Clear the line (on a terminal) so that what follows starts clean. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) process.stderr.write("\r\x1b[K");
  }
}
