/** supervisorctl actions on the daemon and its configuration: avail, reread, update, add, remove, shutdown, reload, version, open. */
import { RpcClient, RpcConnectionError } from "../rpc/client.ts";
import { RpcFault } from "../rpc/codec.ts";
import { Faults } from "../rpc/faults.ts";
import { makeNamespec } from "../rpc/process-control.ts";
import { Exit, type Controller, type Info, type Result, words } from "./controller.ts";
import { status } from "./process-actions.ts";

export async function avail(ctl: Controller, arg: string): Promise<void> {
  if (arg.trim()) return ctl.usage("Error: avail accepts no arguments", "avail");
  let infos: Info[];
  try {
    infos = (await ctl.rpc("getAllConfigInfo")) as Info[];
  } catch (error) {
    ctl.exitstatus = Exit.GENERIC;
    if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) {
      ctl.output("ERROR: supervisor shutting down");
      return;
    }
    throw error;
  }
  for (const info of infos) {
    const name = makeNamespec(String(info.group), String(info.name)).padEnd(32);
    const inuse = (info.inuse ? "in use" : "avail").padEnd(9);
    const autostart = (info.autostart ? "auto" : "manual").padEnd(9);
    ctl.output(`${name} ${inuse} ${autostart} ${info.group_prio}:${info.process_prio}`);
  }
}

function formatChanges(ctl: Controller, [added, changed, removed]: string[][]): void {
  const changes = new Map<string, string>();
  for (const [names, what] of [[added, "available"], [changed, "changed"], [removed, "disappeared"]] as const) {
    for (const name of names) changes.set(name, what);
  }
  if (!changes.size) {
    ctl.output("No config updates to processes");
    return;
  }
  for (const name of [...changes.keys()].sort()) ctl.output(`${name}: ${changes.get(name)}`);
}

export async function reread(ctl: Controller, arg: string): Promise<void> {
  if (arg.trim()) return ctl.usage("Error: reread accepts no arguments", "reread");
  try {
    const result = (await ctl.rpc("reloadConfig")) as string[][][];
    formatChanges(ctl, result[0]);
  } catch (error) {
    if (!(error instanceof RpcFault)) throw error;
    ctl.exitstatus = Exit.GENERIC;
    if (error.faultCode === Faults.SHUTDOWN_STATE) ctl.output("ERROR: supervisor shutting down");
    else if (error.faultCode === Faults.CANT_REREAD) ctl.output(`ERROR: ${error.faultString}`);
    else throw error;
  }
}

export async function update(ctl: Controller, arg: string): Promise<void> {
  let result: string[][][];
  try {
    result = (await ctl.rpc("reloadConfig")) as string[][][];
  } catch (error) {
    ctl.exitstatus = Exit.GENERIC;
    if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) {
      ctl.output("ERROR: already shutting down");
      return;
    }
    throw error;
  }
  const [added, changed, removed] = result[0];
  let valid = new Set(words(arg));
  if (valid.has("all")) valid = new Set();
  if (valid.size) {
    const groups = new Set(((await ctl.rpc("getAllProcessInfo")) as Info[]).map((i) => String(i.group)));
    for (const name of added) groups.add(name);
    for (const name of valid) {
      if (!groups.has(name)) {
        ctl.output(`ERROR: no such group: ${name}`);
        ctl.exitstatus = Exit.GENERIC;
      }
    }
  }
  const wanted = (name: string) => !valid.size || valid.has(name);
  for (const name of removed.filter(wanted)) {
    const results = (await ctl.rpc("stopProcessGroup", name)) as Result[];
    ctl.output(`${name}: stopped`);
    if (results.some((r) => r.status === Faults.FAILED)) {
      ctl.output(`${name}: has problems; not removing`);
      ctl.exitstatus = Exit.GENERIC;
      continue;
    }
    await ctl.rpc("removeProcessGroup", name);
    ctl.output(`${name}: removed process group`);
  }
  for (const name of changed.filter(wanted)) {
    await ctl.rpc("stopProcessGroup", name);
    ctl.output(`${name}: stopped`);
    await ctl.rpc("removeProcessGroup", name);
    await ctl.rpc("addProcessGroup", name);
    ctl.output(`${name}: updated process group`);
  }
  for (const name of added.filter(wanted)) {
    await ctl.rpc("addProcessGroup", name);
    ctl.output(`${name}: added process group`);
  }
}

