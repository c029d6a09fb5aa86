/**
 * The plugin's commands: `node supervisord`, `node supervisorctl` and its
 * aliases `node status|start|stop|restart|tail`, and `node watchdog`.
 * Every slapos start reads this file for the command table, so the daemon,
 * the controller and the watchdog are imported by the command that runs
 * them, not here.
 */
import { resolve } from "node:path";
import type { CommandContext, CommandDef } from "../../core/cli/command.ts";
import { configurationPath } from "../../core/config/discover.ts";
import { parseBoolean } from "../../core/config/defaults.ts";
import { SlapConfig } from "../../core/config/slap-config.ts";
import { messageOf, SlapError } from "../../core/errors.ts";
import { required } from "../../core/hooks/loader.ts";
import { tapped } from "./tapped.ts";

function controlLog(ctx: { log: CommandContext["log"] }) {
  return {
    debug: (m: string) => ctx.log.debug(m),
    info: (m: string) => ctx.log.info(m),
    warning: (m: string) => ctx.log.warning(m),
    critical: (m: string) => ctx.log.critical(m),
  };
}

function instanceRootOf(config: SlapConfig, configPath: string | undefined): string {
  const root = config.get("slapos", "instance_root");
  if (!root) throw new SlapError("config", `${configPath ?? "slapos.cfg"}: [slapos] instance_root is required`);
  return root;
}

/** The daemon as the detached child of `supervisord` without -n: report READY or ERROR on stdout. */
async function runDaemonChild(ctx: CommandContext, configPath: string): Promise<number> {
  const [{ DAEMONIZED_ENV }, { runDaemon }] = await Promise.all([import("./daemon/launch.ts"), import("./daemon/daemon.ts")]);
  delete process.env[DAEMONIZED_ENV];
  try {
    await runDaemon({
      configPath,
      nodaemon: true,
      daemonized: true,
      hooks: ctx.hooks,
      ready: (pid) => void process.stdout.write(`READY ${pid}\n`),
    });
    return 0;
  } catch (error) {
    process.stdout.write(`ERROR ${messageOf(error)}\n`);
    return 1;
  }
}

export { controlLog };

export const supervisordCommand: CommandDef = {
  name: "node supervisord",
  group: "node",
  summary: "launch, if not already running, supervisor daemon",
  description:
    "Without -c, writes INST_ROOT/etc/supervisord.conf (from [slapos] instance_root) and starts the daemon unless it runs.\n" +
    "With -c FILE, runs the daemon on that supervisord.conf, as supervisord -c FILE does.\n" +
    "Without -n the daemon detaches (a new session) and this command returns once it serves its socket.",
  options: {
    nodaemon: { type: "boolean", alias: ["-n"], help: "Do not daemonize supervisord" },
    configuration: { type: "string", alias: ["-c"], metavar: "FILE", help: "supervisord.conf to run (default: from slapos.cfg)" },
  },
  config: "node",
  configOptional: true,
  async run(ctx) {
    const [{ DAEMONIZED_ENV, launchDetached }, { loadWithHooks, runDaemon }, { createSupervisordConfiguration, supervisorPaths }] =
      await Promise.all([import("./daemon/launch.ts"), import("./daemon/daemon.ts"), import("../../core/node/supervisor-files.ts")]);
    const nodaemon = Boolean(ctx.options.nodaemon);
    const given = ctx.options.configuration as string | undefined;
    if (process.env[DAEMONIZED_ENV] === "1" && given) return runDaemonChild(ctx, resolve(given));
    if (given) {
      const configPath = resolve(given);
      const config = await loadWithHooks(configPath, ctx.hooks);
      if (nodaemon || config.supervisord.nodaemon) {
        await runDaemon({ configPath, nodaemon: true, hooks: ctx.hooks });
        return 0;
      }
      await launchDetached({ configPath, slaposConfig: ctx.configPath, env: { ...process.env } as Record<string, string> });
      return 0;
    }
    if (!ctx.configPath) throw new SlapError("config", `Configuration file does not exist: ${configurationPath("node", ctx.globals.cfg)}`);
    const instanceRoot = instanceRootOf(ctx.config, ctx.configPath);
    const log = controlLog(ctx);
    await createSupervisordConfiguration(instanceRoot, {
      log,
      transform: tapped(ctx.hooks.supervisor.mainConfig) ? (text) => ctx.hooks.supervisor.mainConfig.promise(text, { instanceRoot }) : undefined,
    });
    const paths = supervisorPaths(instanceRoot);
    if (nodaemon) {
      const { supervisorState } = await import("./api/control.ts");
      if ((await supervisorState(paths.socket)) === 1) {
        log.debug("Supervisord already running.");
        return 0;
      }
      log.info("Launching supervisord with clean environment.");
      await runDaemon({ configPath: paths.config, nodaemon: true, hooks: ctx.hooks, env: {} });
      return 0;
    }
    // The supervisor.launch hook: this plugin's default tap launches the daemon; another plugin may take over.
    await required(ctx.hooks.supervisor.launch, { instanceRoot, configPath: paths.config });
    return 0;
  },
};

