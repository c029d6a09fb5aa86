/**
 * zc.buildout's command line: `[-c FILE] [-t SECONDS] [-vqUoOnND] [section:option=value ...]
 * [command [args]]`, options and assignments interleaved, short flags
 * clustered (`-NU`), parsed as its main() does. Our own switches `--fork`
 * and `--upstream` choose the language mode and may appear anywhere.
 */
import { SlapError } from "../../../core/errors.ts";

export interface BuildoutArgs {
  configFile: string;
  assignments: Array<[section: string, option: string, value: string]>;
  userDefaults: boolean;
  verbosity: number;
  debug: boolean;
  command: string;
  args: string[];
  /** undefined when neither --fork nor --upstream was given. */
  fork?: boolean;
  help: boolean;
  version: boolean;
}

export const BUILDOUT_COMMANDS = new Set(["install", "bootstrap", "annotate", "query", "init", "setup", "runsetup"]);

function usage(message: string): SlapError {
  return new SlapError("usage", message);
}

/** Parse buildout's arguments (everything after `slapos buildout`). */
export function parseBuildoutArgs(argv: string[]): BuildoutArgs {
  const out: BuildoutArgs = {
    configFile: "buildout.cfg",
    assignments: [],
    userDefaults: true,
    verbosity: 0,
    debug: false,
    command: "install",
    args: [],
    help: false,
    version: false,
  };
  const args = argv.filter((arg) => {
    if (arg === "--fork" || arg === "--upstream") {
      out.fork = arg === "--fork";
      return false;
    }
    return true;
  });
  while (args.length) {
    const first = args[0];
    if (first.startsWith("-")) {
      const original = args.shift()!;
      let op = original.slice(1);
      while (op && "vqhWUoOnNDA".includes(op[0])) {
        const flag = op[0];
        if (flag === "v") out.verbosity += 10;
        else if (flag === "q") out.verbosity -= 10;
        else if (flag === "U") out.userDefaults = false;
        else if (flag === "o") out.assignments.push(["buildout", "offline", "true"]);
        else if (flag === "O") out.assignments.push(["buildout", "offline", "false"]);
        else if (flag === "n") out.assignments.push(["buildout", "newest", "true"]);
        else if (flag === "N") out.assignments.push(["buildout", "newest", "false"]);
        else if (flag === "D") out.debug = true;
        else out.help = true;
        op = op.slice(1);
      }
      if (op.startsWith("c") || op.startsWith("t")) {
        const flag = op[0];
        const attached = op.slice(1);
        if (flag === "c") {
          const file = attached || args.shift();
          if (file === undefined) throw usage(`No file name specified for option ${original}`);
          out.configFile = file;
        } else {
          const value = args.shift();
          if (value === undefined) throw usage(`No timeout value specified for option ${original}`);
          if (!/^\s*[+-]?\d+\s*$/.test(value)) throw usage(`Timeout value must be numeric ${original}`);
          out.assignments.push(["buildout", "socket-timeout", value]);
        }
      } else if (op) {
        if (original === "--help") out.help = true;
        else if (original === "--version") out.version = true;
        else throw usage(`Invalid option -${op[0]}`);
      }
    } else if (first.includes("=")) {
      args.shift();
      const at = first.indexOf("=");
      const names = first.slice(0, at).split(":");
      if (names.length > 2) throw usage(`Invalid option: ${first.slice(0, at)}`);
      const [section, option] = names.length === 1 ? ["buildout", names[0]] : names;
      out.assignments.push([section.trim(), option.trim(), first.slice(at + 1).trim()]);
    } else break;
  }
  if (out.verbosity) out.assignments.push(["buildout", "verbosity", String(out.verbosity)]);
  if (args.length) {
    const command = args.shift()!;
    if (!BUILDOUT_COMMANDS.has(command)) throw usage(`invalid command: ${command}`);
    out.command = command;
    out.args = args;
  }
  return out;
}
