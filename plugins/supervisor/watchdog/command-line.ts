/**
 * The `[eventlistener:watchdog] command=` line the node writes into
 * supervisord.conf: slapgrid's _getWatchdogLine with our binary instead of
 * /opt/slapos/bin/slapos-watchdog (its two spaces after the master URL
 * kept; the certificate option only when set).
 */
import { slaposCommand } from "../daemon/launch.ts";

export interface WatchdogLineOptions {
  masterUrl: string;
  computerId: string;
  instanceRoot: string;
  certificateRepositoryPath?: string;
  /** argv prefix that runs slapos (defaults to this executable). */
  command?: string[];
}

export function watchdogCommandLine(options: WatchdogLineOptions): string {
  const parts = [...(options.command ?? slaposCommand()), "node", "watchdog"];
  parts.push(`--master-url '${options.masterUrl}' `);
  if (options.certificateRepositoryPath) parts.push(`--certificate-repository-path '${options.certificateRepositoryPath}'`);
  parts.push(`--computer-id '${options.computerId}'`);
  parts.push(`--instance-root '${options.instanceRoot}'`);
  return parts.join(" ");
}
