/**
 * How to run this very program again (for the watchdog line in
 * supervisord.conf, daemons, the node loop): the compiled binary itself, or
 * `bun main.ts` when running from the sources.
 */
export function selfCommand(): string[] {
  if (Bun.main.startsWith("/$bunfs/")) return [process.execPath];
  return [process.execPath, Bun.main];
}
