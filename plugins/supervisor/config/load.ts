/**
 * Load a supervisord.conf and its `[include] files` into a typed
 * configuration (supervisord's `ServerOptions.read_config`). Anything
 * supervisord would silently ignore but is surely a mistake (an unknown
 * option or section) is refused here, naming the file, section and option.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { SlapError } from "../../../core/errors.ts";
import {
  BadValue,
  boolean,
  byteSize,
  existingDirectory,
  existingDirpath,
  inetAddress,
  integer,
  keyValuePairs,
  listOfStrings,
  loggingLevel,
  octal,
  processOrGroupName,
  userGroup,
} from "./datatypes.ts";
import type { Expansions } from "./expand.ts";
import { IniDocument } from "./ini.ts";
import { LISTENER_OPTIONS, PROGRAM_OPTIONS, processesFromSection, type ProgramHook } from "./program.ts";
import { configError, SectionReader } from "./section.ts";
import type { CtlOptions, GroupConfig, ServerConfig, SupervisorConfig, SupervisordOptions } from "./types.ts";

const SUPERVISORD_OPTIONS = new Set([
  "logfile", "logfile_maxbytes", "logfile_backups", "loglevel", "pidfile", "umask", "nodaemon", "silent",
  "minfds", "minprocs", "nocleanup", "childlogdir", "user", "directory", "strip_ansi", "environment",
  "identifier",
  // slapos.core's template writes this misspelling; supervisord ignores it, so do we.
  "logfile-backups",
]);
const UNIX_OPTIONS = new Set(["file", "chmod", "chown", "username", "password"]);
const INET_OPTIONS = new Set(["port", "username", "password"]);
const CTL_OPTIONS = new Set(["serverurl", "username", "password", "prompt", "history_file"]);
const GROUP_OPTIONS = new Set(["programs", "priority"]);

/** The event types a listener may subscribe to (supervisor.events.EventTypes). */
export const EVENT_TYPES: ReadonlySet<string> = new Set([
  "EVENT", "PROCESS_STATE", "PROCESS_STATE_STOPPED", "PROCESS_STATE_EXITED", "PROCESS_STATE_STARTING",
  "PROCESS_STATE_STOPPING", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_FATAL", "PROCESS_STATE_RUNNING",
  "PROCESS_STATE_UNKNOWN", "PROCESS_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT",
  "PROCESS_COMMUNICATION_STDERR", "PROCESS_LOG", "PROCESS_LOG_STDOUT", "PROCESS_LOG_STDERR",
  "REMOTE_COMMUNICATION", "SUPERVISOR_STATE_CHANGE", "SUPERVISOR_STATE_CHANGE_RUNNING",
  "SUPERVISOR_STATE_CHANGE_STOPPING", "TICK", "TICK_5", "TICK_60", "TICK_3600", "PROCESS_GROUP",
  "PROCESS_GROUP_ADDED", "PROCESS_GROUP_REMOVED",
]);

export interface LoadOptions {
  /** The daemon's environment, for ENV_x (defaults to process.env). */
  env?: Record<string, string | undefined>;
  /** The supervisor.configure hook, applied to each process. */
  programHook?: ProgramHook;
}

/** Read a file into the document; `missing` decides whether absence is an error. */
function readInto(doc: IniDocument, path: string): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new SlapError("config", `could not read config file ${path}`, { cause });
  }
  doc.read(text, path);
}

/** Python's glob.glob for an absolute pattern: sorted matches, hidden files only when asked for. */
function globFiles(pattern: string): string[] {
  const parts = pattern.split("/");
  const first = parts.findIndex((p) => /[*?[]/.test(p));
  if (first < 0) return existsSync(pattern) ? [pattern] : [];
  const base = parts.slice(0, first).join("/") || "/";
  const rest = parts.slice(first).join("/");
  if (!existsSync(base)) return [];
  const glob = new Bun.Glob(rest);
  const found: string[] = [];
  for (const match of glob.scanSync({ cwd: base, dot: rest.startsWith("."), onlyFiles: false })) {
    found.push(join(base, match));
  }
  return found.sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Load and check a whole configuration. Throws SlapError("config") with file, section and option. */
export async function loadSupervisorConfig(path: string, options: LoadOptions = {}): Promise<SupervisorConfig> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new SlapError("config", `could not find config file ${absolute}`);
  const here = dirname(absolute);
  const env = options.env ?? process.env;
  const infos: string[] = [];
  const warnings: string[] = [];
  const doc = new IniDocument();
  readInto(doc, absolute);

  const envExpansions: Expansions = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) envExpansions[`ENV_${k}`] = v;
  const base: Expansions = { here, host_node_name: hostname(), ...envExpansions };

  if (doc.has("include")) {
    const include = doc.sections.get("include")!;
    const reader = new SectionReader(doc, include, base);
    reader.checkKnown(new Set(["files"]), "include");
    const files = reader.text("files");
    if (files === undefined) throw configError(absolute, "include", undefined, ".ini file has [include] section, but no files setting");
    for (const pattern of files.split(/\s+/).filter(Boolean)) {
      const full = isAbsolute(pattern) ? pattern : join(here, pattern);
      const matches = globFiles(full).filter(isFile);
      if (!matches.length) {
        warnings.push(`No file matches via include "${full}"`);
        continue;
      }
      for (const file of matches) {
        infos.push(`Included extra file "${file}" during parsing`);
        readInto(doc, file);
      }
    }
  }

  checkSections(doc);
  for (const section of doc.sections.values()) {
    if (!section.name.startsWith("rpcinterface:")) continue;
    const factory = section.values.get("supervisor.rpcinterface_factory");
    if (factory !== "supervisor.rpcinterface:make_main_rpcinterface") {
      warnings.push(`[${section.name}] ignored: only supervisor.rpcinterface:make_main_rpcinterface is provided`);
    }
  }
  if (!doc.has("supervisord")) throw new SlapError("config", `${absolute}: .ini file does not include supervisord section`);
  const supervisord = readSupervisord(doc, base);
  for (const [k, v] of Object.entries(supervisord.environment)) base[`ENV_${k}`] = v;
  const groups = await readGroups(doc, base, warnings, options.programHook);
  for (const group of groups) {
    for (const process of group.processes) process.environment = { ...supervisord.environment, ...process.environment };
  }
  return {
    path: absolute,
    here,
    supervisord,
    servers: readServers(doc),
    groups,
    ctl: readCtl(doc, here),
    infos,
    warnings,
  };
}

