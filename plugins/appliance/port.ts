/**
 * Is a TCP port free for the master, and if not, who holds it: a bind
 * attempt says whether it is taken; the listening sockets of
 * /proc/net/tcp{,6} and the fds of /proc/<pid>/fd say by which process.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { createServer } from "node:net";
import { allPids, commandLine, processName } from "../../core/node/run/procs.ts";

export interface PortHolder {
  /** The bind error when it is not "in use" (EACCES, EADDRNOTAVAIL, ...). */
  problem?: string;
  pid?: number;
  /** `comm` of the process, e.g. "python3". */
  name?: string;
  commandLine?: string;
}

/** Whether host:port can be bound now; the error code (EADDRINUSE, EACCES, ...) when not. */
export function tryBind(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/** Inodes of the sockets listening on `port` (any address: a wildcard listener takes the port too). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const [, localPort] = fields[1].split(":");
      if (localPort === hexPort && fields[3] === "0A") inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The process holding one of these socket inodes, if this user may see it. */
function ownerOf(inodes: Set<string>): number | undefined {
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** Undefined when host:port is free; else what holds it (as much as can be seen). */
export async function portHolder(host: string, port: number): Promise<PortHolder | undefined> {
  const problem = await tryBind(host, port);
  if (problem === undefined) return undefined;
  if (problem !== "EADDRINUSE") return { problem };
  const inodes = listeningInodes(port);
  const pid = inodes.size ? ownerOf(inodes) : undefined;
  if (pid === undefined) return {};
  return { pid, name: processName(pid), commandLine: commandLine(pid) };
}

/** `port 8080 on 127.0.0.1 is used by python3 (pid 1234)`. */
export function describeHolder(host: string, port: number, holder: PortHolder): string {
  if (holder.problem) return `port ${port} on ${host} cannot be used: ${holder.problem}`;
  const who = holder.pid === undefined ? "another process (not visible to this user)" : `${holder.name ?? "a process"} (pid ${holder.pid})`;
  return `port ${port} on ${host} is used by ${who}`;
}
