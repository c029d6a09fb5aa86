/** Hooks around every command run: configuration and the run lock. */
import { bail, waterfall } from "../declare.ts";

export interface RunInput {
  /** The command being run, e.g. "node instance". */
  command: string;
}

export function createRunHooks() {
  return {
    config: {
      /** merged options → options (reference: merged_options). */
      resolve: waterfall<Record<string, unknown>, RunInput>(
        "merged command options → options; a plugin may add or override settings",
      ),
    },
    run: {
      acquireLock: bail<RunInput & { pidfile: string }, number>(
        "take the run's pidfile; return an exit code to abort (10: another run holds it)",
      ),
      delay: bail<RunInput & { maximalDelay: number; now: boolean }, boolean>(
        "sleep before a cron-started run; return true when handled",
      ),
    },
  };
}
