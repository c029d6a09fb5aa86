/**
 * The supervisorctl command line: `[-c FILE] [-s URL] [-u USER] [-p PASS]
 * [-i] [action [arguments]]`, the `[supervisorctl]` section of the file
 * (serverurl, username, password, prompt), one action or the interactive
 * shell. Returns supervisorctl's exit status.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { IniDocument } from "../config/ini.ts";
import { readCtl } from "../config/load.ts";
import { Controller } from "./controller.ts";

const USAGE = `supervisorctl -- control applications run by supervisord from the cmd line.

Usage: supervisorctl [options] [action [arguments]]

Options:
-c/--configuration FILENAME -- configuration file path (searches if not given)
-h/--help -- print usage message and exit
-i/--interactive -- start an interactive shell after executing commands
-s/--serverurl URL -- URL on which supervisord server is listening
     (default "http://localhost:9001").
-u/--username USERNAME -- username to use for authentication with server
-p/--password PASSWORD -- password to use for authentication with server
-r/--history-file -- keep a readline history (if readline is available)

action [arguments] -- see below

Actions are commands like "tail" or "stop".  If -i is specified or no action is
specified on the command line, a "shell" interpreting actions typed
interactively is started.  Use the action "help" to find out about available
actions.
`;

const SEARCH = ["supervisord.conf", "etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf"];

interface Parsed {
  configuration?: string;
  serverurl?: string;
  username?: string;
  password?: string;
  interactive: boolean;
  help: boolean;
  args: string[];
}

class UsageError extends Error {}

const LONG: Record<string, keyof Parsed | "history"> = {
  configuration: "configuration",
  serverurl: "serverurl",
  username: "username",
  password: "password",
  history_file: "history",
  interactive: "interactive",
  help: "help",
};
const SHORT: Record<string, keyof Parsed | "history"> = {
  c: "configuration",
  s: "serverurl",
  u: "username",
  p: "password",
  r: "history",
  i: "interactive",
  h: "help",
  "?": "help",
};
const FLAGS = new Set(["interactive", "help"]);

/** getopt: options first; the first other word starts the action. */
function parse(argv: string[]): Parsed {
  const parsed: Parsed = { interactive: false, help: false, args: [] };
  const set = (key: keyof Parsed | "history", value?: string) => {
    if (key === "history") return;
    if (FLAGS.has(key)) (parsed as unknown as Record<string, boolean>)[key] = true;
    else (parsed as unknown as Record<string, string | undefined>)[key] = value;
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      i++;
      break;
    }
    if (!word.startsWith("-") || word === "-") break;
    if (word.startsWith("--")) {
      const [name, inline] = word.slice(2).split(/=(.*)/s, 2);
      const matches = Object.keys(LONG).filter((k) => k.startsWith(name));
      const exact = LONG[name] ? name : matches.length === 1 ? matches[0] : undefined;
      if (!exact) throw new UsageError(`option --${name} not recognized`);
      const key = LONG[exact];
      if (FLAGS.has(key)) set(key);
      else {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new UsageError(`option --${exact} requires argument`);
        set(key, value);
      }
      continue;
    }
    for (let j = 1; j < word.length; j++) {
      const key = SHORT[word[j]];
      if (!key) throw new UsageError(`option -${word[j]} not recognized`);
      if (FLAGS.has(key)) {
        set(key);
        continue;
      }
      const value = j + 1 < word.length ? word.slice(j + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`option -${word[j]} requires argument`);
      set(key, value);
      break;
    }
  }
  parsed.args = argv.slice(i);
  return parsed;
}

export interface CtlRunOptions {
  /** The configuration file when -c is not given (slapos: INST_ROOT/etc/supervisord.conf). */
  defaultConfig?: string;
}

/** Run supervisorctl with these arguments; returns its exit status. */
export async function supervisorctl(argv: string[], options: CtlRunOptions = {}): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`Error: ${(error as Error).message}\nFor help, use supervisorctl -h\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let path = parsed.configuration ?? options.defaultConfig;
  if (!path) path = SEARCH.find((p) => existsSync(p));
  let ctl = { serverurl: "http://localhost:9001", username: null as string | null, password: null as string | null, prompt: "supervisor" };
  if (path) {
    const absolute = resolve(path);
    try {
      if (!existsSync(absolute)) throw new Error(`could not find config file ${absolute}`);
      const doc = new IniDocument();
      doc.read(readFileSync(absolute, "utf8"), absolute);
      if (!doc.has("supervisorctl")) throw new Error(".ini file does not include supervisorctl section");
      ctl = readCtl(doc, dirname(absolute));
    } catch (error) {
      process.stderr.write(`Error: ${(error as Error).message}\nFor help, use supervisorctl -h\n`);
      return 2;
    }
  }
  const controller = new Controller({
    serverurl: parsed.serverurl ?? ctl.serverurl,
    username: parsed.username ?? ctl.username,
    password: parsed.password ?? ctl.password,
    interactive: parsed.interactive || !parsed.args.length,
  });
  if (parsed.args.length) {
    await controller.onecmd(parsed.args.join(" "));
    if (!parsed.interactive) return controller.exitstatus;
  }
  return shell(controller, ctl.prompt, parsed.args.length === 0);
}

/** Lines of stdin, one at a time (a terminal or a pipe alike). */
async function* stdinLines(): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of Bun.stdin.stream()) {
    pending += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
    }
  }
  if (pending) yield pending;
}

/** The interactive shell: `status` first (when no action was given), then one action per line, until quit or end of input. */
async function shell(controller: Controller, prompt: string, statusFirst: boolean): Promise<number> {
  if (statusFirst) await controller.onecmd("status");
  const lines = stdinLines();
  for (;;) {
    process.stdout.write(`${prompt}> `);
    const next = await lines.next();
    if (next.done) {
      await controller.onecmd("EOF");
      break;
    }
    if (await controller.onecmd(next.value)) break;
  }
  return 0;
}
