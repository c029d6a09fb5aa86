/**
 * Hooks of the process supervisor and of the node's use of it.
 *
 * Node side (core/node, when it writes a partition's programs):
 * `supervisor.program`, `supervisor.programs`, `supervisor.mainConfig`,
 * and the calls the supervisor plugin answers: `supervisor.launch`,
 * `supervisor.write`, `supervisor.call`.
 *
 * Daemon side (`slapos node supervisord`, which loads the built-in plugins
 * and those of `[slapos] plugin_list` when it starts):
 * `supervisor.configure` and `process.exited`.
 *
 * `supervisor.program` changes what the node writes (visible in the
 * files, and honoured by any supervisord); `supervisor.configure` changes
 * what the daemon runs, for every program it reads (cgroups, wrappers that
 * must not show in the files). A tap belongs on one of them, not both.
 */
import { bail, notify, series, waterfall } from "../declare.ts";

/** One `[program:x]` section: option → value, as supervisord reads it. */
export type ProgramOptions = Record<string, string>;

/** A program the node writes: `name` is the section's (`slappart0_wrapper`), `options` its lines. */
export interface ProgramDefinition {
  group: string;
  name: string;
  options: ProgramOptions;
}

/**
 * One process as the daemon is about to configure it: `name` is the
 * process name (`wrapper`, `daemon-on-watch`), `program` the section's,
 * and `options` the final strings (after `%(...)s` expansion).
 */
export interface ProcessDefinition {
  group: string;
  name: string;
  program: string;
  options: ProgramOptions;
  /**
   * A cgroup directory (created and configured by the tap) the process
   * starts in, so its limits apply from its first instruction.
   */
  cgroup?: string;
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
        "a program the node writes for a partition → definition (wrap the command, add environment); node side",
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
      configure: waterfall<ProcessDefinition>(
        "a process the daemon configures → definition (wrap the command, add environment, set a cgroup); daemon side",
      ),
    },
    process: {
      exited: notify<ProcessExit>("a supervised process exited (runs in the daemon; must not throw or block)"),
    },
  };
}
