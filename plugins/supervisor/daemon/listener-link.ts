/**
 * Wiring of an event listener process to its pool: what the listener's
 * protocol state changes and answers mean for the event it holds
 * (supervisord's PEventListenerDispatcher.handle_result).
 */
import type { MainLog } from "./main-log.ts";
import { ListenerProtocol } from "./listener-protocol.ts";
import type { ListenerPoolLink, Subprocess } from "./process.ts";
import { ListenerStates, listenerStateName } from "./states.ts";

export function listenerFor(process: Subprocess, pool: ListenerPoolLink, log: MainLog): ListenerProtocol {
  const giveBack = () => {
    const event = process.event;
    process.event = undefined;
    if (event) pool.rejected(process, event);
  };
  return new ListenerProtocol({
    changed: (from, to) => {
      log.debug(`${process.name}: ${listenerStateName(from)} -> ${listenerStateName(to)}`);
      if (to === ListenerStates.UNKNOWN) {
        log.warn(
          `${process.name}: has entered the UNKNOWN state and will no longer receive events, this usually indicates the process violated the eventlistener protocol`,
        );
      }
    },
    result: (ok) => {
      if (ok) {
        log.debug(`${process.name}: event was processed`);
        process.event = undefined;
      } else {
        log.warn(`${process.name}: event was rejected`);
        giveBack();
      }
      pool.ready(process);
    },
    rejected: (reason) => {
      log.warn(`${process.name}: ${reason}`);
      giveBack();
    },
  });
}
