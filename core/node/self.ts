/**
 * How to run this very program again (the watchdog line in supervisord.conf,
 * the native buildout child, daemons, the node loop): the compiled binary
 * itself, or bun with the tree's main.ts when running from the sources.
 */
import { resolve } from "node:path";

export function selfCommand(): string[] {
  const compiled = import.meta.url.includes("$bunfs") || Bun.main.includes("$bunfs");
  return compiled ? [process.execPath] : [process.execPath, resolve(import.meta.dir, "../../main.ts")];
}

/**
 * The executable that runs JavaScript when started with BUN_BE_BUN=1: the
 * compiled binary, or bun itself. Buildout children get it as
 * SLAPOS_EXECUTABLE, so a software release can run its services with the
 * appliance alone (examples/hello).
 */
export function javascriptRuntime(): string {
  return process.execPath;
}