export async function add(ctl: Controller, arg: string): Promise<void> {
  for (const name of words(arg)) {
    try {
      await ctl.rpc("addProcessGroup", name);
      ctl.output(`${name}: added process group`);
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      if (error.faultCode === Faults.SHUTDOWN_STATE) {
        ctl.output("ERROR: shutting down");
        ctl.exitstatus = Exit.GENERIC;
      } else if (error.faultCode === Faults.ALREADY_ADDED) ctl.output("ERROR: process group already active");
      else if (error.faultCode === Faults.BAD_NAME) {
        ctl.output(`ERROR: no such process/group: ${name}`);
        ctl.exitstatus = Exit.GENERIC;
      } else {
        ctl.exitstatus = Exit.GENERIC;
        throw error;
      }
    }
  }
}

export async function remove(ctl: Controller, arg: string): Promise<void> {
  for (const name of words(arg)) {
    try {
      await ctl.rpc("removeProcessGroup", name);
      ctl.output(`${name}: removed process group`);
    } catch (error) {
      if (!(error instanceof RpcFault)) throw error;
      ctl.exitstatus = Exit.GENERIC;
      if (error.faultCode === Faults.STILL_RUNNING) ctl.output(`ERROR: process/group still running: ${name}`);
      else if (error.faultCode === Faults.BAD_NAME) ctl.output(`ERROR: no such process/group: ${name}`);
      else throw error;
    }
  }
}

async function stopDaemon(ctl: Controller, method: "shutdown" | "restart", done: string, arg: string): Promise<void> {
  if (arg.trim()) return ctl.usage(`Error: ${method === "shutdown" ? "shutdown" : "reload"} accepts no arguments`, method === "shutdown" ? "shutdown" : "reload");
  try {
    await ctl.rpc(method);
    ctl.output(done);
  } catch (error) {
    if (error instanceof RpcFault && error.faultCode === Faults.SHUTDOWN_STATE) {
      ctl.output("ERROR: already shutting down");
      if (method === "restart") ctl.exitstatus = Exit.GENERIC;
      return;
    }
    ctl.exitstatus = Exit.GENERIC;
    if (method === "shutdown" && error instanceof RpcConnectionError) {
      const what = error.code === "ENOENT" ? "no such file" : "refused connection";
      ctl.output(`ERROR: ${ctl.options.serverurl} ${what} (already shut down?)`);
      return;
    }
    throw error;
  }
}

export function shutdown(ctl: Controller, arg: string): Promise<void> {
  return stopDaemon(ctl, "shutdown", "Shut down", arg);
}

export function reload(ctl: Controller, arg: string): Promise<void> {
  return stopDaemon(ctl, "restart", "Restarted supervisord", arg);
}

export async function version(ctl: Controller, arg: string): Promise<void> {
  if (arg.trim()) return ctl.usage("Error: version accepts no arguments", "version");
  if (!(await ctl.upcheck())) return;
  ctl.output(String(await ctl.rpc("getSupervisorVersion")));
}

export async function open(ctl: Controller, arg: string): Promise<void> {
  const url = arg.trim();
  if (!url.startsWith("unix://") && !url.startsWith("http://")) {
    ctl.output("ERROR: url must be http:// or unix://");
    ctl.exitstatus = Exit.GENERIC;
    return;
  }
  ctl.options.serverurl = url;
  ctl.client = new RpcClient(url, { username: ctl.options.username, password: ctl.options.password });
  const previous = ctl.exitstatus;
  await status(ctl, "");
  ctl.exitstatus = previous;
}
