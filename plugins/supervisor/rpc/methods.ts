/**
 * The `supervisor.*` namespace (supervisord's rpcinterface.py, API 3.0):
 * each method with its docstring (system.methodHelp / methodSignature read
 * the @param/@return tags), its argument count, and its body.
 */
import { processStateName, SupervisorStates, supervisorStateName } from "../daemon/states.ts";
import type { Supervisor } from "../daemon/supervisor.ts";
import { bool, int, str } from "./args.ts";
import type { RpcValue } from "./codec.ts";
import { configInfo, processInfo } from "./describe.ts";
import { Faults, RpcError, toFault } from "./faults.ts";
import { logMethods } from "./methods-logs.ts";
import {
  namedProcess,
  signalAll,
  signalGroup,
  signalProcess,
  startAll,
  startGroup,
  startProcess,
  stopAll,
  stopGroup,
  stopProcess,
} from "./process-control.ts";

export const API_VERSION = "3.0";
/** The supervisord release whose RPC behaviour we reproduce (what getSupervisorVersion answers). */
export const SUPERVISOR_VERSION = "4.2.5";

export interface RpcMethod {
  help: string;
  /** Minimum and maximum number of parameters. */
  arity: [number, number];
  /** Refuse with SHUTDOWN_STATE while the daemon is stopping (supervisord's _update). */
  guarded?: boolean;
  call(...params: RpcValue[]): RpcValue | Promise<RpcValue>;
}

/** What the RPC methods can ask of the daemon around the supervisor. */
export interface DaemonControl {
  supervisor: Supervisor;
  mainLogPath(): string | null;
  /** Called after the answer to shutdown()/restart() was sent. */
  shutdown(): void;
  restart(): void;
  clearMainLog(): void;
}

