/**
 * Our supervisorctl: the same actions, messages, column layout and exit
 * codes as supervisor's (supervisorctl.py DefaultControllerPlugin), talking
 * to any supervisord-compatible daemon through RpcClient.
 */
import { RpcClient, RpcConnectionError, RpcHttpError } from "../rpc/client.ts";
import { RpcFault, type RpcValue } from "../rpc/codec.ts";
import { Faults } from "../rpc/faults.ts";
import { API_VERSION } from "../rpc/methods.ts";
import { makeNamespec, splitNamespec } from "../rpc/process-control.ts";
import { STOPPED_STATES } from "../daemon/states.ts";
import { ACTION_HELP, topics } from "./help.ts";
import { runTail } from "./tail.ts";

/** supervisorctl's exit statuses (LSB init script conventions). */
export const Exit = Object.freeze({ SUCCESS: 0, GENERIC: 1, INVALID_ARGS: 2, UNIMPLEMENTED_FEATURE: 3, INSUFFICIENT_PRIVILEGES: 4, NOT_INSTALLED: 5, NOT_RUNNING: 7 });
const STATUS_NOT_RUNNING = 3;
const STATUS_UNKNOWN = 4;
const DEAD_PROGRAM_FAULTS: number[] = [Faults.SPAWN_ERROR, Faults.ABNORMAL_TERMINATION, Faults.NOT_RUNNING];

