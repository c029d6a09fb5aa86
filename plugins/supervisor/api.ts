/**
 * The supervisor as the node runtime uses it (node-runtime.md §1.4, §3.6):
 * the update algorithm and making sure the daemon runs. The files it
 * reads (supervisord.conf, a partition's `<group>.conf`) are written by
 * core: core/node/supervisor-files.ts and core/node/instance/programs.ts.
 * See README.md, "Node-facing API".
 */
export {
  launchSupervisord,
  supervisorClient,
  supervisorState,
  updateSupervisor,
  type ControlLog,
  type LaunchSupervisordOptions,
} from "./api/control.ts";
export { RpcClient, RpcConnectionError } from "./rpc/client.ts";
export { RpcFault } from "./rpc/codec.ts";
export { Faults } from "./rpc/faults.ts";
