/**
 * `[program:x]` and `[eventlistener:x]` sections → process configurations,
 * with supervisord's defaults and expansion rules (options.py
 * `_processes_from_section`). Each process goes through the
 * `supervisor.configure` waterfall hook before its values are converted, so a
 * plugin sees (and may change) the final strings: wrap the command, add
 * environment, set a cgroup.
 */
import type { ProcessDefinition } from "../../../core/hooks/groups/supervisor.ts";
import {
  autorestart,
  BadValue,
  boolean,
  byteSize,
  exitcodes,
  integer,
  keyValuePairs,
  logfileName,
  nameToUid,
  nonNegative,
  octal,
  processOrGroupName,
  signalNumber,
} from "./datatypes.ts";
import { expand, type Expansions } from "./expand.ts";
import { SectionReader } from "./section.ts";
import type { ProcessConfig } from "./types.ts";

/** What a `[program:x]` may contain: supervisord's options, plus `group` that slapos.core writes (ignored, as supervisord does). */
export const PROGRAM_OPTIONS: ReadonlySet<string> = new Set([
  "command", "process_name", "numprocs", "numprocs_start", "priority", "autostart", "autorestart",
  "startsecs", "startretries", "exitcodes", "stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup",
  "user", "redirect_stderr", "directory", "umask", "environment", "serverurl",
  "stdout_logfile", "stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_capture_maxbytes",
  "stdout_events_enabled", "stdout_syslog",
  "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups", "stderr_capture_maxbytes",
  "stderr_events_enabled", "stderr_syslog",
  "group",
]);

export const LISTENER_OPTIONS: ReadonlySet<string> = new Set([...PROGRAM_OPTIONS, "buffer_size", "events", "result_handler"]);

/** Options supervisord reads inside its per-process loop, where %(process_num)s is known. */
const PER_PROCESS = new Set([
  "directory", "command", "process_name", "environment",
  "stdout_logfile", "stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_syslog",
  "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups", "stderr_syslog",
]);

/** `startretries=forever` retries without end (the delay grows by 1 s per try, up to 60 s). */
export const FOREVER = "forever";

function retries(value: string): number {
  if (value.trim().toLowerCase() === FOREVER) return Infinity;
  return nonNegative(value);
}

export type ProgramHook = (definition: ProcessDefinition) => Promise<ProcessDefinition>;

export interface ProgramContext {
  /** here, host_node_name and ENV_* */
  expansions: Expansions;
  groupName: string;
  warnings: string[];
  hook?: ProgramHook;
}

