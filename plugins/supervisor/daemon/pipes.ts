/**
 * Output pipes that outlive the daemon. A process's stdout (and stderr)
 * is a pipe the daemon reads. Were the daemon killed, a pipe without a
 * reader would kill the process with SIGPIPE at its next write. So the
 * daemon makes the pipe itself (pipe2 through bun:ffi: Bun's own "pipe"
 * cannot be shared) and gives the process, besides the write end as fd 1
 * (and 2), the read end as fd 3 (and 4), which it never reads: the pipe
 * then always has a reader. While no daemon runs, what the process writes
 * waits in the pipe (64 KiB, then its writes block) until the next daemon
 * adopts it and opens the pipe again through /proc/<pid>/fd/1.
 *
 * Without bun:ffi (or when pipe2 fails) the daemon falls back to Bun's
 * pipes: everything works but that protection.
 */
import { dlopen, FFIType, ptr } from "bun:ffi";
import { closeSync, constants, fstatSync, openSync, readlinkSync } from "node:fs";
import { pump } from "./output.ts";

/** The fds a child gets: the write end as its stdout/stderr, the read end as fd 3/4. */
export interface OutputPipe {
  read: number;
  write: number;
}

interface Libc {
  pipe2(fds: Int32Array): number;
}

let libc: Libc | null | undefined;

const O_CLOEXEC = 0o2000000;

/** libc's pipe2, loaded on first use; null when bun:ffi cannot load it. */
function loadLibc(): Libc | null {
  try {
    const lib = dlopen("libc.so.6", { pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 } });
    return { pipe2: (fds) => lib.symbols.pipe2(ptr(fds), O_CLOEXEC) };
  } catch {
    return null;
  }
}

function onePipe(): OutputPipe | undefined {
  if (libc === undefined) libc = loadLibc();
  if (!libc) return undefined;
  const fds = new Int32Array(2);
  if (libc.pipe2(fds) !== 0) return undefined;
  return { read: fds[0], write: fds[1] };
}

/** `count` pipes (close-on-exec in the daemon), or undefined when they cannot all be made. */
export function outputPipes(count: number): OutputPipe[] | undefined {
  const pipes: OutputPipe[] = [];
  for (let i = 0; i < count; i++) {
    const pipe = onePipe();
    if (!pipe) {
      closePipes(pipes);
      return undefined;
    }
    pipes.push(pipe);
  }
  return pipes;
}

/** Close a fd, ignoring one that is already closed. */
export function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}

export function closePipes(pipes: OutputPipe[]): void {
  for (const pipe of pipes) {
    closeFd(pipe.read);
    closeFd(pipe.write);
  }
}

/** The pipe inode a process's fd refers to (`pipe:[123]`), or undefined when it is not a pipe. */
function pipeOf(pid: number, fd: number): string | undefined {
  try {
    const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    return target.startsWith("pipe:") ? target : undefined;
  } catch {
    return undefined;
  }
}

/** How /proc names the pipe a fd of ours belongs to (`pipe:[123]`), or undefined. */
export function pipeName(fd: number): string | undefined {
  try {
    return `pipe:[${fstatSync(fd).ino}]`;
  } catch {
    return undefined;
  }
}

/**
 * Open again, for reading, the pipes an adopted process writes its stdout
 * and stderr to, when they are still the pipes the previous daemon made
 * for it (`known`, as pipeName gave them): a process that redirected its
 * output elsewhere, to another process's pipe say, is not read from.
 * stderr is undefined when it is the same pipe as stdout.
 */
export function reopenOutputs(pid: number, known: string[]): { stdout?: number; stderr?: number } {
  const open = (fd: number): number | undefined => {
    try {
      // Non-blocking: opening a pipe for reading never waits for a writer.
      return openSync(`/proc/${pid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK | O_CLOEXEC);
    } catch {
      return undefined;
    }
  };
  const out = pipeOf(pid, 1);
  const err = pipeOf(pid, 2);
  return {
    stdout: out && known.includes(out) ? open(1) : undefined,
    stderr: err && err !== out && known.includes(err) ? open(2) : undefined,
  };
}

/** Read a pipe fd until its writers are all gone, handing each chunk to `sink`; then close it. */
export function pumpFd(fd: number, sink: (chunk: Uint8Array) => void): Promise<void> {
  return pump(Bun.file(fd).stream(), sink).finally(() => closeFd(fd));
}
