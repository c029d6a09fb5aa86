/**
 * Daemonizing without fork. Bun cannot fork, so `supervisord` without -n
 * starts this same executable again, detached (a new session), as
 * `slapos node supervisord -n -c FILE` with SLAPOS_SUPERVISORD_DAEMONIZED=1
 * in its environment, stdin and stderr on /dev/null and stdout on a pipe.
 * The child opens its sockets, writes its pidfile, then prints
 * `READY <pid>`; or prints `ERROR <message>` and exits. The parent waits
 * for that one line and exits 0 (or 1 with the message): the same contract
 * as supervisord's fork, where configuration and socket errors are
 * reported by the command that was run.
 */
import { SlapError } from "../../../core/errors.ts";
import { selfCommand } from "../../../core/node/self.ts";

export const DAEMONIZED_ENV = "SLAPOS_SUPERVISORD_DAEMONIZED";

/** How to run this slapos again: the compiled binary, or bun with the tree's main.ts (core/node/self.ts). */
export function slaposCommand(): string[] {
  return selfCommand();
}

export interface LaunchOptions {
  configPath: string;
  /** slapos.cfg, so the daemon loads the same plugins. */
  slaposConfig?: string;
  /** The daemon's environment; the reference launches supervisord with an empty one. */
  env?: Record<string, string>;
  /** argv prefix that runs slapos (defaults to this executable). */
  command?: string[];
  /** Seconds to wait for the daemon to be ready (a guard). */
  timeout?: number;
}

/** Start the daemon detached and wait until it serves; returns its pid. */
export async function launchDetached(options: LaunchOptions): Promise<number> {
  const argv = [...(options.command ?? slaposCommand()), "node", "supervisord", "-n", "-c", options.configPath];
  if (options.slaposConfig) argv.push("--cfg", options.slaposConfig);
  const child = Bun.spawn(argv, {
    env: { ...(options.env ?? {}), [DAEMONIZED_ENV]: "1" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "ignore",
    detached: true,
  });
  const reader = child.stdout.getReader();
  let text = "";
  const timer = setTimeout(() => void reader.cancel(), (options.timeout ?? 60) * 1000);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      if (text.includes("\n")) break;
    }
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
    // Let go of our end of the pipe: the daemon outlives us and must not keep our fd.
    void child.stdout.cancel().catch(() => undefined);
  }
  const line = text.split("\n")[0];
  if (line.startsWith("READY ")) {
    child.unref();
    return Number(line.slice(6));
  }
  const code = await Promise.race([child.exited, Bun.sleep(1000).then(() => undefined)]);
  if (code === undefined) child.kill();
  throw new SlapError("failure", line.startsWith("ERROR ") ? line.slice(6) : `supervisord did not start (${text.trim() || `exit code ${code}`})`);
}
