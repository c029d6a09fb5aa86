/**
 * Our supervisorctl: the same actions, messages, column layout and exit
 * codes as supervisor's (supervisorctl.py DefaultControllerPlugin), talking
 * to any supervisord-compatible daemon through RpcClient. The actions are
 * in process-actions.ts and config-actions.ts; this is the dispatcher and
 * what they share.
 */
import { RpcClient, RpcConnectionError, RpcHttpError } from "../rpc/client.ts";
import { RpcFault, type RpcValue } from "../rpc/codec.ts";
import { Faults } from "../rpc/faults.ts";
import { API_VERSION } from "../rpc/methods.ts";
import { add, avail, open, reload, remove, reread, shutdown, update, version } from "./config-actions.ts";
import { ACTION_HELP, topics } from "./help.ts";
import { clear, maintail, pid, restart, signal, start, status, stop, tail } from "./process-actions.ts";

/** The words of an action's argument line. */
export function words(arg: string): string[] {
  return arg.split(/\s+/).filter(Boolean);
}

/** supervisorctl's exit statuses (LSB init script conventions). */
export const Exit = Object.freeze({ SUCCESS: 0, GENERIC: 1, INVALID_ARGS: 2, UNIMPLEMENTED_FEATURE: 3, INSUFFICIENT_PRIVILEGES: 4, NOT_INSTALLED: 5, NOT_RUNNING: 7 });
/** `status`'s own exit statuses. */
export const STATUS_NOT_RUNNING = 3;
export const STATUS_UNKNOWN = 4;
const DEAD_PROGRAM_FAULTS: number[] = [Faults.SPAWN_ERROR, Faults.ABNORMAL_TERMINATION, Faults.NOT_RUNNING];

export type Info = Record<string, RpcValue>;
export type Result = { name: string; group: string; status: number; description: string };

export interface ControllerOptions {
  serverurl: string;
  username: string | null;
  password: string | null;
  interactive: boolean;
  out?: (line: string) => void;
}

export class Controller {
  exitstatus: number = Exit.SUCCESS;
  client: RpcClient;
  private readonly print: (line: string) => void;

  constructor(readonly options: ControllerOptions) {
    this.client = new RpcClient(options.serverurl, { username: options.username, password: options.password });
    this.print = options.out ?? ((line) => process.stdout.write(`${line}\n`));
  }

  output(line: string): void {
    this.print(line);
  }

  rpc(method: string, ...params: RpcValue[]): Promise<RpcValue> {
    return this.client.call(`supervisor.${method}`, ...params);
  }

  /** Run one line ("status foo"); returns true when the shell should exit. */
  async onecmd(line: string): Promise<boolean> {
    const trimmed = line.trim();
    if (!trimmed) return false;
    const match = /^([A-Za-z0-9_]*)\s*(.*)$/s.exec(trimmed)!;
    const [action, arg] = [match[1], match[2]];
    const handler = action ? this.handlers()[action] : undefined;
    if (!handler) {
      this.output(`*** Unknown syntax: ${trimmed}`);
      this.exitstatus = Exit.GENERIC;
      return false;
    }
    try {
      return (await handler(arg)) === true;
    } catch (error) {
      if (error instanceof RpcHttpError && error.status === 401) {
        this.output("Server requires authentication");
      } else if (error instanceof RpcConnectionError) {
        const text =
          error.code === "ENOENT"
            ? "<class 'FileNotFoundError'>, [Errno 2] No such file or directory"
            : "<class 'ConnectionRefusedError'>, [Errno 111] Connection refused";
        this.output(`error: ${text}`);
      } else if (error instanceof RpcFault) {
        this.output(`error: <class 'xmlrpc.client.Fault'>, <Fault ${error.faultCode}: '${error.faultString}'>`);
      } else {
        this.output(`error: ${(error as Error).message}`);
      }
      this.exitstatus = Exit.GENERIC;
      return false;
    }
  }

  private handlers(): Record<string, (arg: string) => Promise<unknown> | unknown> {
    return {
      help: (a) => this.help(a),
      status: (a) => status(this, a),
      start: (a) => start(this, a),
      stop: (a) => stop(this, a),
      restart: (a) => restart(this, a),
      signal: (a) => signal(this, a),
      pid: (a) => pid(this, a),
      tail: (a) => tail(this, a),
      maintail: (a) => maintail(this, a),
      avail: (a) => avail(this, a),
      reread: (a) => reread(this, a),
      update: (a) => update(this, a),
      add: (a) => add(this, a),
      remove: (a) => remove(this, a),
      clear: (a) => clear(this, a),
      shutdown: (a) => shutdown(this, a),
      reload: (a) => reload(this, a),
      version: (a) => version(this, a),
      open: (a) => open(this, a),
      fg: () => {
        this.output("ERROR: fg is not supported by this supervisorctl");
        this.exitstatus = Exit.GENERIC;
      },
      quit: () => this.quit(),
      exit: () => this.quit(),
      EOF: () => this.quit(),
    };
  }

  private quit(): boolean {
    this.output("");
    return true;
  }

  private help(arg: string): void {
    const topic = arg.trim();
    if (!topic) {
      for (const line of topics()) this.output(line);
      return;
    }
    const text = ACTION_HELP[topic];
    if (!text) {
      this.output(`*** No help on ${topic}`);
      return;
    }
    for (const line of text) this.output(line);
  }

  usage(message: string, action: string, status: number = Exit.GENERIC): void {
    this.output(message);
    this.exitstatus = status;
    for (const line of ACTION_HELP[action] ?? []) this.output(line);
  }

  /** Print each result of an all- or group-wide call; a fault other than `ignored` sets the exit status. */
  showResults(results: Result[], format: (result: Result) => string, ignored?: number): void {
    for (const result of results) {
      this.output(format(result));
      this.exitFromFault(result.status, ignored);
    }
  }

  exitFromFault(code: number, ignored?: number): void {
    if (code === ignored || code === Faults.SUCCESS) return;
    this.exitstatus = DEAD_PROGRAM_FAULTS.includes(code) ? Exit.NOT_RUNNING : Exit.GENERIC;
  }

  /** supervisorctl's upcheck: the daemon is there and speaks API 3.0. */
  async upcheck(): Promise<boolean> {
    try {
      const api = await this.rpc("getVersion");
      if (api !== API_VERSION) {
        this.output(
          `Sorry, this version of supervisorctl expects to talk to a server with API version ${API_VERSION}, but the remote version is ${String(api)}.`,
        );
        this.exitstatus = Exit.NOT_INSTALLED;
        return false;
      }
    } catch (error) {
      if (error instanceof RpcFault && error.faultCode === Faults.UNKNOWN_METHOD) {
        this.output(
          "Sorry, supervisord responded but did not recognize the supervisor namespace commands that supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is enabled in the configuration file (see sample.conf).",
        );
        this.exitstatus = Exit.UNIMPLEMENTED_FEATURE;
        return false;
      }
      if (error instanceof RpcConnectionError) {
        if (error.code === "ENOENT") {
          this.output(`${this.options.serverurl} no such file`);
          this.exitstatus = Exit.NOT_RUNNING;
        } else {
          this.output(`${this.options.serverurl} refused connection`);
          this.exitstatus = Exit.INSUFFICIENT_PRIVILEGES;
        }
        return false;
      }
      this.exitstatus = Exit.GENERIC;
      throw error;
    }
    return true;
  }

  /** start/stop/signal share one shape: all, groups (name:*), or single processes. */
}
