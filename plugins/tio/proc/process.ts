/**
 * One process, read from /proc/<pid>/{stat,status,io} the way psutil reads
 * it for the reference's ProcessSnapshot (format-collect-cli.md §2.2 step 3).
 * A process that vanishes between two reads is simply absent (undefined).
 */
import { readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";

/** The pids of /proc, ascending. */
export function listPids(procRoot = "/proc"): number[] {
  const out: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) out.push(Number(name));
  }
  return out.sort((a, b) => a - b);
}

/** The effective uid of a process (owner of /proc/<pid>), one stat call; undefined when gone. */
export function processOwner(pid: number, procRoot = "/proc"): number | undefined {
  try {
    return statSync(`${procRoot}/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/** The real uid of a process (/proc/<pid>/status), undefined when gone. */
export function realUid(pid: number, procRoot = "/proc"): number | undefined {
  const status = readText(`${procRoot}/${pid}/status`);
  const match = status && /^Uid:\s+(\d+)/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

export interface ProcessStat {
  pid: number;
  /** The command name (comm), at most 15 characters. */
  comm: string;
  /** Real uid (psutil's username() looks this one up). */
  uid: number;
  /** Ticks of CPU: user, system, children user, children system. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** Start time in ticks after boot. */
  starttime: number;
  threads: number;
  /** Resident set size, bytes. */
  rss: number;
  /** Bytes and calls of storage IO; undefined when /proc/<pid>/io is not readable. */
  io?: { readBytes: number; writeBytes: number; readCalls: number; writeCalls: number };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return undefined;
  }
}

/** Parse /proc/<pid>/stat: the command name is in parentheses and may itself hold spaces and ")". */
export function parseStat(text: string): { comm: string; fields: string[] } {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  return { comm: text.slice(open + 1, close), fields: text.slice(close + 2).trim().split(" ") };
}

function parseIo(text: string): ProcessStat["io"] {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) values.set(line.slice(0, colon), Number(line.slice(colon + 1)));
  }
  return {
    readBytes: values.get("read_bytes") ?? 0,
    writeBytes: values.get("write_bytes") ?? 0,
    readCalls: values.get("syscr") ?? 0,
    writeCalls: values.get("syscw") ?? 0,
  };
}

/** Read one process; undefined when it is gone (or is a kernel thread without status). */
export function readProcess(pid: number, procRoot = "/proc"): ProcessStat | undefined {
  const base = `${procRoot}/${pid}`;
  const statText = readText(`${base}/stat`);
  const status = readText(`${base}/status`);
  if (statText === undefined || status === undefined) return undefined;
  const { comm, fields } = parseStat(statText);
  // fields[0] is field 3 (state) of proc(5): field N is fields[N - 3].
  const uidLine = /^Uid:\s+(\d+)/m.exec(status);
  const rssLine = /^VmRSS:\s+(\d+) kB/m.exec(status);
  const ioText = readText(`${base}/io`);
  return {
    pid,
    comm,
    uid: uidLine ? Number(uidLine[1]) : -1,
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
    threads: Number(fields[17]),
    starttime: Number(fields[19]),
    rss: rssLine ? Number(rssLine[1]) * 1024 : 0,
    io: ioText === undefined ? undefined : parseIo(ioText),
  };
}

/** The command line as argv (psutil's cmdline()); [] for kernel threads and zombies. */
export function readCmdline(pid: number, procRoot = "/proc"): string[] {
  const text = readText(`${procRoot}/${pid}/cmdline`);
  if (!text) return [];
  const parts = Buffer.from(text, "latin1").toString("utf8").split("\0");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

/** psutil's name(): comm, or argv[0]'s basename when comm was truncated to 15 characters. */
export function processName(stat: Pick<ProcessStat, "pid" | "comm">, procRoot = "/proc"): string {
  if (stat.comm.length < 15) return stat.comm;
  const argv0 = readCmdline(stat.pid, procRoot)[0];
  const base = argv0?.split("/").pop();
  return base && base.startsWith(stat.comm) ? base : stat.comm;
}

/** The folder a process runs in, or undefined when it cannot be read. */
export function processCwd(pid: number, procRoot = "/proc"): string | undefined {
  try {
    return readlinkSync(`${procRoot}/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** One variable of a process's initial environment (/proc/<pid>/environ). */
export function processEnv(pid: number, name: string, procRoot = "/proc"): string | undefined {
  const text = readText(`${procRoot}/${pid}/environ`);
  if (!text) return undefined;
  const prefix = `${name}=`;
  for (const entry of text.split("\0")) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}

/** The cgroup paths of a process (every hierarchy, v1 and v2). */
export function processCgroups(pid: number, procRoot = "/proc"): string[] {
  const text = readText(`${procRoot}/${pid}/cgroup`);
  if (!text) return [];
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1));
}