/** Words of supervisorctl's own options that take a value, to find `-c` and where the action starts. */
function hasConfigOption(args: string[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (!word.startsWith("-")) return false;
    // -c FILE, -cFILE, or any unique prefix of --configuration (getopt's rule)
    if (/^-[a-z]*c/.test(word) && !word.startsWith("--")) return true;
    if (word.startsWith("--co")) return true;
    if (["-s", "-u", "-p", "-r", "--serverurl", "--username", "--password", "--history_file"].includes(word)) i++;
  }
  return false;
}

/** `--cfg X` given after the command name (argparse takes it there too, before the first action word). */
function takeCfg(args: string[]): { cfg?: string; rest: string[] } {
  const rest = [...args];
  let cfg: string | undefined;
  while (rest.length && rest[0].startsWith("--cfg")) {
    const word = rest.shift()!;
    cfg = word.includes("=") ? word.slice(word.indexOf("=") + 1) : rest.shift();
  }
  return { cfg, rest };
}

function supervisorctlCommand(name: string, alias: string | undefined, summary: string): CommandDef {
  return {
    name,
    group: "node",
    summary,
    description: "Arguments are supervisorctl's: [-c FILE] [-s URL] [-u USER] [-p PASS] [-i] [action [arguments]].",
    config: "node",
    configOptional: true,
    passthrough: true,
    async run(ctx) {
      const [{ supervisorctl }, { supervisorPaths }] = await Promise.all([import("./ctl/main.ts"), import("../../core/node/supervisor-files.ts")]);
      const { cfg, rest } = takeCfg(ctx.rest);
      const args = alias ? [alias, ...rest] : rest;
      let config = ctx.config;
      let configPath = ctx.configPath;
      if (cfg) {
        configPath = configurationPath("node", cfg);
        config = SlapConfig.load(configPath!);
      }
      if (!alias && hasConfigOption(args)) return supervisorctl(args);
      if (!configPath) throw new SlapError("config", `Configuration file does not exist: ${configurationPath("node", ctx.globals.cfg)}`);
      const rootCheck = config.has("slapos", "root_check") ? parseBoolean(config.get("slapos", "root_check"), "root_check") : true;
      if (rootCheck && process.getuid?.() !== 0) throw new SlapError("not-root", "This slapos command must be run as root.");
      const instanceRoot = instanceRootOf(config, configPath);
      const forbid = config.has("slapos", "forbid_supervisord_automatic_launch")
        ? parseBoolean(config.get("slapos", "forbid_supervisord_automatic_launch"), "forbid_supervisord_automatic_launch")
        : false;
      if (!forbid) await required(ctx.hooks.supervisor.launch, { instanceRoot, configPath: supervisorPaths(instanceRoot).config });
      return supervisorctl(["-c", supervisorPaths(instanceRoot).config, ...args]);
    },
  };
}

export const supervisorctlCommands: CommandDef[] = [
  supervisorctlCommand("node supervisorctl", undefined, "open supervisor console, for process management"),
  supervisorctlCommand("node status", "status", "alias for 'node supervisorctl status'"),
  supervisorctlCommand("node start", "start", "alias for 'node supervisorctl start'"),
  supervisorctlCommand("node stop", "stop", "alias for 'node supervisorctl stop'"),
  supervisorctlCommand("node restart", "restart", "alias for 'node supervisorctl restart'"),
  supervisorctlCommand("node tail", "tail", "alias for 'node supervisorctl tail'"),
];

export const watchdogCommand: CommandDef = {
  name: "node watchdog",
  group: "node",
  summary: "supervisord event listener that bangs the master when a watched service dies",
  description:
    "Runs under the supervisor as [eventlistener:watchdog] (events=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL).\n" +
    "Taps of watchdog.event see every event; watchdog.bang sends the bang (default: POST /softwareInstanceBang).",
  options: {
    "master-url": { type: "string", help: "The master server URL. Mandatory." },
    "computer-id": { type: "string", help: "The computer id defined in the server." },
    "certificate-repository-path": { type: "string", help: "Path to partition certificates." },
    "instance-root-path": { type: "string", alias: ["--instance-root"], help: "Path to instance root directory." },
  },
  // slapos.cfg when there is one (--cfg, $SLAPOS_CONFIGURATION, /etc/opt/slapos): its plugin_list may tap watchdog.*.
  config: "node",
  configOptional: true,
  async run(ctx) {
    const missing = ["master-url", "computer-id"].filter((k) => !ctx.options[k]).map((k) => `--${k}`);
    if (missing.length) throw new SlapError("usage", `the following arguments are required: ${missing.join(", ")}`);
    const { runWatchdog } = await import("./watchdog/watchdog.ts");
    await runWatchdog({
      masterUrl: String(ctx.options["master-url"]),
      computerId: String(ctx.options["computer-id"]),
      certificateRepositoryPath: ctx.options["certificate-repository-path"] as string | undefined,
      instanceRoot: ctx.options["instance-root-path"] as string | undefined,
      hooks: ctx.hooks,
      error: (text) => void process.stderr.write(text),
    });
    return 0;
  },
};
