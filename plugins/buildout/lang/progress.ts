/**
 * The live indicator of a download: on a terminal, one line rewritten in
 * place (bytes so far, of how many, rate) at most ten times a second; in
 * logs, "Downloading URL" when it starts and a summary line when it ends.
 */
import { log } from "../../../core/log/logger.ts";

export interface DownloadProgress {
  update(bytes: number): void;
  done(bytes: number): void;
}

function size(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Start showing a download of `url` (`total` bytes when known). */
export function downloadProgress(url: string, total?: number): DownloadProgress {
  log.info(`Downloading ${url}`);
  const started = performance.now();
  const live = Boolean(process.stderr.isTTY) && !process.env.SLAPOS_NO_PROGRESS;
  let shown = 0;
  let drawn = false;
  return {
    update(bytes) {
      if (!live) return;
      const now = performance.now();
      if (now - shown < 100) return;
      shown = now;
      const rate = bytes / Math.max((now - started) / 1000, 0.001);
      const of = total ? ` / ${size(total)}` : "";
      process.stderr.write(`\r\x1b[2K  ${size(bytes)}${of}  ${size(Math.round(rate))}/s  ${url}`);
      drawn = true;
    },
    done(bytes) {
      if (drawn) process.stderr.write("\r\x1b[2K");
      const seconds = (performance.now() - started) / 1000;
      log.debug(`Downloaded ${url}: ${size(bytes)} in ${seconds.toFixed(2)}s`);
    },
  };
}
