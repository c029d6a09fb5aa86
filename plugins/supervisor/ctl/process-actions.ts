/** supervisorctl actions on processes: status, start, stop, restart, signal, pid, tail, maintail, clear. */
import { STOPPED_STATES } from "../daemon/states.ts";
import { RpcFault, type RpcValue } from "../rpc/codec.ts";
import { Faults } from "../rpc/faults.ts";
import { makeNamespec, splitNamespec } from "../rpc/process-control.ts";
import { Exit, STATUS_NOT_RUNNING, STATUS_UNKNOWN, type Controller, type Info, type Result, words } from "./controller.ts";
import { runTail } from "./tail.ts";

function showStatuses(ctl: Controller, infos: Info[]): void {
  const namespecs = infos.map((info) => makeNamespec(String(info.group), String(info.name)));
  const width = Math.max(30, ...namespecs.map((n) => n.length)) + 3;
  infos.forEach((info, i) => {
    ctl.output(`${namespecs[i].padEnd(width)}${String(info.statename).padEnd(10)}${String(info.description)}`);
  });
}

export async function status(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) {
    ctl.exitstatus = STATUS_UNKNOWN;
    return;
  }
  const all = (await ctl.rpc("getAllProcessInfo")) as Info[];
  const names = words(arg);
  let matching: Info[];
  if (!names.length || names.includes("all")) matching = all;
  else {
    matching = [];
    for (const name of names) {
      const [group, process] = splitNamespec(name);
      const found = all.filter((info) => info.group === group && (process === null || info.name === process));
      matching.push(...found);
      if (!found.length) {
        ctl.output(process === null ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`);
        ctl.exitstatus = STATUS_UNKNOWN;
      }
    }
  }
  showStatuses(ctl, matching);
  for (const info of matching) if (STOPPED_STATES.includes(Number(info.state))) ctl.exitstatus = STATUS_NOT_RUNNING;
}

function startResult(result: Result): string {
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

function signalResult(result: Result, success = "signalled"): string {
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

async function each(
  ctl: Controller,
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
    ctl.showResults((await all()) as Result[], format, ignored);
    return;
  }
  for (const name of names) {
    const [groupName, processName] = splitNamespec(name);
    if (processName === null) {
      try {
        ctl.showResults((await group(groupName)) as Result[], format, ignored);
      } catch (error) {
        if (error instanceof RpcFault && error.faultCode === Faults.BAD_NAME) {
          ctl.output(`${groupName}: ERROR (no such group)`);
          ctl.exitstatus = badGroupStatus;
        } else {
          ctl.exitstatus = Exit.GENERIC;
          throw error;
        }
      }
      continue;
    }
    try {
      await single(name);
      ctl.output(`${makeNamespec(groupName, processName)}: ${success}`);
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      const result = { status: error.faultCode, name: processName, group: groupName, description: error.faultString };
      ctl.output(format(result));
      ctl.exitFromFault(result.status, ignored);
    }
  }
}

export async function start(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const names = words(arg);
  if (!names.length) return ctl.usage("Error: start requires a process name", "start", Exit.INVALID_ARGS);
  await each(
    ctl,
    names,
    () => ctl.rpc("startAllProcesses"),
    (g) => ctl.rpc("startProcessGroup", g),
    (n) => ctl.rpc("startProcess", n),
    startResult,
    "started",
    Faults.ALREADY_STARTED,
    Exit.INVALID_ARGS,
  );
}

export async function stop(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const names = words(arg);
  if (!names.length) return ctl.usage("Error: stop requires a process name", "stop");
  await each(
    ctl,
    names,
    () => ctl.rpc("stopAllProcesses"),
    (g) => ctl.rpc("stopProcessGroup", g),
    (n) => ctl.rpc("stopProcess", n),
    (r) => signalResult(r, "stopped"),
    "stopped",
    Faults.NOT_RUNNING,
    Exit.GENERIC,
  );
}

export async function restart(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  if (!arg.trim()) return ctl.usage("Error: restart requires a process name", "restart");
  await stop(ctl, arg);
  await start(ctl, arg);
}

export async function signal(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const args = words(arg);
  if (args.length < 2) return ctl.usage("Error: signal requires a signal name and a process name", "signal");
  const [sig, ...names] = args;
  await each(
    ctl,
    names,
    () => ctl.rpc("signalAllProcesses", sig),
    (g) => ctl.rpc("signalProcessGroup", g, sig),
    (n) => ctl.rpc("signalProcess", n, sig),
    (r) => signalResult(r),
    "signalled",
    undefined,
    Exit.GENERIC,
  );
}

export async function pid(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const names = words(arg);
  if (!names.length) {
    ctl.output(String(await ctl.rpc("getPID")));
    return;
  }
  if (names.includes("all")) {
    for (const info of (await ctl.rpc("getAllProcessInfo")) as Info[]) ctl.output(String(info.pid));
    return;
  }
  for (const name of names) {
    try {
      const info = (await ctl.rpc("getProcessInfo", name)) as Info;
      ctl.output(String(info.pid));
      if (info.pid === 0) ctl.exitstatus = Exit.NOT_RUNNING;
    } catch (error) {
      ctl.exitstatus = Exit.GENERIC;
      if (error instanceof RpcFault && error.faultCode === Faults.BAD_NAME) ctl.output(`No such process ${name}`);
      else throw error;
    }
  }
}

export async function tail(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const args = words(arg);
  if (args.length < 1) return ctl.usage("Error: too few arguments", "tail");
  if (args.length > 3) return ctl.usage("Error: too many arguments", "tail");
  const modifier = args[0].startsWith("-") ? args.shift()! : undefined;
  let name: string;
  let channel = "stdout";
  if (args.length === 1) name = args[0];
  else if (args.length) {
    name = args[0];
    channel = args[args.length - 1].toLowerCase();
    if (channel !== "stdout" && channel !== "stderr") {
      ctl.output(`Error: bad channel '${channel}'`);
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
  } else {
    ctl.output("Error: tail requires process name");
    ctl.exitstatus = Exit.GENERIC;
    return;
  }
  let bytes: number | null = 1600;
  if (modifier !== undefined) {
    const what = modifier.slice(1);
    if (what === "f") bytes = null;
    else if (/^-?\d+$/.test(what)) bytes = Number(what);
    else {
      ctl.output(`Error: bad argument ${modifier}`);
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
  }
  if (bytes === null) {
    ctl.output("==> Press Ctrl-C to exit <==");
    await runTail(ctl.client, `/logtail/${name}/${channel}`);
    return;
  }
  try {
    const method = channel === "stdout" ? "readProcessStdoutLog" : "readProcessStderrLog";
    ctl.output(String(await ctl.rpc(method, name, -bytes, 0)));
  } catch (error) {
    if (!(error instanceof RpcFault)) throw error;
    ctl.exitstatus = Exit.GENERIC;
    const messages: Record<number, string> = {
      [Faults.NO_FILE]: "no log file",
      [Faults.FAILED]: "unknown error reading log",
      [Faults.BAD_NAME]: "no such process name",
    };
    if (!messages[error.faultCode]) throw error;
    ctl.output(`${name}: ERROR (${messages[error.faultCode]})`);
  }
}

export async function maintail(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const args = words(arg);
  if (args.length > 1) return ctl.usage("Error: too many arguments", "maintail");
  let bytes = 1600;
  if (args.length === 1) {
    const what = args[0].startsWith("-") ? args[0].slice(1) : undefined;
    if (what === "f") {
      ctl.output("==> Press Ctrl-C to exit <==");
      await runTail(ctl.client, "/mainlogtail");
      return;
    }
    if (what === undefined || !/^-?\d+$/.test(what)) {
      ctl.output(`Error: bad argument ${args[0]}`);
      ctl.exitstatus = Exit.GENERIC;
      return;
    }
    bytes = Number(what);
  }
  try {
    ctl.output(String(await ctl.rpc("readLog", -bytes, 0)));
  } catch (error) {
    if (!(error instanceof RpcFault)) throw error;
    ctl.exitstatus = Exit.GENERIC;
    if (error.faultCode === Faults.NO_FILE) ctl.output("supervisord: ERROR (no log file)");
    else if (error.faultCode === Faults.FAILED) ctl.output("supervisord: ERROR (unknown error reading log)");
    else throw error;
  }
}

export async function clear(ctl: Controller, arg: string): Promise<void> {
  if (!(await ctl.upcheck())) return;
  const names = words(arg);
  if (!names.length) return ctl.usage("Error: clear requires a process name", "clear");
  const format = (r: Result) => {
    const name = makeNamespec(r.group, r.name);
    if (r.status === Faults.SUCCESS) return `${name}: cleared`;
    if (r.status === Faults.BAD_NAME) return `${name}: ERROR (no such process)`;
    if (r.status === Faults.FAILED) return `${name}: ERROR (failed)`;
    throw new Error(`Unknown result code ${r.status} for ${name}`);
  };
  if (names.includes("all")) {
    ctl.showResults((await ctl.rpc("clearAllProcessLogs")) as Result[], format);
    return;
  }
  for (const name of names) {
    const [group, process] = splitNamespec(name);
    try {
      await ctl.rpc("clearProcessLogs", name);
      ctl.output(`${makeNamespec(group, process ?? "")}: cleared`);
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      ctl.output(format({ status: error.faultCode, name: process ?? "None", group, description: error.faultString }));
      ctl.exitFromFault(error.faultCode);
    }
  }
}
