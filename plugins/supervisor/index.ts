/**
 * The process supervisor: a native supervisord in the slapos binary.
 * Commands: `node supervisord`, `node supervisorctl` (and `node
 * status|start|stop|restart|tail`), `node watchdog`. The node runtime
 * reaches it through the hooks tapped here (and ./api.ts). See README.md.
 */
import { definePlugin } from "../../core/hooks/plugin.ts";
import { VERSION } from "../../core/version.ts";
import { controlLog, supervisorctlCommands, supervisordCommand, watchdogCommand } from "./commands.ts";
import type { RpcValue } from "./rpc/codec.ts";

// The control code (RPC client, launcher) is imported when a hook is called: most commands never call one.
const control = () => import("./api/control.ts");
const files = () => import("../../core/node/supervisor-files.ts");

/** Our taps are the defaults: a later stage, so another plugin's tap on a bail hook answers first. */
const DEFAULT = { name: "supervisor", stage: 100 };

export default definePlugin({
  name: "supervisor",
  version: VERSION,
  apiVersion: "^1.0.0",
  commands: [supervisordCommand, ...supervisorctlCommands, watchdogCommand],
  apply(hooks, ctx) {
    const log = controlLog(ctx);
    hooks.supervisor.launch.tapPromise(DEFAULT, async ({ instanceRoot }) => {
      const { launchSupervisord } = await control();
      await launchSupervisord(instanceRoot, { log, slaposConfig: ctx.config.path });
      return true;
    });
    hooks.supervisor.write.tapPromise(DEFAULT, async ({ instanceRoot }) => {
      const [{ updateSupervisor }, { supervisorPaths }] = await Promise.all([control(), files()]);
      await updateSupervisor(supervisorPaths(instanceRoot).socket, log);
    });
    hooks.supervisor.call.tapPromise(DEFAULT, async ({ instanceRoot, method, params }) => {
      const [{ RpcClient }, { supervisorPaths }] = await Promise.all([import("./rpc/client.ts"), files()]);
      return new RpcClient(`unix://${supervisorPaths(instanceRoot).socket}`).call(method, ...(params as RpcValue[]));
    });
  },
});
