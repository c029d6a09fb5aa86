/**
 * Interactive questions of `slapos node register`: a line from stdin after a
 * prompt on stdout (Python's `input()`), and a password read without echo
 * when stdin is a terminal (`getpass`). End of input is an error, not an
 * endless loop.
 */
import { readSync } from "node:fs";
import { SlapError } from "../../errors.ts";

/** One line of stdin (without its newline), or undefined at end of input. */
function readLine(): string | undefined {
  const byte = Buffer.alloc(1);
  const bytes: number[] = [];
  for (;;) {
    let n: number;
    try {
      n = readSync(0, byte, 0, 1, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EAGAIN") continue;
      if ((error as NodeJS.ErrnoException).code === "EOF") return bytes.length ? Buffer.from(bytes).toString("utf8") : undefined;
      throw error;
    }
    if (n === 0) return bytes.length ? Buffer.from(bytes).toString("utf8") : undefined;
    if (byte[0] === 0x0a) return Buffer.from(bytes).toString("utf8").replace(/\r$/, "");
    bytes.push(byte[0]);
  }
}

/** Ask until the answer is not empty (after trimming); `what` names it when input ends. */
export function askUntilAnswered(question: string, what: string): string {
  for (;;) {
    process.stdout.write(question);
    const line = readLine();
    if (line === undefined) {
      process.stdout.write("\n");
      throw new SlapError("failure", `no ${what} given: standard input ended`);
    }
    if (line.trim()) return line.trim();
  }
}

function stty(setting: string): void {
  Bun.spawnSync(["stty", setting], { stdin: "inherit", stdout: "ignore", stderr: "ignore" });
}

/** A password, without echo on a terminal. */
export function askPassword(question = "Password: "): string {
  const tty = Boolean(process.stdin.isTTY);
  process.stdout.write(question);
  if (tty) stty("-echo");
  try {
    const line = readLine();
    if (line === undefined) throw new SlapError("failure", "no password given: standard input ended");
    return line;
  } finally {
    if (tty) {
      stty("echo");
      process.stdout.write("\n");
    }
  }
}
