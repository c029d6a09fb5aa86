/**
 * The client commands (format-collect-cli.md §6, §7.4): `request`, `supply`,
 * `remove`, `service list|info`, `computer list|info|token`. They read the
 * client configuration (`--cfg`, `$SLAPOS_CLIENT_CONFIGURATION`,
 * `~/.slapos/slapos-client.cfg`). This module stays light: each command
 * loads its implementation inside `run()`.
 */
import { accessSync, constants, statSync } from "node:fs";
import type { CommandContext, CommandDef, OptionDef } from "../cli/command.ts";
import { SlapError } from "../errors.ts";

async function connection(ctx: CommandContext) {
  const { clientSettings } = await import("./client-config.ts");
  const { connect } = await import("./connect.ts");
  return connect(clientSettings(ctx.config));
}

const arg = (ctx: CommandContext, name: string) => String(ctx.args[name]);
const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : undefined);

/** Default of `--timeout`: enough for a small software release to build and start. */
const DEFAULT_WAIT_TIMEOUT = 600;

const jsonOption: OptionDef = { type: "boolean", help: "print JSON (see core/client/README.md for its shape)" };

/** argparse.FileType('r') checks the file while parsing: a usage error (exit 2) naming it. */
function checkReadable(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why =
      code === "ENOENT" ? `[Errno 2] No such file or directory: '${path}'`
      : code === "EISDIR" ? `[Errno 21] Is a directory: '${path}'`
      : code === "EACCES" ? `[Errno 13] Permission denied: '${path}'`
      : String((error as Error).message);
    throw new SlapError("usage", `argument --parameters-file: can't open '${path}': ${why}`);
  }
}

export const requestCommand: CommandDef = {
  name: "request",
  group: "client",
  summary: "request an instance and get status and parameters of instance",
  description:
    "--wait (not in the reference) re-requests until the instance publishes connection parameters,\n" +
    "showing progress on stderr, and exits 2 if --timeout seconds pass first (0: no limit).",
  config: "client",
  args: [
    { name: "reference", help: "Your instance reference (for now it is its title)" },
    { name: "software_url", help: "Your software url" },
  ],
  options: {
    node: { type: "string", nargs: "+", metavar: "NODE", help: "Node request option 'option1=value1 option2=value2' (i.e. computer_guid=COMP-1234)" },
    type: { type: "string", help: "Software type to be requested" },
    state: { type: "string", help: "State of the requested instance" },
    slave: { type: "boolean", help: "Ask for a slave instance" },
    "force-serialisation": {
      type: "string",
      choices: ["xml", "json-in-xml"],
      metavar: "{xml,json-in-xml}",
      help: "Enforce serialisation of instance parameters when using --parameters-file",
    },
    parameters: { type: "string", nargs: "+", metavar: "PARAMETERS", help: "Instance parameters, in the form 'option1=value1 option2=value2'." },
    "parameters-file": {
      type: "string",
      metavar: "PARAMETERS_FILE",
      help: "Instance parameters, in a file. The file will be interpreted as json, yaml or xml depending on the file extension.",
    },
    wait: { type: "boolean", help: "wait until the instance publishes its connection parameters" },
    timeout: { type: "number", metavar: "SECONDS", default: DEFAULT_WAIT_TIMEOUT, help: "how long --wait waits at most, 0 for no limit" },
  },
  async run(ctx) {
    const o = ctx.options;
    if (o.parameters !== undefined && o["parameters-file"] !== undefined) {
      throw new SlapError("usage", "argument --parameters-file: not allowed with argument --parameters");
    }
    const parametersFile = o["parameters-file"] === undefined ? undefined : String(o["parameters-file"]);
    if (parametersFile !== undefined) checkReadable(parametersFile);
    const timeout = Number(o.timeout);
    if (timeout < 0) throw new SlapError("usage", `argument --timeout: must be 0 or more, not ${timeout}`);
    const { parseOptionDict } = await import("./option-dict.ts");
    const node = parseOptionDict(list(o.node), "--node");
    const parameters = parseOptionDict(list(o.parameters), "--parameters");
    const { doRequest } = await import("./request.ts");
    return doRequest(
      await connection(ctx),
      {
        reference: arg(ctx, "reference"),
        softwareUrl: arg(ctx, "software_url"),
        type: o.type === undefined ? undefined : String(o.type),
        state: o.state === undefined ? undefined : String(o.state),
        slave: Boolean(o.slave),
        node,
        parameters,
        parametersFile,
        forceSerialisation: o["force-serialisation"] as "xml" | "json-in-xml" | undefined,
        wait: Boolean(o.wait),
        timeout,
      },
      ctx.log,
    );
  },
};

