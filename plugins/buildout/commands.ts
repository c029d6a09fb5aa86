/**
 * The commands: `slapos buildout [...]` (zc.buildout's command line, run by
 * the native engine) and `slapos buildout resolve [FILE | -c FILE] [--fork]`
 * (the resolved configuration as JSON). The engine is imported only when a
 * command runs, so `slapos --help` does not load it.
 */
import type { CommandContext, CommandDef } from "../../core/cli/command.ts";
import { SlapError } from "../../core/errors.ts";

function resolveArgs(words: string[]): { file: string; fork: boolean } {
  let file: string | undefined;
  let fork = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === "--fork") fork = true;
    else if (word === "--upstream") fork = false;
    else if (word === "-c") {
      file = words[++i];
      if (file === undefined) throw new SlapError("usage", "argument -c: expected one argument");
    } else if (word.startsWith("-c") && word.length > 2) file = word.slice(2);
    else if (word.startsWith("-")) throw new SlapError("usage", `unrecognized arguments: ${word}`);
    else if (file === undefined) file = word;
    else throw new SlapError("usage", `unrecognized arguments: ${word}`);
  }
  return { file: file ?? "buildout.cfg", fork };
}

async function runResolve(words: string[]): Promise<number> {
  if (words.includes("-h") || words.includes("--help")) {
    const { commandHelp } = await import("../../core/cli/help.ts");
    process.stdout.write(commandHelp(resolveCommand));
    return 0;
  }
  const { file, fork } = resolveArgs(words);
  const { resolveConfig } = await import("./lang/resolve.ts");
  const { isBuildoutError } = await import("./lang/errors.ts");
  try {
    const result = await resolveConfig({ configFile: file, fork, cwd: process.cwd() });
    process.stdout.write(JSON.stringify(result, null, 1) + "\n");
    return 0;
  } catch (error) {
    if (!isBuildoutError(error)) throw error;
    process.stdout.write(JSON.stringify({ error: error.kind, message: error.message }, null, 1) + "\n");
    return 1;
  }
}

export const resolveCommand: CommandDef = {
  name: "buildout resolve",
  group: "other",
  summary: "print a buildout configuration, resolved, as JSON",
  description:
    "Load FILE (default buildout.cfg) and what it extends, expand macros and substitutions as zc.buildout 2.13 does,\n" +
    'and print {"sections": {...}, "install_order": [...]}; a refused configuration prints {"error", "message"} and exits 1.\n' +
    "--fork reads it as the SlapOS fork does.",
  args: [{ name: "file", required: false, help: "the configuration (default buildout.cfg)" }],
  options: {
    fork: { type: "boolean", help: "SlapOS fork language ($${ gives ${, ${:_profile_base_location_})" },
  },
  passthrough: true,
  run: (ctx) => runResolve(ctx.rest),
};

async function runBuildoutCommand(ctx: CommandContext): Promise<number> {
  const words = [...ctx.rest];
  if (words[0] === "resolve") return runResolve(words.slice(1));
  const delegate = !words.includes("--no-delegate");
  const argv = words.filter((w) => w !== "--no-delegate");
  const { runBuildout, UNKNOWN_RECIPE_EXIT } = await import("./run/run.ts");
  const result = await runBuildout({
    argv,
    cwd: process.cwd(),
    hooks: ctx.hooks,
    fork: false,
    output: (line, level) => (level === "ERROR" || level === "CRITICAL" ? process.stderr : process.stdout).write(line + "\n"),
  });
  const external = ctx.config.get("slapos", "buildout");
  if (result.code === UNKNOWN_RECIPE_EXIT && delegate && external) {
    const { runExternal } = await import("./taps.ts");
    process.stdout.write(`A recipe is not native: running the profile with ${external}\n`);
    const outcome = await runExternal(
      { directory: process.cwd(), argv, env: process.env as Record<string, string>, onOutput: (l) => process.stdout.write(l + "\n") },
      { external, log: ctx.log.child("buildout") },
    );
    return outcome?.code ?? 1;
  }
  return result.code;
}

export const buildoutCommand: CommandDef = {
  name: "buildout",
  group: "other",
  summary: "run a buildout profile with the native engine",
  description:
    "slapos buildout [-c FILE] [-N] [-o] [-U] [-v] [section:option=value ...] [install [PARTS] | annotate [SECTIONS] |\n" +
    "query SECTION:OPTION | bootstrap | resolve [FILE]], as zc.buildout's command line. --fork reads profiles as the\n" +
    "SlapOS fork does. A part whose recipe is not native fails, unless [slapos] buildout names an external buildout,\n" +
    "which then runs the whole profile.",
  config: "node",
  configOptional: true,
  passthrough: true,
  run: runBuildoutCommand,
};
