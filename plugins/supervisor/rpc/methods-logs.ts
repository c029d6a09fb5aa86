/** The log-reading part of the `supervisor.*` namespace: the main log and the processes' stdout/stderr logs. */
import { existsSync } from "node:fs";
import { int, str } from "./args.ts";
import type { RpcValue } from "./codec.ts";
import { Faults, RpcError } from "./faults.ts";
import { readFile, tailFile } from "./logfiles.ts";
import type { DaemonControl, RpcMethod } from "./methods.ts";
import { makeNamespec, namedProcess } from "./process-control.ts";

function processLogPath(d: DaemonControl, namespec: string, channel: "stdout" | "stderr"): string | null {
  const process = namedProcess(d.supervisor, namespec);
  return channel === "stdout" ? process.config.stdout_logfile : process.config.stderr_logfile;
}

function readProcessLog(d: DaemonControl, name: RpcValue, offset: RpcValue, length: RpcValue, channel: "stdout" | "stderr") {
  const path = processLogPath(d, str(name), channel);
  if (path === null || !existsSync(path)) throw new RpcError(Faults.NO_FILE, String(path ?? "None"));
  return readFile(path, int(offset), int(length));
}

function tailProcessLog(d: DaemonControl, name: RpcValue, offset: RpcValue, length: RpcValue, channel: "stdout" | "stderr") {
  const path = processLogPath(d, str(name), channel);
  if (path === null || !existsSync(path)) return ["", 0, false];
  return tailFile(path, int(offset), int(length));
}

const TAIL_HELP = (channel: string) => `Provides a more efficient way to tail the (${channel}) log than
read${channel === "stdout" ? "ProcessStdoutLog" : "ProcessStderrLog"}().  Requests (length) bytes from the (name)'s log, starting at
(offset).  If the total log size is greater than (offset + length), the overflow flag is set and the (offset) is
automatically increased to position the buffer at the end of the log.

@param string name         the name of the process (or 'group:name')
@param int offset          offset to start reading from
@param int length          maximum number of bytes to return
@return array result       [string bytes, int offset, bool overflow]`;

export function logMethods(d: DaemonControl): Record<string, RpcMethod> {
  const s = d.supervisor;
  return {
    readLog: {
      help: "Read length bytes from the main log starting at offset\n\n@param int offset         offset to start reading from.\n@param int length         number of bytes to read from the log.\n@return string result     Bytes of log",
      arity: [2, 2],
      call: (offset, length) => {
        const path = d.mainLogPath();
        if (path === null || !existsSync(path)) throw new RpcError(Faults.NO_FILE, String(path ?? "None"));
        return readFile(path, int(offset), int(length));
      },
    },
    clearLog: {
      help: "Clear the main log.\n\n@return boolean result always returns True unless error",
      arity: [0, 0],
      call: () => {
        const path = d.mainLogPath();
        if (path === null || !existsSync(path)) throw new RpcError(Faults.NO_FILE);
        try {
          d.clearMainLog();
        } catch {
          throw new RpcError(Faults.FAILED);
        }
        return true;
      },
    },
    readProcessStdoutLog: {
      help: "Read length bytes from name's stdout log starting at offset\n\n@param string name        the name of the process (or 'group:name')\n@param int offset         offset to start reading from.\n@param int length         number of bytes to read from the log.\n@return string result     Bytes of log",
      arity: [3, 3],
      call: (name, offset, length) => readProcessLog(d, name, offset, length, "stdout"),
    },
    readProcessStderrLog: {
      help: "Read length bytes from name's stderr log starting at offset\n\n@param string name        the name of the process (or 'group:name')\n@param int offset         offset to start reading from.\n@param int length         number of bytes to read from the log.\n@return string result     Bytes of log",
      arity: [3, 3],
      call: (name, offset, length) => readProcessLog(d, name, offset, length, "stderr"),
    },
    tailProcessStdoutLog: {
      help: TAIL_HELP("stdout"),
      arity: [3, 3],
      call: (name, offset, length) => tailProcessLog(d, name, offset, length, "stdout"),
    },
    tailProcessStderrLog: {
      help: TAIL_HELP("stderr"),
      arity: [3, 3],
      call: (name, offset, length) => tailProcessLog(d, name, offset, length, "stderr"),
    },
    clearProcessLogs: {
      help: "Clear the stdout and stderr logs for the named process and\nreopen them.\n\n@param string name   The name of the process (or 'group:name')\n@return boolean result      Always True unless error",
      arity: [1, 1],
      call: (name) => {
        const process = namedProcess(s, str(name));
        try {
          process.stdout.remove();
          process.stderr.remove();
        } catch {
          throw new RpcError(Faults.FAILED, String(name));
        }
        return true;
      },
    },
    clearAllProcessLogs: {
      help: "Clear all process log files\n\n@return array result   An array of process status info structs",
      arity: [0, 0],
      call: () =>
        s.sortedGroups().flatMap((group) =>
          group.sorted().map((process) => {
            try {
              process.stdout.remove();
              process.stderr.remove();
              return { name: process.name, group: group.name, status: Faults.SUCCESS, description: "OK" };
            } catch {
              const error = new RpcError(Faults.FAILED, makeNamespec(group.name, process.name));
              return { name: process.name, group: group.name, status: error.code, description: error.text };
            }
          }),
        ),
    },
  };
}
