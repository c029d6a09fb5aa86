/**
 * Where a command's configuration file is (format-collect-cli.md §7.2):
 * node commands use `--cfg`, else `$SLAPOS_CONFIGURATION`, else
 * `/etc/opt/slapos/slapos.cfg`; client commands use `--cfg`, else
 * `$SLAPOS_CLIENT_CONFIGURATION`, else `~/.slapos/slapos-client.cfg`.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { ConfigKind } from "../cli/command.ts";

export const DEFAULT_NODE_CONFIGURATION = "/etc/opt/slapos/slapos.cfg";

export function expandHome(path: string): string {
  if (path === "~") return process.env.HOME ?? homedir();
  if (path.startsWith("~/")) return join(process.env.HOME ?? homedir(), path.slice(2));
  return path;
}

export function configurationPath(kind: ConfigKind, cfg?: string, env = process.env): string | undefined {
  if (kind === "none") return undefined;
  if (cfg) return resolve(expandHome(cfg));
  if (kind === "node") return resolve(env.SLAPOS_CONFIGURATION || DEFAULT_NODE_CONFIGURATION);
  return resolve(expandHome(env.SLAPOS_CLIENT_CONFIGURATION || "~/.slapos/slapos-client.cfg"));
}
