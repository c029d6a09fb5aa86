/**
 * `slapos configure local` (format-collect-cli.md §4): the reference's
 * options, and ours — a base folder for a node without root (`--base`), the
 * demo, stop and status. Light to import: the work is loaded in run().
 */
import type { CommandDef } from "../../core/cli/command.ts";

export const configureLocalCommand: CommandDef = {
  name: "configure local",
  group: "other",
  summary: "configure and start a node with its own master on this machine",
  description:
    "From nothing to a running node in one command: writes slapos.cfg and the client configuration, formats the\n" +
    "partitions, starts the master, the supervisor and the node loop (slapos node run), waits until they answer.\n" +
    "As a normal user (and as root with --base DIR) everything lives in one folder (default ~/.local/share/slapos),\n" +
    "nothing is added to the machine (no user, no address). As root without --base: the reference's places\n" +
    "(/etc/opt/slapos, /opt/slapos, /opt/slapgrid, /srv/slapgrid), partitions with their own users and addresses,\n" +
    "and systemd units when systemd runs. Running it again is safe: it keeps partitions and data and says what it\n" +
    "changed. --demo also deploys the demo software release and prints its URL once it answers.",
  options: {
    base: { type: "string", metavar: "DIR", help: "keep the whole node in DIR (default as a normal user: ~/.local/share/slapos)" },
    "interface-name": { type: "string", help: "root mode: interface the partitions' addresses go on (default: lo)" },
    "partition-number": { type: "string", metavar: "N", help: "number of partitions (default: 20 as root, 10 in a base folder)" },
    "ipv4-local-network": { type: "string", help: "root mode: network of the partitions' local IPv4 (default: 10.0.0.0/16)" },
    "daemon-listen-ip": { type: "string", help: "address of the master (default: 127.0.0.1)" },
    "daemon-listen-port": { type: "string", help: "port of the master (default: 8080)" },
    "slapos-instance-root": { type: "string", help: "root mode: instance root (default: /srv/slapgrid)" },
    "slapos-software-root": { type: "string", help: "root mode: software root (default: /opt/slapgrid)" },
    "slapos-buildout-directory": { type: "string", help: "root mode: master database, logs (default: /opt/slapos)" },
    "slapos-configuration-directory": { type: "string", help: "root mode: configuration folder (default: /etc/opt/slapos)" },
    "enable-shacache-proxy": { type: "boolean", help: "the master also serves a binary cache (/shacache) the node downloads from" },
    demo: { type: "boolean", help: "also supply and request the demo software release, and wait until its URL answers" },
    timeout: { type: "string", metavar: "SECONDS", help: "how long --demo waits for the URL at most (default: 600)" },
    stop: { type: "boolean", help: "stop what configure local started (partitions and data are kept)" },
    status: { type: "boolean", help: "show what runs (exit 3 when something is not running)" },
  },
  async run(ctx) {
    const { runConfigureLocal } = await import("./main.ts");
    return runConfigureLocal(ctx);
  },
};