/** The process configurations of one program or event listener section. */
export async function processesFromSection(reader: SectionReader, context: ProgramContext): Promise<ProcessConfig[]> {
  const programName = reader.convert("(name)", reader.name.split(":").slice(1).join(":"), processOrGroupName);
  const common: Expansions = {
    ...context.expansions,
    program_name: programName,
    group_name: context.groupName,
  };
  const r = new SectionReader(reader.doc, reader.section, common);
  const numprocs = r.get("numprocs", "1", integer);
  const numprocsStart = r.get("numprocs_start", "0", integer);
  const processNameRaw = r.text("process_name", {}, false) ?? "%(program_name)s";
  if (numprocs > 1 && !processNameRaw.includes("%(process_num)")) {
    throw r.error("process_name", "%(process_num) must be present within process_name when numprocs > 1");
  }
  if (!r.has("command")) throw r.error(undefined, `program section ${reader.name} does not specify a command`);

  const out: ProcessConfig[] = [];
  for (let num = numprocsStart; num < numprocsStart + numprocs; num++) {
    const perProcess: Expansions = { ...common, process_num: num, numprocs };
    const environment = r.get("environment", "", keyValuePairs, perProcess);
    for (const [k, v] of Object.entries(environment)) perProcess[`ENV_${k}`] = v;
    const options: Record<string, string> = {};
    for (const option of reader.section.values.keys()) {
      if (option === "group") continue;
      options[option] = r.text(option, PER_PROCESS.has(option) ? perProcess : {})!;
    }
    options.process_name = r.convert("process_name", processNameRaw, (v) =>
      expand(v, perProcess, `${reader.name}.process_name`),
    );
    let definition: ProcessDefinition = { group: context.groupName, name: options.process_name, program: programName, options };
    if (context.hook) definition = await context.hook(definition);
    out.push(toProcessConfig(r, definition, context.warnings));
  }
  return out.sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Convert the final strings of one process to its typed configuration, with supervisord's defaults. */
function toProcessConfig(r: SectionReader, definition: ProcessDefinition, warnings: string[]): ProcessConfig {
  const o = definition.options;
  const get = <T>(option: string, fallback: string, convert: (v: string) => T): T =>
    r.convert(option, o[option] ?? fallback, convert);
  for (const option of Object.keys(o)) {
    if (!PROGRAM_OPTIONS.has(option) && !["buffer_size", "events", "result_handler"].includes(option)) {
      throw r.error(option, "unknown option for a program section");
    }
  }
  const stopasgroup = get("stopasgroup", "false", boolean);
  const killasgroup = get("killasgroup", String(stopasgroup), boolean);
  if (stopasgroup && !killasgroup) throw r.error("killasgroup", "Cannot set stopasgroup=true and killasgroup=false");
  const redirect = get("redirect_stderr", "false", boolean);
  const user = o.user ?? null;
  const channel = (name: "stdout" | "stderr") => {
    const logfile = get(`${name}_logfile`, "AUTO", logfileName);
    const maxbytes = get(`${name}_logfile_maxbytes`, "50MB", byteSize);
    if (logfile === "AUTO" && !maxbytes) {
      warnings.push(
        `For [${r.name}], AUTO logging used for ${name}_logfile without rollover, set maxbytes > 0 to avoid filling up filesystem unintentionally`,
      );
    }
    return {
      logfile,
      maxbytes,
      backups: get(`${name}_logfile_backups`, "10", integer),
      capture: get(`${name}_capture_maxbytes`, "0", byteSize),
      events: get(`${name}_events_enabled`, "false", boolean),
      syslog: get(`${name}_syslog`, "false", (v) => {
        if (boolean(v)) throw new BadValue("syslog logging is not supported, use a file path");
        return false;
      }),
    };
  };
  const out = channel("stdout");
  const err = channel("stderr");
  if (redirect && err.logfile !== null && err.logfile !== "AUTO") {
    warnings.push(
      `For [${r.name}], redirect_stderr=true but stderr_logfile has also been set to a filename, the filename has been ignored`,
    );
  }
  const serverurl = o.serverurl === undefined || o.serverurl.trim().toUpperCase() === "AUTO" ? null : o.serverurl;
  return {
    name: r.convert("process_name", definition.name, processOrGroupName),
    command: o.command,
    directory: o.directory ?? null,
    umask: o.umask === undefined ? null : get("umask", "", octal),
    priority: get("priority", "999", integer),
    autostart: get("autostart", "true", boolean),
    autorestart: get("autorestart", "unexpected", autorestart),
    startsecs: get("startsecs", "1", nonNegative),
    startretries: get("startretries", "3", retries),
    user,
    uid: user === null ? null : get("user", "", nameToUid),
    stdout_logfile: out.logfile,
    stdout_logfile_maxbytes: out.maxbytes,
    stdout_logfile_backups: out.backups,
    stdout_capture_maxbytes: out.capture,
    stdout_events_enabled: out.events,
    stdout_syslog: out.syslog,
    stderr_logfile: redirect ? null : err.logfile,
    stderr_logfile_maxbytes: err.maxbytes,
    stderr_logfile_backups: err.backups,
    stderr_capture_maxbytes: err.capture,
    stderr_events_enabled: err.events,
    stderr_syslog: err.syslog,
    stopsignal: get("stopsignal", "TERM", signalNumber),
    stopwaitsecs: get("stopwaitsecs", "10", nonNegative),
    stopasgroup,
    killasgroup,
    exitcodes: get("exitcodes", "0", exitcodes),
    redirect_stderr: redirect,
    environment: get("environment", "", keyValuePairs),
    serverurl,
    cgroup: definition.cgroup ?? null,
  };
}