export function supervisorNamespace(d: DaemonControl): Record<string, RpcMethod> {
  const s = d.supervisor;
  const methods: Record<string, RpcMethod> = {
    ...logMethods(d),
    getAPIVersion: {
      help: "Return the version of the RPC API used by supervisord\n\n@return string version id",
      arity: [0, 0],
      call: () => API_VERSION,
    },
    getSupervisorVersion: {
      help: "Return the version of the supervisor package in use by supervisord\n\n@return string version id",
      arity: [0, 0],
      call: () => SUPERVISOR_VERSION,
    },
    getIdentification: {
      help: "Return identifying string of supervisord\n\n@return string identifier identifying string",
      arity: [0, 0],
      call: () => s.config.supervisord.identifier,
    },
    getState: {
      help: "Return current state of supervisord as a struct\n\n@return struct A struct with keys int statecode, string statename",
      arity: [0, 0],
      call: () => ({ statecode: s.mood, statename: supervisorStateName(s.mood) }),
    },
    getPID: {
      help: "Return the PID of supervisord\n\n@return int PID",
      arity: [0, 0],
      call: () => process.pid,
    },
    shutdown: {
      help: "Shut down the supervisor process\n\n@return boolean result always returns True unless error",
      arity: [0, 0],
      call: () => {
        d.shutdown();
        return true;
      },
    },
    restart: {
      help: "Restart the supervisor process\n\n@return boolean result  always return True unless error",
      arity: [0, 0],
      call: () => {
        d.restart();
        return true;
      },
    },
    reloadConfig: {
      help: "Reload the configuration.\n\nThe result contains three arrays containing names of process groups:\n\n* `added` gives the process groups that have been added\n* `changed` gives the process groups whose contents have changed\n* `removed` gives the process groups that are no longer in the configuration\n\n@return array result  [[added, changed, removed]]",
      arity: [0, 0],
      call: async () => {
        try {
          return [await s.reloadConfig()];
        } catch (error) {
          if (error instanceof RpcError) throw error;
          const [, text] = toFault(error);
          throw new RpcError(Faults.CANT_REREAD, text.replace(/^[A-Z_]+: /, ""));
        }
      },
    },
    addProcessGroup: {
      help: "Update the config for a running process from config file.\n\n@param string name         name of process group to add\n@return boolean result     true if successful",
      arity: [1, 1],
      call: (name) => {
        const config = s.config.groups.find((g) => g.name === str(name));
        if (!config) throw new RpcError(Faults.BAD_NAME, String(name));
        if (!s.addProcessGroup(config)) throw new RpcError(Faults.ALREADY_ADDED, String(name));
        return true;
      },
    },
    removeProcessGroup: {
      help: "Remove a stopped process from the active configuration.\n\n@param string name         name of process group to remove\n@return boolean result     Indicates whether the removal was successful",
      arity: [1, 1],
      call: (name) => {
        if (!s.groups.has(str(name))) throw new RpcError(Faults.BAD_NAME, String(name));
        if (!s.removeProcessGroup(String(name))) throw new RpcError(Faults.STILL_RUNNING, String(name));
        return true;
      },
    },
    startProcess: {
      help: "Start a process\n\n@param string name Process name (or ``group:name``, or ``group:*``)\n@param boolean wait Wait for process to be fully started\n@return boolean result     Always true unless error",
      arity: [1, 2],
      call: (name, wait) => startProcess(s, str(name), bool(wait, true)),
    },
    startProcessGroup: {
      help: "Start all processes in the group named 'name'\n\n@param string name     The group name\n@param boolean wait    Wait for each process to be fully started\n@return array result   An array of process status info structs",
      arity: [1, 2],
      call: (name, wait) => {
        const group = s.groups.get(str(name));
        if (!group) throw new RpcError(Faults.BAD_NAME, String(name));
        return startGroup(s, group, bool(wait, true));
      },
    },
    startAllProcesses: {
      help: "Start all processes listed in the configuration file\n\n@param boolean wait    Wait for each process to be fully started\n@return array result   An array of process status info structs",
      arity: [0, 1],
      call: (wait) => startAll(s, bool(wait, true)),
    },
    stopProcess: {
      help: "Stop a process named by name\n\n@param string name  The name of the process to stop (or 'group:name')\n@param boolean wait        Wait for the process to be fully stopped\n@return boolean result     Always return True unless error",
      arity: [1, 2],
      call: (name, wait) => stopProcess(s, str(name), bool(wait, true)),
    },
    stopProcessGroup: {
      help: "Stop all processes in the process group named 'name'\n\n@param string name     The group name\n@param boolean wait    Wait for each process to be fully stopped\n@return array result   An array of process status info structs",
      arity: [1, 2],
      call: (name, wait) => {
        const group = s.groups.get(str(name));
        if (!group) throw new RpcError(Faults.BAD_NAME, String(name));
        return stopGroup(s, group, bool(wait, true));
      },
    },
    stopAllProcesses: {
      help: "Stop all processes in the process list\n\n@param  boolean wait   Wait for each process to be fully stopped\n@return array result   An array of process status info structs",
      arity: [0, 1],
      call: (wait) => stopAll(s, bool(wait, true)),
    },
    signalProcess: {
      help: "Send an arbitrary UNIX signal to the process named by name\n\n@param string name    Name of the process to signal (or 'group:name')\n@param string signal  Signal to send, as name ('HUP') or number ('1')\n@return boolean",
      arity: [2, 2],
      call: (name, signal) => signalProcess(s, str(name), String(signal)),
    },
    signalProcessGroup: {
      help: "Send a signal to all processes in the group named 'name'\n\n@param string name    The group name\n@param string signal  Signal to send, as name ('HUP') or number ('1')\n@return array",
      arity: [2, 2],
      call: (name, signal) => {
        const group = s.groups.get(str(name));
        if (!group) throw new RpcError(Faults.BAD_NAME, String(name));
        return signalGroup(s, group, String(signal));
      },
    },
    signalAllProcesses: {
      help: "Send a signal to all processes in the process list\n\n@param string signal  Signal to send, as name ('HUP') or number ('1')\n@return array         An array of process status info structs",
      arity: [1, 1],
      call: (signal) => signalAll(s, String(signal)),
    },
    getAllConfigInfo: {
      help: "Get info about all available process configurations. Each struct\nrepresents a single process (i.e. groups get flattened).\n\n@return array result  An array of process config info structs",
      arity: [0, 0],
      call: () => {
        const out: Array<Record<string, RpcValue>> = [];
        for (const group of s.config.groups) {
          const active = s.groups.get(group.name);
          for (const config of group.processes) {
            out.push(configInfo(config, group, Boolean(active), active?.processes.get(config.name)));
          }
        }
        return out.sort((a, b) => (String(a.name) < String(b.name) ? -1 : String(a.name) > String(b.name) ? 1 : 0));
      },
    },
    getProcessInfo: {
      help: "Get info about a process named name\n\n@param string name The name of the process (or 'group:name')\n@return struct result     A structure containing data about the process",
      arity: [1, 1],
      call: (name) => {
        const process = namedProcess(s, str(name));
        return processInfo(process);
      },
    },
    getAllProcessInfo: {
      help: "Get info about all processes\n\n@return array result  An array of process status results",
      arity: [0, 0],
      call: () => {
        const names = [...s.groups.keys()].sort();
        return names.flatMap((name) => {
          const group = s.groups.get(name)!;
          return [...group.processes.keys()].sort().map((p) => processInfo(group.processes.get(p)!));
        });
      },
    },
    sendProcessStdin: {
      help: "Send a string of chars to the stdin of the process name.\n\n@param string name        The process name to send to (or 'group:name')\n@param string chars       The character data to send to the process\n@return boolean result    Always return True unless error",
      arity: [2, 2],
      call: (name, chars) => {
        if (typeof chars !== "string" && !(chars instanceof Uint8Array)) {
          throw new RpcError(Faults.INCORRECT_PARAMETERS, String(chars));
        }
        const process = namedProcess(s, str(name));
        if (!process.pid || process.killing) throw new RpcError(Faults.NOT_RUNNING, String(name));
        try {
          process.write(chars);
        } catch {
          throw new RpcError(Faults.NO_FILE, String(name));
        }
        return true;
      },
    },
    sendRemoteCommEvent: {
      help: "Send an event that will be received by event listener\nsubprocesses subscribing to the RemoteCommunicationEvent.\n\n@param  string  type  String for the \"type\" key in the event header\n@param  string  data  Data for the event body\n@return boolean       Always return True unless error",
      arity: [2, 2],
      guarded: false,
      call: (type, data) => {
        s.events.notify({ type: "REMOTE_COMMUNICATION", payload: `type:${String(type)}\n${String(data)}` });
        return true;
      },
    },
  };
  // supervisord's backward-compatible aliases
  methods.getVersion = methods.getAPIVersion;
  methods.readMainLog = methods.readLog;
  methods.readProcessLog = methods.readProcessStdoutLog;
  methods.tailProcessLog = methods.tailProcessStdoutLog;
  methods.clearProcessLog = methods.clearProcessLogs;
  return methods;
}

/** The state name of a process state code, re-exported for clients. */
export { processStateName, SupervisorStates };
