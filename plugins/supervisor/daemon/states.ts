/** supervisord's state codes (supervisor/states.py), used on the wire. */

export const ProcessStates = Object.freeze({
  STOPPED: 0,
  STARTING: 10,
  RUNNING: 20,
  BACKOFF: 30,
  STOPPING: 40,
  EXITED: 100,
  FATAL: 200,
  UNKNOWN: 1000,
});

export const STOPPED_STATES: readonly number[] = [
  ProcessStates.STOPPED,
  ProcessStates.EXITED,
  ProcessStates.FATAL,
  ProcessStates.UNKNOWN,
];
export const RUNNING_STATES: readonly number[] = [ProcessStates.RUNNING, ProcessStates.BACKOFF, ProcessStates.STARTING];
export const SIGNALLABLE_STATES: readonly number[] = [ProcessStates.RUNNING, ProcessStates.STARTING, ProcessStates.STOPPING];

export function processStateName(code: number): string {
  for (const [name, value] of Object.entries(ProcessStates)) if (value === code) return name;
  return "UNKNOWN";
}

export const SupervisorStates = Object.freeze({ FATAL: 2, RUNNING: 1, RESTARTING: 0, SHUTDOWN: -1 });

export function supervisorStateName(code: number): string {
  for (const [name, value] of Object.entries(SupervisorStates)) if (value === code) return name;
  return "UNKNOWN";
}

export const ListenerStates = Object.freeze({ READY: 10, BUSY: 20, ACKNOWLEDGED: 30, UNKNOWN: 40 });

export function listenerStateName(code: number): string {
  for (const [name, value] of Object.entries(ListenerStates)) if (value === code) return name;
  return "UNKNOWN";
}
