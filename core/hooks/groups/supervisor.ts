/** Hooks of the process supervisor and of the node's use of it. */
import { bail, notify, series, waterfall } from "../declare.ts";

/** One `[program:x]` section: option → value, as supervisord reads it. */
export type ProgramOptions = Record<string, string>;

export interface ProgramDefinition {
  group: string;
  name: string;
  options: ProgramOptions;
}

export interface ProcessExit {
  group: string;
  name: string;
  pid: number;
  exitCode: number | null;
  signal: string | null;
  /** Whether supervisord considers the exit expected (exitcodes). */
  expected: boolean;
}

export function createSupervisorHooks() {
  return {
    supervisor: {
      program: waterfall<ProgramDefinition>(
        "program definition → definition (wrap the command, add cgroup limits or environment)",
      ),
      programs: waterfall<Record<string, ProgramDefinition[]>, { partitionId: string }>(
        "programs the node generates for a partition, by group → map",
      ),
      mainConfig: waterfall<string, { instanceRoot: string }>("text of supervisord.conf → text"),
      launch: bail<{ instanceRoot: string; configPath: string }, boolean>(
        "make sure the supervisor runs; return true when handled",
      ),
      write: series<{ instanceRoot: string; written: string[]; removed: string[] }>(
        "the node wrote or removed program files: bring the supervisor up to date (reloadConfig, add/remove groups)",
      ),
      call: bail<{ instanceRoot: string; method: string; params: unknown[] }, unknown>(
        "call a method of the instance supervisor (supervisor.startProcessGroup, ...); faults throw",
      ),
    },
    process: {
      exited: notify<ProcessExit>("a supervised process exited"),
    },
  };
}
