/**
 * The appliance plugin: `slapos configure local`, a node with its own
 * master on this machine in one command (see README.md). The node loop it
 * starts, `slapos node run`, is core's (core/node/run/).
 */
import { definePlugin } from "../../core/hooks/plugin.ts";
import { VERSION } from "../../core/version.ts";
import { configureLocalCommand } from "./command.ts";

export default definePlugin({
  name: "appliance",
  version: VERSION,
  apiVersion: "^1.0.0",
  commands: [configureLocalCommand],
  apply() {
    // Nothing to tap: configure local is a command of its own.
  },
});