const softwareAndNode = [
  { name: "software_url", help: "Your software url" },
  { name: "node", help: "Target node" },
];

export const supplyCommand: CommandDef = {
  name: "supply",
  group: "client",
  summary: "supply a Software to a node",
  config: "client",
  args: softwareAndNode,
  async run(ctx) {
    const { doSupply } = await import("./supply.ts");
    return doSupply(await connection(ctx), arg(ctx, "software_url"), arg(ctx, "node"), ctx.log);
  },
};

export const removeCommand: CommandDef = {
  name: "remove",
  group: "client",
  summary: "remove a Software from a node",
  config: "client",
  args: softwareAndNode,
  async run(ctx) {
    const { doRemove } = await import("./supply.ts");
    return doRemove(await connection(ctx), arg(ctx, "software_url"), arg(ctx, "node"), ctx.log);
  },
};

export const serviceListCommand: CommandDef = {
  name: "service list",
  group: "client",
  summary: "List the title of all your slapos services",
  config: "client",
  options: { json: jsonOption },
  async run(ctx) {
    const { doServiceList } = await import("./service.ts");
    return doServiceList(await connection(ctx), Boolean(ctx.options.json));
  },
};

export const serviceInfoCommand: CommandDef = {
  name: "service info",
  group: "client",
  summary: "get status, software_release and parameters of an instance",
  config: "client",
  args: [{ name: "reference", help: "Your instance reference (for now it is its title)" }],
  options: { news: { type: "boolean", help: "Include raw news in output" } },
  async run(ctx) {
    const { doServiceInfo } = await import("./service.ts");
    return doServiceInfo(await connection(ctx), arg(ctx, "reference"), Boolean(ctx.options.news), ctx.log);
  },
};

export const computerListCommand: CommandDef = {
  name: "computer list",
  group: "client",
  summary: "List all available compute nodes",
  config: "client",
  options: { json: jsonOption },
  async run(ctx) {
    const { doComputerList } = await import("./computer.ts");
    return doComputerList(await connection(ctx), Boolean(ctx.options.json));
  },
};

export const computerInfoCommand: CommandDef = {
  name: "computer info",
  group: "client",
  summary: "get information of an computer",
  config: "client",
  args: [{ name: "reference", help: "Your computer reference" }],
  options: { json: jsonOption },
  async run(ctx) {
    const { doComputerInfo } = await import("./computer.ts");
    return doComputerInfo(await connection(ctx), arg(ctx, "reference"), Boolean(ctx.options.json));
  },
};

export const computerTokenCommand: CommandDef = {
  name: "computer token",
  group: "client",
  summary: "get token for setup a computer",
  config: "client",
  async run(ctx) {
    const { doComputerToken } = await import("./computer.ts");
    return doComputerToken(await connection(ctx));
  },
};

/** Every client command, for core/cli/core-commands.ts. */
export const clientCommands: CommandDef[] = [
  requestCommand,
  supplyCommand,
  removeCommand,
  serviceListCommand,
  serviceInfoCommand,
  computerListCommand,
  computerInfoCommand,
  computerTokenCommand,
];
