/**
 * `slapos node register NODE_NAME`: the options of the reference (format-
 * collect-cli.md §5.1), with its defaults. Light: the work is imported in
 * run().
 */
import type { CommandDef } from "../../cli/command.ts";

export const registerCommand: CommandDef = {
  name: "node register",
  group: "node",
  summary: "register a new computer on SlapOS Master",
  description:
    "Writes the node's configuration into the directory of the configuration file (--cfg, else $SLAPOS_CONFIGURATION,\n" +
    "else /etc/opt/slapos/slapos.cfg): slapos.cfg, ssl/key, ssl/certificate and ssl/partition_pki. A former\n" +
    "configuration there is kept as <dir>.old (then .old.1, .old.2, ...). Against this slapos's own master:\n" +
    "--master-url https://HOST:PORT --master-url-web https://HOST:REGISTRATION_PORT --token $(slapos proxy token).",
  args: [{ name: "node_name", help: "Chosen title for the node" }],
  options: {
    "interface-name": { type: "string", default: "lo", help: "Primary network interface. IP of Partitions will be added to it" },
    "master-url": { type: "string", default: "https://slap.vifib.com", help: "URL of SlapOS Master REST API" },
    "master-url-web": {
      type: "string",
      default: "https://panel.rapid.space",
      help: "URL of SlapOS Master webservice to register certificates",
    },
    "partition-number": { type: "number", default: 10, help: "Number of partitions to create in the SlapOS Node" },
    "ipv4-local-network": {
      type: "string",
      default: "10.0.0.0/16",
      help: "Subnetwork used to assign local IPv4 addresses. It should be a not used network in order to avoid conflicts",
    },
    "software-root": { type: "string", default: "/opt/slapgrid", help: "Path of the software directory" },
    "instance-root": { type: "string", default: "/srv/slapgrid", help: "Path of the instance directory" },
    "login-auth": { type: "boolean", help: "Force login and password authentication" },
    login: { type: "string", help: "Your SlapOS Master login. Asks it interactively, then password." },
    password: {
      type: "string",
      help: "Your SlapOS Master password. If not provided, asks it interactively. NOTE: giving password as parameter should be avoided for security reasons.",
    },
    token: { type: "string", help: "SlapOS 'computer security' authentication token" },
    "create-tap": {
      type: "boolean",
      alias: ["-t"],
      help: 'Will trigger creation of one virtual "tap" interface per Partition and attach it to primary interface. Requires primary interface to be a bridge. Needed to host virtual machines (default: False)',
    },
    "dry-run": { type: "boolean", alias: ["-n"], help: "Simulate the execution steps (default: False)" },
  },
  config: "none",
  async run(ctx) {
    const { runRegister } = await import("./register.ts");
    return runRegister(ctx);
  },
};
