/**
 * `slapos proxy start|show|token`: the embedded master's commands
 * (format-collect-cli.md §6.6). Light on purpose: the master's code is
 * imported inside `run()`, so `slapos --help` does not load Hono or SQLite.
 */
import type { CommandDef, OptionDef } from "../command.ts";

/** `--database-uri`, which the three commands share. */
const DATABASE_URI: OptionDef = { type: "string", alias: ["-u"], metavar: "DATABASE_URI", help: "URI for sqlite database" };

export const proxyStartCommand: CommandDef = {
  name: "proxy start",
  group: "other",
  summary: "start the embedded SlapOS master (slapproxy)",
  description:
    "Serves the SLAP protocol from an SQLite database. [slapproxy] and [slapos] of the configuration are merged, the command line wins.\n" +
    "HTTPS: server_cert_file and server_key_file; client_ca_file requires client certificates signed by that CA;\n" +
    "client_ca_key_file lets the master register nodes (slapos node register --token).",
  config: "node",
  options: {
    "database-uri": DATABASE_URI,
    port: { type: "string", metavar: "PORT", help: "port to listen on (default: [slapproxy] port, else 8080)" },
    host: { type: "string", metavar: "HOST", help: "host to listen on (default: [slapproxy] host, else 127.0.0.1)" },
    "local-software-release-root": {
      type: "string",
      metavar: "PATH",
      help: "root of local software releases: paths under the former root are rebased under this one",
    },
  },
  async run(ctx) {
    const { runProxyStart } = await import("../../master/cli/start.ts");
    return runProxyStart(ctx);
  },
};

export const proxyShowCommand: CommandDef = {
  name: "proxy show",
  group: "other",
  summary: "display proxy instances and parameters",
  config: "node",
  configOptional: true,
  options: {
    "database-uri": DATABASE_URI,
    computers: { type: "boolean", help: "view computer information" },
    software: { type: "boolean", help: "view software releases" },
    partitions: { type: "boolean", help: "view partitions" },
    slaves: { type: "boolean", help: "view slave instances" },
    params: { type: "boolean", help: "view published parameters" },
    network: { type: "boolean", help: "view network settings" },
    json: { type: "boolean", help: "print the same data as JSON" },
  },
  async run(ctx) {
    const { runProxyShow } = await import("../../master/cli/show.ts");
    return runProxyShow(ctx);
  },
};

export const proxyTokenCommand: CommandDef = {
  name: "proxy token",
  group: "other",
  summary: "create a token for `slapos node register --token` against this master",
  config: "node",
  configOptional: true,
  options: {
    "database-uri": DATABASE_URI,
  },
  async run(ctx) {
    const { runProxyToken } = await import("../../master/cli/token.ts");
    return runProxyToken(ctx);
  },
};

export const proxyCommands: CommandDef[] = [proxyStartCommand, proxyShowCommand, proxyTokenCommand];
