/**
 * supervisord's events (supervisor/events.py): typed by name, with the
 * abstract parents a listener may subscribe to (PROCESS_STATE receives every
 * PROCESS_STATE_*, EVENT receives everything), payloads rendered when the
 * event happens, and one serial counter shared by every pool.
 */

export interface SupervisorEvent {
  /** Concrete type name, e.g. PROCESS_STATE_EXITED. */
  type: string;
  payload: string;
  /** Global serial, given when the first pool accepts the event. */
  serial?: number;
  /** Serial of the event in each pool that accepted it. */
  poolSerials?: Map<string, number>;
}

const PARENTS: Array<[string, string]> = [
  ["PROCESS_STATE_", "PROCESS_STATE"],
  ["PROCESS_COMMUNICATION_", "PROCESS_COMMUNICATION"],
  ["PROCESS_LOG_", "PROCESS_LOG"],
  ["SUPERVISOR_STATE_CHANGE_", "SUPERVISOR_STATE_CHANGE"],
  ["TICK_", "TICK"],
  ["PROCESS_GROUP_", "PROCESS_GROUP"],
];

/** Whether an event of `type` is an instance of `subscribed` (itself, an abstract parent, or EVENT). */
export function isA(type: string, subscribed: string): boolean {
  if (subscribed === "EVENT" || subscribed === type) return true;
  return PARENTS.some(([prefix, parent]) => parent === subscribed && type.startsWith(prefix));
}

type Callback = (event: SupervisorEvent) => void;

/** The process-wide subscription list (supervisor.events.subscribe/notify). */
export class EventBus {
  private readonly subscribers: Array<{ type: string; callback: Callback }> = [];
  private serial = -1;

  subscribe(type: string, callback: Callback): void {
    this.subscribers.push({ type, callback });
  }

  unsubscribe(callback: Callback): void {
    for (let i = this.subscribers.length - 1; i >= 0; i--) {
      if (this.subscribers[i].callback === callback) this.subscribers.splice(i, 1);
    }
  }

  /** Is anyone listening to this type? Lets callers skip rendering payloads nobody reads. */
  wants(type: string): boolean {
    return this.subscribers.some((s) => isA(type, s.type));
  }

  notify(event: SupervisorEvent): void {
    for (const { type, callback } of [...this.subscribers]) if (isA(event.type, type)) callback(event);
  }

  nextSerial(): number {
    this.serial = this.serial >= Number.MAX_SAFE_INTEGER ? 0 : this.serial + 1;
    return this.serial;
  }

  clear(): void {
    this.subscribers.length = 0;
  }
}

/** `processname:x groupname:g from_state:STARTING` plus the state's extras, as ProcessStateEvent.payload. */
export function processStatePayload(
  name: string,
  group: string,
  fromState: string,
  extras: Array<[string, string | number]>,
): string {
  const fields: Array<[string, string | number]> = [["processname", name], ["groupname", group], ["from_state", fromState], ...extras];
  return fields.map(([k, v]) => `${k}:${v}`).join(" ");
}
