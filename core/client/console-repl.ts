/**
 * The interactive side of `slapos console`: node:repl (as Bun provides it)
 * with top-level `await`, evaluating in the process's own global scope
 * (the console is the whole process), where the console's names are.
 *
 * - On a terminal: the REPL itself, prompt `slapos> `, history kept in
 *   `~/.slapconsolehistory` (as the reference's plain console).
 * - Input from a pipe or a file (`slapos console < commands.js`): each line
 *   is evaluated in turn and the value of each expression printed, as
 *   Python's console does with piped input, without prompts. Bun's REPL
 *   reads a pipe ahead of a pending `await`, so the lines are fed one at a
 *   time, the next only once the previous one is finished.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import repl from "node:repl";
import { PassThrough, Writable } from "node:stream";

export const CONSOLE_BANNER = `slapos console allows you interact with slap API. You can play with the global
"slap" object and with the global request() and supply() functions (JavaScript;
calls to the master return Promises: await them).

examples :
  // Request instance
  await request(kvm, "myuniquekvm")
  // Request software installation on owned computer
  await supply(kvm, "mycomputer")
  // Fetch instance informations on already launched instance
  (await request(kvm, "myuniquekvm")).getConnectionParameter("url")
`;

/** The parts of Bun's REPLServer this file relies on beyond the typed API. */
interface ReplInternals {
  context: Record<string, unknown>;
  history: string[];
  eval: (code: string, context: unknown, file: string, cb: (error: unknown, value?: unknown) => void) => void;
  displayPrompt: (...args: unknown[]) => void;
  _handleError?: (error: unknown) => unknown;
  on(event: "exit", listener: () => void): void;
  on(event: "line", listener: (line: string) => void): void;
  close(): void;
}

const HISTORY_SIZE = 1000;

function historyPath(): string {
  return join(process.env.HOME ?? homedir(), ".slapconsolehistory");
}

/** The REPL on a terminal; resolves when the user leaves it (Ctrl+D, .exit). */
export async function interactiveConsole(names: Record<string, unknown>): Promise<void> {
  process.stdout.write(CONSOLE_BANNER);
  const server = repl.start({ prompt: "slapos> ", ignoreUndefined: true, useGlobal: true }) as unknown as ReplInternals;
  Object.assign(server.context, names);
  const path = historyPath();
  try {
    const lines = readFileSync(path, "utf8").split("\n").filter(Boolean);
    if (lines.length > HISTORY_SIZE) writeFileSync(path, lines.slice(-HISTORY_SIZE).join("\n") + "\n");
    server.history.unshift(...lines.slice(-HISTORY_SIZE).reverse()); // newest first, as readline keeps it
  } catch {
    // no history yet
  }
  server.on("line", (line) => {
    if (!line.trim()) return;
    try {
      appendFileSync(path, line + "\n", { mode: 0o600 });
    } catch {
      // history is a convenience: a read-only home must not break the console
    }
  });
  await new Promise<void>((resolve) => server.on("exit", resolve));
}

/** Continuation prompts ("| ", "| .. ") that the REPL writes even with an empty prompt. */
const CONTINUATION = /^\|[ .]*$/;

/** Evaluate piped lines one after the other; resolves once the last one is done. */
export async function pipedConsole(names: Record<string, unknown>, input: AsyncIterable<Uint8Array>): Promise<void> {
  const feed = new PassThrough();
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString();
      if (!CONTINUATION.test(text)) process.stdout.write(text);
      done();
    },
  });
  const server = repl.start({ prompt: "", input: feed, output, terminal: false, ignoreUndefined: true, useGlobal: true }) as unknown as ReplInternals;
  Object.assign(server.context, names);
  const exited = new Promise<void>((resolve) => server.on("exit", resolve));

  // A line is finished once the REPL took it (a prompt, or an evaluation started) and no evaluation is pending.
  let taken = true;
  let pending = 0;
  let wake = () => {};
  const changed = () => wake();
  const idle = () =>
    new Promise<void>((resolve) => {
      const check = () => (taken && pending === 0 ? resolve() : (wake = check));
      check();
    });
  const prompt = server.displayPrompt;
  server.displayPrompt = function (this: unknown, ...args: unknown[]) {
    taken = true;
    changed();
    return prompt.apply(this, args);
  };
  const evaluate = server.eval;
  server.eval = function (this: unknown, code, context, file, cb) {
    taken = true;
    pending++;
    evaluate.call(this, code, context, file, (error, value) => {
      pending = Math.max(0, pending - 1);
      cb(error, value);
      changed();
    });
  };
  // Bun's REPL reports an uncaught error here instead of through the callback.
  const handleError = server._handleError;
  if (handleError) {
    server._handleError = function (this: unknown, error: unknown) {
      pending = Math.max(0, pending - 1);
      const result = handleError.call(this, error);
      changed();
      return result;
    };
  }

  const decoder = new TextDecoder();
  let buffered = "";
  const send = async (line: string) => {
    await idle();
    taken = false;
    feed.write(line + "\n");
  };
  for await (const chunk of input) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      await send(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  }
  buffered += decoder.decode();
  if (buffered) await send(buffered);
  await idle();
  feed.end();
  await exited;
}
