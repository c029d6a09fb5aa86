/**
 * `slapos node software|instance|report|promise`: the slapgrid commands, in
 * the reference's order of things — merge, root check, option checks,
 * random delay, pidfile, master probe, run, release (node-runtime.md §0).
 * Heavy modules are imported inside run() so that `slapos --help` stays fast.
 */
import type { CommandContext, CommandDef, OptionDef } from "../cli/command.ts";
import { SLAPGRID_OPTIONS } from "./options.ts";

type Kind = "software" | "instance" | "report" | "promise";

const PIDFILE_KEY: Record<Kind, string> = {
  software: "pidfile_software",
  instance: "pidfile_instance",
  report: "pidfile_report",
  promise: "pidfile_instance",
};

function commaList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(",")).map((v) => v.trim()).filter(Boolean);
}

async function runKind(kind: Kind, ctx: CommandContext): Promise<number> {
  const { slapgridOptions, checkRoot, randomDelay } = await import("./options.ts");
  const { acquirePidfile } = await import("./pidfile.ts");
  const { masterClient } = await import("./context.ts");
  const { SlapError } = await import("../errors.ts");
  const options = slapgridOptions(ctx);
  checkRoot(options.rootCheck);
  if (ctx.options.all && (ctx.options["only-sr"] !== undefined || ctx.options["only-cp"] !== undefined)) {
    throw new SlapError("usage", "argument --only: not allowed with argument --all");
  }
  await randomDelay(options.maximalDelay, options.now, ctx.log);
  const pidfile = String(ctx.options.pidfile ?? options.raw[PIDFILE_KEY[kind]]);
  const lock = acquirePidfile(pidfile);
  try {
    const run = { options, hooks: ctx.hooks, master: masterClient(options), log: ctx.log, command: `node ${kind}`, config: ctx.config };
    const { applyManagers } = await import("./managers/index.ts");
    applyManagers(run);
    await run.master.getHateoasUrl().catch(() => undefined);
    const develop = Boolean(ctx.options.force || ctx.options.all);
    if (kind === "promise") {
      const { runPromiseCommand } = await import("./promise-run.ts");
      return await runPromiseCommand(run, commaList(ctx.options["only-cp"]));
    }
    const { createStructure } = await import("./structure.ts");
    const configPath = await createStructure({ ...options, withWatchdog: true }, ctx.hooks, ctx.log);
    if (kind === "software") {
      const { processSoftwareReleases } = await import("./software/run.ts");
      return await processSoftwareReleases(run, {
        develop,
        only: commaList(ctx.options["only-sr"]),
        garbageCollect: Boolean(ctx.options["garbage-collect"]),
      });
    }
    const { parseBoolean } = await import("../config/defaults.ts");
    if (!parseBoolean(options.raw.forbid_supervisord_automatic_launch ?? "false", "forbid_supervisord_automatic_launch")) {
      const { required } = await import("../hooks/loader.ts");
      await required(ctx.hooks.supervisor.launch, { instanceRoot: options.instanceRoot, configPath });
    }
    if (kind === "instance") {
      if (ctx.config.has("firewall")) {
        // the reference's legacy firewalld integration (node-runtime.md §3.7) is not built in: say so rather than pretend
        ctx.log.warning("[firewall]: the legacy firewalld rules of slapgrid are not supported; no rule is applied (core/node/README.md)");
      }
      const { processPartitions } = await import("./instance/run.ts");
      return await processPartitions(run, {
        develop,
        forceStop: Boolean(ctx.options["force-stop"]),
        buildoutDebug: Boolean(ctx.options["buildout-debug"]),
        only: commaList(ctx.options["only-cp"]),
      });
    }
    const { reportAndCollect } = await import("./report/run.ts");
    return await reportAndCollect(run);
  } finally {
    lock.release();
  }
}

const force: Record<string, OptionDef> = {
  force: { type: "boolean", help: "force the processing of everything, even what is up to date" },
  all: { type: "boolean", help: "deprecated alias of --force" },
};

function command(kind: Kind, summary: string, extra: Record<string, OptionDef>): CommandDef {
  return {
    name: `node ${kind}`,
    group: "node",
    summary,
    config: "node",
    options: { ...SLAPGRID_OPTIONS, ...extra },
    run: (ctx) => runKind(kind, ctx),
  };
}

export const nodeCommands: CommandDef[] = [
  command("software", "run the software releases the master supplied to this node", {
    "buildout-debug": { type: "boolean", help: "run buildout in debug mode (output not captured)" },
    "garbage-collect": { type: "boolean", help: "remove software folders that no supplied software release keeps" },
    ...force,
    "only-sr": { type: "string", alias: ["--only"], multiple: true, metavar: "URL_OR_MD5", help: "process only these software releases (comma separated)" },
  }),
  command("instance", "deploy and run the instances the master requested on this node", {
    "buildout-debug": { type: "boolean", help: "run buildout in debug mode (output not captured)" },
    "force-stop": { type: "boolean", help: "install and stop every partition, whatever its requested state" },
    ...force,
    "only-cp": { type: "string", alias: ["--only"], multiple: true, metavar: "PARTITIONS", help: "process only these partitions (comma separated)" },
  }),
  command("report", "report usage and destroy the partitions the master wants destroyed", {}),
  command("promise", "check the promises of started partitions", {
    "only-cp": { type: "string", alias: ["--only"], multiple: true, metavar: "PARTITIONS", help: "check only these partitions (comma separated)" },
  }),
];
