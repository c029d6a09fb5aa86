/**
 * Commands that core itself provides (besides help and complete, which need
 * the registry): each area of core lists its commands here. Command modules
 * must stay light to import — heavy code is loaded inside `run()` with a
 * dynamic import, so that `slapos --help` stays fast.
 */
import type { CommandDef } from "./command.ts";
import { pluginListCommand } from "./commands/plugin-list.ts";
import { clientCommands } from "../client/commands.ts";
import { proxyCommands } from "./commands/proxy.ts";
import { bangCommand } from "../node/bang.ts";
import { bootCommand } from "../node/boot.ts";
import { registerCommand } from "../node/register/command.ts";
import { nodeCommands } from "../node/commands.ts";
import { nodeRunCommand } from "../node/run/command.ts";
import { configureClientCommand } from "../client/configure-client.ts";
import { pruneCommand } from "../node/prune.ts";
import { consoleCommand } from "../client/console.ts";

/** Node commands that are not slapgrid runs: register, boot, bang, the node loop. */
export const nodeExtraCommands: CommandDef[] = [registerCommand, bootCommand, bangCommand, nodeRunCommand];

export const coreCommands: CommandDef[] = [
  pluginListCommand,
  ...clientCommands,
  ...proxyCommands,
  ...nodeCommands,
  ...nodeExtraCommands,
  configureClientCommand,
  pruneCommand,
  consoleCommand,
];