/** Section kinds we know; anything else (a typo like [programm:x]) is refused. */
function checkSections(doc: IniDocument): void {
  for (const section of doc.sections.values()) {
    const name = section.name;
    const kind = name.includes(":") ? name.slice(0, name.indexOf(":") + 1) : name;
    if (["supervisord", "supervisorctl", "include", "unix_http_server", "inet_http_server"].includes(name)) continue;
    if (["program:", "group:", "eventlistener:", "rpcinterface:", "ctlplugin:"].includes(kind)) continue;
    if (kind === "fcgi-program:") throw configError(section.file, name, undefined, "fcgi-program sections are not supported");
    if (kind === "unix_http_server:" || kind === "inet_http_server:") continue;
    throw configError(section.file, name, undefined, "unknown section");
  }
}

function readSupervisord(doc: IniDocument, base: Expansions): SupervisordOptions {
  const section = doc.sections.get("supervisord")!;
  const r = new SectionReader(doc, section, { here: base.here, ...pickEnv(base) });
  r.checkKnown(SUPERVISORD_OPTIONS, "supervisord");
  const directory = r.optional("directory", existingDirectory);
  return {
    minfds: r.get("minfds", "1024", integer),
    minprocs: r.get("minprocs", "200", integer),
    directory: directory ?? null,
    user: r.text("user") ?? null,
    umask: r.get("umask", "022", octal),
    logfile: r.get("logfile", "supervisord.log", (v) =>
      ["none", "off"].includes(v.toLowerCase()) ? null : resolve(existingDirpath(v)),
    ),
    logfile_maxbytes: r.get("logfile_maxbytes", "50MB", byteSize),
    logfile_backups: r.get("logfile_backups", "10", integer),
    loglevel: r.get("loglevel", "info", loggingLevel),
    pidfile: r.get("pidfile", "supervisord.pid", (v) => resolve(existingDirpath(v))),
    identifier: r.text("identifier") ?? "supervisor",
    nodaemon: r.get("nodaemon", "false", boolean),
    silent: r.get("silent", "false", boolean),
    childlogdir: r.get("childlogdir", tmpdir(), existingDirectory),
    nocleanup: r.get("nocleanup", "false", boolean),
    strip_ansi: r.get("strip_ansi", "false", boolean),
    environment: r.get("environment", "", keyValuePairs),
  };
}

function pickEnv(expansions: Expansions): Expansions {
  const out: Expansions = {};
  for (const [k, v] of Object.entries(expansions)) if (k.startsWith("ENV_")) out[k] = v;
  return out;
}

