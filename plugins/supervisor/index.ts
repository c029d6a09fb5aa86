/**
 * The process supervisor: a native supervisord in the slapos binary.
 * Commands: `node supervisord`, `node supervisorctl` (and `node
 * status|start|stop|restart|tail`), `node watchdog`. The node runtime uses
 * ./api.ts. See README.md.
 */
import { definePlugin } from "../../core/hooks/plugin.ts";
import { VERSION } from "../../core/version.ts";
import { supervisorctlCommands, supervisordCommand, watchdogCommand } from "./commands.ts";

export default definePlugin({
  name: "supervisor",
  version: VERSION,
  apiVersion: "^1.0.0",
  commands: [supervisordCommand, ...supervisorctlCommands, watchdogCommand],
  apply() {
    // Nothing to tap: the daemon calls supervisor.program and process.exited itself.
  },
});
