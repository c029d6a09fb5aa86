/**
 * `slapos node run` (ours): the node loop that replaces the cron lines.
 * Light to import; the loop is loaded in run(). See README.md here.
 */
import type { CommandDef, OptionDef } from "../../cli/command.ts";

const seconds = (help: string): OptionDef => ({ type: "string", metavar: "SECONDS", help });

export const nodeRunCommand: CommandDef = {
  name: "node run",
  group: "node",
  summary: "run the node: software and instance every minute, report hourly, format daily, collect every minute",
  description:
    "One long-lived loop instead of the cron lines. Each run is a child `slapos node <kind> --now` that takes its\n" +
    "pidfile; a run still going when the next is due is skipped. The master's computer document is looked at every\n" +
    "few seconds and a change (request, supply, destruction) starts the runs it calls for at once; a master that does\n" +
    "not answer is looked at with back-off. Options may also be set in a [node-run] section of slapos.cfg\n" +
    "(software_interval = 60, ...). SIGTERM stops the loop and its runs (not the partitions' services), SIGHUP\n" +
    "reads slapos.cfg again, SIGUSR1 runs software and instance now.",
  config: "node",
  options: {
    "software-interval": seconds("seconds between software runs (default 60; 0: never)"),
    "instance-interval": seconds("seconds between instance runs (default 60; 0: never)"),
    "report-interval": seconds("seconds between report runs (default 3600; 0: never)"),
    "format-interval": seconds("seconds between format runs (default 86400; 0: never)"),
    "collect-interval": seconds("seconds between collect runs (default 60; 0: never)"),
    "poll-interval": seconds("seconds between two looks at the master (default 5 for a master on loopback, else 30)"),
    "max-backoff": seconds("longest wait between two looks at a master that does not answer (default 300)"),
    jitter: seconds("largest random delay added to each run (default: a tenth of its interval, at most 30)"),
    "log-dir": { type: "string", metavar: "DIR", help: "each run logs into DIR/slapos-node-<kind>.log (default: the loop's console)" },
    pidfile: { type: "string", help: "the loop's pidfile (default: slapos-node-run.pid beside pidfile_instance)" },
    replace: { type: "boolean", help: "stop the loop holding the pidfile and take its place (default: exit 10)" },
  },
  async run(ctx) {
    const { runNodeLoop } = await import("./main.ts");
    return runNodeLoop(ctx);
  },
};