async function readGroups(doc: IniDocument, base: Expansions, warnings: string[], hook?: ProgramHook): Promise<GroupConfig[]> {
  const groups: GroupConfig[] = [];
  const inGroups = new Set<string>();
  const common = { here: base.here, host_node_name: base.host_node_name, ...pickEnv(base) };
  for (const section of doc.sections.values()) {
    if (!section.name.startsWith("group:")) continue;
    const r = new SectionReader(doc, section, common);
    r.checkKnown(GROUP_OPTIONS, "group");
    const name = r.convert("(name)", section.name.slice(6), processOrGroupName);
    const programs = listOfStrings(r.text("programs"));
    const priority = r.get("priority", "999", integer);
    const processes = [];
    for (const program of programs) {
      const programSection = doc.sections.get(`program:${program}`);
      if (!programSection) throw r.error("programs", `[${section.name}] names unknown program or fcgi-program ${program}`);
      inGroups.add(programSection.name);
      const pr = new SectionReader(doc, programSection, { ...common, here: dirname(programSection.file) });
      pr.checkKnown(PROGRAM_OPTIONS, "program");
      processes.push(...(await processesFromSection(pr, { expansions: pr.expansions, groupName: name, warnings, hook })));
    }
    groups.push({ name, priority, processes });
  }
  for (const section of doc.sections.values()) {
    if (!section.name.startsWith("program:") || inGroups.has(section.name)) continue;
    const r = new SectionReader(doc, section, { ...common, here: dirname(section.file) });
    r.checkKnown(PROGRAM_OPTIONS, "program");
    const name = r.convert("(name)", section.name.slice(8), processOrGroupName);
    const priority = r.get("priority", "999", integer);
    groups.push({ name, priority, processes: await processesFromSection(r, { expansions: r.expansions, groupName: name, warnings, hook }) });
  }
  for (const section of doc.sections.values()) {
    if (!section.name.startsWith("eventlistener:")) continue;
    const r = new SectionReader(doc, section, { ...common, here: dirname(section.file) });
    r.checkKnown(LISTENER_OPTIONS, "eventlistener");
    const name = r.convert("(name)", section.name.slice(14), processOrGroupName);
    const priority = r.get("priority", "-1", integer);
    const bufferSize = r.get("buffer_size", "10", integer);
    if (bufferSize < 1) throw r.error("buffer_size", `[${section.name}] section sets invalid buffer_size (${bufferSize})`);
    const handler = r.text("result_handler") ?? "supervisor.dispatchers:default_handler";
    if (handler !== "supervisor.dispatchers:default_handler") {
      throw r.error("result_handler", `${handler} cannot be resolved within [${section.name}]`);
    }
    const events = [...new Set(listOfStrings(r.text("events")).map((e) => e.toUpperCase()).filter(Boolean))];
    if (!events.length) throw r.error("events", `[${section.name}] section requires an "events" line`);
    for (const event of events) {
      if (!EVENT_TYPES.has(event)) throw r.error("events", `Unknown event type ${event} in [${section.name}] events`);
    }
    if (r.get("redirect_stderr", "false", boolean)) {
      throw r.error(
        "redirect_stderr",
        `[${section.name}] section sets redirect_stderr=true but this is not allowed because it will interfere with the eventlistener protocol`,
      );
    }
    const processes = await processesFromSection(r, { expansions: r.expansions, groupName: name, warnings, hook });
    groups.push({ name, priority, processes, listener: { bufferSize, events, resultHandler: handler } });
  }
  const names = new Set<string>();
  for (const group of groups) {
    if (names.has(group.name)) throw new SlapError("config", `two process groups are named ${group.name}`);
    names.add(group.name);
  }
  return groups.sort((a, b) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function readServers(doc: IniDocument): ServerConfig[] {
  const servers: ServerConfig[] = [];
  for (const section of doc.sections.values()) {
    const inet = section.name === "inet_http_server" || section.name.startsWith("inet_http_server:");
    const unix = section.name === "unix_http_server" || section.name.startsWith("unix_http_server:");
    if (!inet && !unix) continue;
    const r = new SectionReader(doc, section, { here: dirname(section.file) });
    r.checkKnown(inet ? INET_OPTIONS : UNIX_OPTIONS, section.name);
    const username = r.text("username") ?? null;
    const password = r.text("password") ?? null;
    if ((username === null) !== (password === null)) {
      throw r.error(
        username === null ? "password" : "username",
        `Section [${section.name}] contains incomplete authentication: If a username or a password is specified, both the username and password must be specified`,
      );
    }
    if (inet) {
      const port = r.text("port");
      if (port === undefined) throw r.error("port", `section [${section.name}] has no port value`);
      const [host, number] = r.convert("port", port, inetAddress);
      servers.push({ family: "inet", section: section.name, host, port: number, username, password });
    } else {
      const file = r.text("file");
      if (file === undefined) throw r.error("file", `section [${section.name}] has no file value`);
      servers.push({
        family: "unix",
        section: section.name,
        file: resolve(file.trim()),
        chmod: r.get("chmod", "0700", (v) => {
          try {
            return octal(v);
          } catch {
            throw new BadValue(`Invalid chmod value ${v}`);
          }
        }),
        chown: r.optional("chown", userGroup) ?? [-1, -1],
        username,
        password,
      });
    }
  }
  return servers;
}

/** The `[supervisorctl]` section (what our client needs from it). */
export function readCtl(doc: IniDocument, here: string): CtlOptions {
  const section = doc.sections.get("supervisorctl");
  if (!section) return { serverurl: "http://localhost:9001", username: null, password: null, prompt: "supervisor" };
  const r = new SectionReader(doc, section, { here });
  r.checkKnown(CTL_OPTIONS, "supervisorctl");
  let serverurl = r.text("serverurl") ?? "http://localhost:9001";
  if (serverurl.startsWith("unix://")) serverurl = `unix://${resolve(serverurl.slice(7))}`;
  return {
    serverurl,
    username: r.text("username") ?? null,
    password: r.text("password") ?? null,
    prompt: r.text("prompt") ?? "supervisor",
  };
}
