/**
 * The supervisor as the node runtime uses it (node-runtime.md §1.4, §3.5,
 * §3.6): the instance tree's supervisord.conf, a partition's program files,
 * the update algorithm, starting and stopping a partition, and making sure
 * the daemon runs. See README.md, "Node-facing API".
 */
export {
  createPrivateDirectory,
  createSupervisordConfiguration,
  groupFileText,
  programBlock,
  supervisordConfText,
  supervisorPaths,
  updateFile,
  type ProgramIdentity,
  type SupervisorPaths,
} from "./api/files.ts";
export {
  partitionFiles,
  partitionPrograms,
  removePartitionFiles,
  removePartitionMainFile,
  WATCHDOG_MARK,
  writePartitionPrograms,
  type WriteProgramsOptions,
  type WriteProgramsResult,
} from "./api/partition.ts";
export {
  launchSupervisord,
  processInStates,
  removePartition,
  startPartition,
  stopPartition,
  supervisorClient,
  supervisorState,
  updateSupervisor,
  type ControlLog,
  type LaunchSupervisordOptions,
  type PartitionOptions,
} from "./api/control.ts";
export { watchdogCommandLine } from "./watchdog/command-line.ts";
export { RpcClient, RpcConnectionError } from "./rpc/client.ts";
export { RpcFault } from "./rpc/codec.ts";
export { Faults } from "./rpc/faults.ts";