type Info = Record<string, RpcValue>;
type Result = { name: string; group: string; status: number; description: string };

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

  private rpc(method: string, ...params: RpcValue[]): Promise<RpcValue> {
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
      status: (a) => this.status(a),
      start: (a) => this.start(a),
      stop: (a) => this.stop(a),
      restart: (a) => this.restart(a),
      signal: (a) => this.signal(a),
      pid: (a) => this.pid(a),
      tail: (a) => this.tail(a),
      maintail: (a) => this.maintail(a),
      avail: (a) => this.avail(a),
      reread: (a) => this.reread(a),
      update: (a) => this.update(a),
      add: (a) => this.add(a),
      remove: (a) => this.remove(a),
      clear: (a) => this.clear(a),
      shutdown: (a) => this.shutdown(a),
      reload: (a) => this.reload(a),
      version: (a) => this.version(a),
      open: (a) => this.open(a),
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

  private usage(message: string, action: string, status: number = Exit.GENERIC): void {
    this.output(message);
    this.exitstatus = status;
    for (const line of ACTION_HELP[action] ?? []) this.output(line);
  }

  private exitFromFault(code: number, ignored?: number): void {
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

  private showStatuses(infos: Info[]): void {
    const namespecs = infos.map((info) => makeNamespec(String(info.group), String(info.name)));
    const width = Math.max(30, ...namespecs.map((n) => n.length)) + 3;
    infos.forEach((info, i) => {
      this.output(`${namespecs[i].padEnd(width)}${String(info.statename).padEnd(10)}${String(info.description)}`);
    });
  }

  async status(arg: string): Promise<void> {
    if (!(await this.upcheck())) {
      this.exitstatus = STATUS_UNKNOWN;
      return;
    }
    const all = (await this.rpc("getAllProcessInfo")) as Info[];
    const names = arg.split(/\s+/).filter(Boolean);
    let matching: Info[];
    if (!names.length || names.includes("all")) matching = all;
    else {
      matching = [];
      for (const name of names) {
        const [group, process] = splitNamespec(name);
        const found = all.filter((info) => info.group === group && (process === null || info.name === process));
        matching.push(...found);
        if (!found.length) {
          this.output(process === null ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`);
          this.exitstatus = STATUS_UNKNOWN;
        }
      }
    }
    this.showStatuses(matching);
    for (const info of matching) if (STOPPED_STATES.includes(Number(info.state))) this.exitstatus = STATUS_NOT_RUNNING;
  }

  private startResult(result: Result): string {
    const name = makeNamespec(result.group, result.name);
    const messages: Record<number, string> = {
      [Faults.BAD_NAME]: "no such process",
      [Faults.NO_FILE]: "no such file",
      [Faults.NOT_EXECUTABLE]: "file is not executable",
      [Faults.ALREADY_STARTED]: "already started",
      [Faults.SPAWN_ERROR]: "spawn error",
      [Faults.ABNORMAL_TERMINATION]: "abnormal termination",
    };
    if (result.status === Faults.SUCCESS) return `${name}: started`;
    const message = messages[result.status];
    if (!message) throw new Error(`Unknown result code ${result.status} for ${name}`);
    return `${name}: ERROR (${message})`;
  }

  private signalResult(result: Result, success = "signalled"): string {
    const name = makeNamespec(result.group, result.name);
    switch (result.status) {
      case Faults.BAD_NAME:
        return `${name}: ERROR (no such process)`;
      case Faults.BAD_SIGNAL:
        return `${name}: ERROR (bad signal name)`;
      case Faults.NOT_RUNNING:
        return `${name}: ERROR (not running)`;
      case Faults.SUCCESS:
        return `${name}: ${success}`;
      case Faults.FAILED:
        return result.description;
      default:
        throw new Error(`Unknown result code ${result.status} for ${name}`);
    }
  }

  /** start/stop/signal share one shape: all, groups (name:*), or single processes. */
  private async each(
    names: string[],
    all: () => Promise<RpcValue>,
    group: (g: string) => Promise<RpcValue>,
    single: (n: string) => Promise<RpcValue>,
    format: (r: Result) => string,
    success: string,
    ignored: number | undefined,
    badGroupStatus: number,
  ): Promise<void> {
    if (names.includes("all")) {
      for (const result of (await all()) as Result[]) {
        this.output(format(result));
        this.exitFromFault(result.status, ignored);
      }
      return;
    }
    for (const name of names) {
      const [groupName, processName] = splitNamespec(name);
      if (processName === null) {
        try {
          for (const result of (await group(groupName)) as Result[]) {
            this.output(format(result));
            this.exitFromFault(result.status, ignored);
          }
        } catch (error) {
          if (error instanceof RpcFault && error.faultCode === Faults.BAD_NAME) {
            this.output(`${groupName}: ERROR (no such group)`);
            this.exitstatus = badGroupStatus;
          } else {
            this.exitstatus = Exit.GENERIC;
            throw error;
          }
        }
        continue;
      }
      try {
        await single(name);
        this.output(`${makeNamespec(groupName, processName)}: ${success}`);
      } catch (error) {
        if (!(error instanceof RpcFault)) throw error;
        const result = { status: error.faultCode, name: processName, group: groupName, description: error.faultString };
        this.output(format(result));
        this.exitFromFault(result.status, ignored);
      }
    }
  }

  async start(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const names = arg.split(/\s+/).filter(Boolean);
    if (!names.length) return this.usage("Error: start requires a process name", "start", Exit.INVALID_ARGS);
    await this.each(
      names,
      () => this.rpc("startAllProcesses"),
      (g) => this.rpc("startProcessGroup", g),
      (n) => this.rpc("startProcess", n),
      (r) => this.startResult(r),
      "started",
      Faults.ALREADY_STARTED,
      Exit.INVALID_ARGS,
    );
  }

  async stop(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const names = arg.split(/\s+/).filter(Boolean);
    if (!names.length) return this.usage("Error: stop requires a process name", "stop");
    await this.each(
      names,
      () => this.rpc("stopAllProcesses"),
      (g) => this.rpc("stopProcessGroup", g),
      (n) => this.rpc("stopProcess", n),
      (r) => this.signalResult(r, "stopped"),
      "stopped",
      Faults.NOT_RUNNING,
      Exit.GENERIC,
    );
  }

  async restart(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    if (!arg.trim()) return this.usage("Error: restart requires a process name", "restart");
    await this.stop(arg);
    await this.start(arg);
  }

  async signal(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const args = arg.split(/\s+/).filter(Boolean);
    if (args.length < 2) return this.usage("Error: signal requires a signal name and a process name", "signal");
    const [sig, ...names] = args;
    await this.each(
      names,
      () => this.rpc("signalAllProcesses", sig),
      (g) => this.rpc("signalProcessGroup", g, sig),
      (n) => this.rpc("signalProcess", n, sig),
      (r) => this.signalResult(r),
      "signalled",
      undefined,
      Exit.GENERIC,
    );
  }

  async pid(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const names = arg.split(/\s+/).filter(Boolean);
    if (!names.length) {
      this.output(String(await this.rpc("getPID")));
      return;
    }
    if (names.includes("all")) {
      for (const info of (await this.rpc("getAllProcessInfo")) as Info[]) this.output(String(info.pid));
      return;
    }
    for (const name of names) {
      try {
        const info = (await this.rpc("getProcessInfo", name)) as Info;
        this.output(String(info.pid));
        if (info.pid === 0) this.exitstatus = Exit.NOT_RUNNING;
      } catch (error) {
        this.exitstatus = Exit.GENERIC;
        if (error instanceof RpcFault && error.faultCode === Faults.BAD_NAME) this.output(`No such process ${name}`);
        else throw error;
      }
    }
  }

  async tail(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const args = arg.split(/\s+/).filter(Boolean);
    if (args.length < 1) return this.usage("Error: too few arguments", "tail");
    if (args.length > 3) return this.usage("Error: too many arguments", "tail");
    const modifier = args[0].startsWith("-") ? args.shift()! : undefined;
    let name: string;
    let channel = "stdout";
    if (args.length === 1) name = args[0];
    else if (args.length) {
      name = args[0];
      channel = args[args.length - 1].toLowerCase();
      if (channel !== "stdout" && channel !== "stderr") {
        this.output(`Error: bad channel '${channel}'`);
        this.exitstatus = Exit.GENERIC;
        return;
      }
    } else {
      this.output("Error: tail requires process name");
      this.exitstatus = Exit.GENERIC;
      return;
    }
    let bytes: number | null = 1600;
    if (modifier !== undefined) {
      const what = modifier.slice(1);
      if (what === "f") bytes = null;
      else if (/^-?\d+$/.test(what)) bytes = Number(what);
      else {
        this.output(`Error: bad argument ${modifier}`);
        this.exitstatus = Exit.GENERIC;
        return;
      }
    }
    if (bytes === null) {
      this.output("==> Press Ctrl-C to exit <==");
      await runTail(this.client, `/logtail/${name}/${channel}`);
      return;
    }
    try {
      const method = channel === "stdout" ? "readProcessStdoutLog" : "readProcessStderrLog";
      this.output(String(await this.rpc(method, name, -bytes, 0)));
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      this.exitstatus = Exit.GENERIC;
      const messages: Record<number, string> = {
        [Faults.NO_FILE]: "no log file",
        [Faults.FAILED]: "unknown error reading log",
        [Faults.BAD_NAME]: "no such process name",
      };
      if (!messages[error.faultCode]) throw error;
      this.output(`${name}: ERROR (${messages[error.faultCode]})`);
    }
  }

  async maintail(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const args = arg.split(/\s+/).filter(Boolean);
    if (args.length > 1) return this.usage("Error: too many arguments", "maintail");
    let bytes = 1600;
    if (args.length === 1) {
      const what = args[0].startsWith("-") ? args[0].slice(1) : undefined;
      if (what === "f") {
        this.output("==> Press Ctrl-C to exit <==");
        await runTail(this.client, "/mainlogtail");
        return;
      }
      if (what === undefined || !/^-?\d+$/.test(what)) {
        this.output(`Error: bad argument ${args[0]}`);
        this.exitstatus = Exit.GENERIC;
        return;
      }
      bytes = Number(what);
    }
    try {
      this.output(String(await this.rpc("readLog", -bytes, 0)));
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      this.exitstatus = Exit.GENERIC;
      if (error.faultCode === Faults.NO_FILE) this.output("supervisord: ERROR (no log file)");
      else if (error.faultCode === Faults.FAILED) this.output("supervisord: ERROR (unknown error reading log)");
      else throw error;
    }
  }

  async avail(arg: string): Promise<void> {
    if (arg.trim()) return this.usage("Error: avail accepts no arguments", "avail");
    let infos: Info[];
    try {
      infos = (await this.rpc("getAllConfigInfo")) as Info[];
    } catch (error) {
      this.exitstatus = Exit.GENERIC;
      if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) {
        this.output("ERROR: supervisor shutting down");
        return;
      }
      throw error;
    }
    for (const info of infos) {
      const name = makeNamespec(String(info.group), String(info.name)).padEnd(32);
      const inuse = (info.inuse ? "in use" : "avail").padEnd(9);
      const autostart = (info.autostart ? "auto" : "manual").padEnd(9);
      this.output(`${name} ${inuse} ${autostart} ${info.group_prio}:${info.process_prio}`);
    }
  }

  private formatChanges([added, changed, removed]: string[][]): void {
    const changes = new Map<string, string>();
    for (const [names, what] of [[added, "available"], [changed, "changed"], [removed, "disappeared"]] as const) {
      for (const name of names) changes.set(name, what);
    }
    if (!changes.size) {
      this.output("No config updates to processes");
      return;
    }
    for (const name of [...changes.keys()].sort()) this.output(`${name}: ${changes.get(name)}`);
  }

  async reread(arg: string): Promise<void> {
    if (arg.trim()) return this.usage("Error: reread accepts no arguments", "reread");
    try {
      const result = (await this.rpc("reloadConfig")) as string[][][];
      this.formatChanges(result[0]);
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      this.exitstatus = Exit.GENERIC;
      if (error.faultCode === Faults.SHUTDOWN_STATE) this.output("ERROR: supervisor shutting down");
      else if (error.faultCode === Faults.CANT_REREAD) this.output(`ERROR: ${error.faultString}`);
      else throw error;
    }
  }

  async update(arg: string): Promise<void> {
    let result: string[][][];
    try {
      result = (await this.rpc("reloadConfig")) as string[][][];
    } catch (error) {
      this.exitstatus = Exit.GENERIC;
      if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) {
        this.output("ERROR: already shutting down");
        return;
      }
      throw error;
    }
    const [added, changed, removed] = result[0];
    let valid = new Set(arg.split(/\s+/).filter(Boolean));
    if (valid.has("all")) valid = new Set();
    if (valid.size) {
      const groups = new Set(((await this.rpc("getAllProcessInfo")) as Info[]).map((i) => String(i.group)));
      for (const name of added) groups.add(name);
      for (const name of valid) {
        if (!groups.has(name)) {
          this.output(`ERROR: no such group: ${name}`);
          this.exitstatus = Exit.GENERIC;
        }
      }
    }
    const wanted = (name: string) => !valid.size || valid.has(name);
    for (const name of removed.filter(wanted)) {
      const results = (await this.rpc("stopProcessGroup", name)) as Result[];
      this.output(`${name}: stopped`);
      if (results.some((r) => r.status === Faults.FAILED)) {
        this.output(`${name}: has problems; not removing`);
        this.exitstatus = Exit.GENERIC;
        continue;
      }
      await this.rpc("removeProcessGroup", name);
      this.output(`${name}: removed process group`);
    }
    for (const name of changed.filter(wanted)) {
      await this.rpc("stopProcessGroup", name);
      this.output(`${name}: stopped`);
      await this.rpc("removeProcessGroup", name);
      await this.rpc("addProcessGroup", name);
      this.output(`${name}: updated process group`);
    }
    for (const name of added.filter(wanted)) {
      await this.rpc("addProcessGroup", name);
      this.output(`${name}: added process group`);
    }
  }

  async add(arg: string): Promise<void> {
    for (const name of arg.split(/\s+/).filter(Boolean)) {
      try {
        await this.rpc("addProcessGroup", name);
        this.output(`${name}: added process group`);
      } catch (error) {
        if (!(error instanceof RpcFault)) throw error;
        if (error.faultCode === Faults.SHUTDOWN_STATE) {
          this.output("ERROR: shutting down");
          this.exitstatus = Exit.GENERIC;
        } else if (error.faultCode === Faults.ALREADY_ADDED) this.output("ERROR: process group already active");
        else if (error.faultCode === Faults.BAD_NAME) {
          this.output(`ERROR: no such process/group: ${name}`);
          this.exitstatus = Exit.GENERIC;
        } else {
          this.exitstatus = Exit.GENERIC;
          throw error;
        }
      }
    }
  }

  async remove(arg: string): Promise<void> {
    for (const name of arg.split(/\s+/).filter(Boolean)) {
      try {
        await this.rpc("removeProcessGroup", name);
        this.output(`${name}: removed process group`);
      } catch (error) {
        if (!(error instanceof RpcFault)) throw error;
        this.exitstatus = Exit.GENERIC;
        if (error.faultCode === Faults.STILL_RUNNING) this.output(`ERROR: process/group still running: ${name}`);
        else if (error.faultCode === Faults.BAD_NAME) this.output(`ERROR: no such process/group: ${name}`);
        else throw error;
      }
    }
  }

  async clear(arg: string): Promise<void> {
    if (!(await this.upcheck())) return;
    const names = arg.split(/\s+/).filter(Boolean);
    if (!names.length) return this.usage("Error: clear requires a process name", "clear");
    const format = (r: Result) => {
      const name = makeNamespec(r.group, r.name);
      if (r.status === Faults.SUCCESS) return `${name}: cleared`;
      if (r.status === Faults.BAD_NAME) return `${name}: ERROR (no such process)`;
      if (r.status === Faults.FAILED) return `${name}: ERROR (failed)`;
      throw new Error(`Unknown result code ${r.status} for ${name}`);
    };
    if (names.includes("all")) {
      for (const result of (await this.rpc("clearAllProcessLogs")) as Result[]) {
        this.output(format(result));
        this.exitFromFault(result.status);
      }
      return;
    }
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      try {
        await this.rpc("clearProcessLogs", name);
        this.output(`${makeNamespec(group, process ?? "")}: cleared`);
      } catch (error) {
        if (!(error instanceof RpcFault)) throw error;
        this.output(format({ status: error.faultCode, name: process ?? "None", group, description: error.faultString }));
        this.exitFromFault(error.faultCode);
      }
    }
  }

  private async stopDaemon(method: "shutdown" | "restart", done: string, arg: string): Promise<void> {
    if (arg.trim()) return this.usage(`Error: ${method === "shutdown" ? "shutdown" : "reload"} accepts no arguments`, method === "shutdown" ? "shutdown" : "reload");
    try {
      await this.rpc(method);
      this.output(done);
    } catch (error) {
      if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) {
        this.output("ERROR: already shutting down");
        if (method === "restart") this.exitstatus = Exit.GENERIC;
        return;
      }
      this.exitstatus = Exit.GENERIC;
      if (method === "shutdown" && error instanceof RpcConnectionError) {
        const what = error.code === "ENOENT" ? "no such file" : "refused connection";
        this.output(`ERROR: ${this.options.serverurl} ${what} (already shut down?)`);
        return;
      }
      throw error;
    }
  }

  shutdown(arg: string): Promise<void> {
    return this.stopDaemon("shutdown", "Shut down", arg);
  }

  reload(arg: string): Promise<void> {
    return this.stopDaemon("restart", "Restarted supervisord", arg);
  }

  async version(arg: string): Promise<void> {
    if (arg.trim()) return this.usage("Error: version accepts no arguments", "version");
    if (!(await this.upcheck())) return;
    this.output(String(await this.rpc("getSupervisorVersion")));
  }

  async open(arg: string): Promise<void> {
    const url = arg.trim();
    if (!url.startsWith("unix://") && !url.startsWith("http://")) {
      this.output("ERROR: url must be http:// or unix://");
      this.exitstatus = Exit.GENERIC;
      return;
    }
    this.options.serverurl = url;
    this.client = new RpcClient(url, { username: this.options.username, password: this.options.password });
    const previous = this.exitstatus;
    await this.status("");
    this.exitstatus = previous;
  }
}
