/**
 * Hooks of the process supervisor and of the node's use of it.
 *
 * `supervisor.program` and `process.exited` run inside the daemon
 * (`slapos node supervisord`), which loads the built-in plugins and those
 * of `[slapos] plugin_list` when it starts; the others run in the node's
 * commands.
 */
import { bail, notify, series, waterfall } from "../declare.ts";

/** One `[program:x]` section: option → value, as supervisord reads it. */
export type ProgramOptions = Record<string, string>;

/**
 * One process of a program section, as the daemon is about to configure
 * it: the options are the final strings (after `%(...)s` expansion), so a
 * tap can wrap `command`, extend `environment`, or set `cgroup`.
 */
export interface ProgramDefinition {
  /** Group name, e.g. slappart0. */
  group: string;
  /** Process name, e.g. wrapper or daemon-on-watch. */
  name: string;
  options: ProgramOptions;
  /**
   * A cgroup directory (already created and configured by the tap) the
   * process starts in, so its limits apply from its first instruction.
   */
  cgroup?: string;
}

/**
 * One program the node runs for a partition (slapgrid's
 * addProgramToGroup): `id` is the program's basename (`wrapper`), `name`
 * its process name (`wrapper`, or `daemon-on-watch` for etc/service),
 * `command` an absolute path. `asUser` false runs it as root (managers).
 * `options` override or add options of the written `[program:x]` block.
 */
export interface PartitionProgram {
  id: string;
  name: string;
  command: string;
  asUser: boolean;
  options?: ProgramOptions;
}

export interface ProcessExit {
  group: string;
  name: string;
  pid: number;
  /** Exit status, or null when a signal ended it. */
  exitCode: number | null;
  /** Signal name (SIGTERM), or null. */
  signal: string | null;
  /** Whether supervisord considers the exit expected (exitcodes, or a stop that was asked for). */
  expected: boolean;
  /** The state the process entered: EXITED, STOPPED or BACKOFF. */
  state: "EXITED" | "STOPPED" | "BACKOFF";
}

export function createSupervisorHooks() {
  return {
    supervisor: {
      program: waterfall<ProgramDefinition>(
        "program definition → definition (wrap the command, add cgroup limits or environment); runs in the daemon",
      ),
      programs: waterfall<Record<string, PartitionProgram[]>, { partitionId: string; partitionPath: string }>(
        "programs the node generates for a partition, by group (slappart0, slappart0-prerm) → map",
      ),
      mainConfig: waterfall<string, { instanceRoot: string }>("text of supervisord.conf → text"),
      launch: bail<{ instanceRoot: string; configPath: string }, boolean>(
        "make sure the supervisor runs; return true when handled",
      ),
      write: series<{ partitionId: string; written: string[]; removed: string[] }>(
        "after the node wrote or removed program files, before the supervisor reloads",
      ),
    },
    process: {
      exited: notify<ProcessExit>("a supervised process exited (runs in the daemon; must not throw or block)"),
    },
  };
}
