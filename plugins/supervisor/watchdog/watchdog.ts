/**
 * `slapos node watchdog`: the supervisord event listener that bangs the
 * master when a watched service dies (node-runtime.md §3.11).
 *
 * Each event goes first to the `watchdog.event` hook (a tap that returns
 * true has handled it); otherwise the reference rule applies and the bang
 * goes through the `watchdog.bang` hook. When no plugin taps
 * `watchdog.bang`, the watchdog posts /softwareInstanceBang itself.
 * A bang that fails is logged on stderr and the event acknowledged, so a
 * master that is down cannot make the event loop forever.
 */
import type { Hooks } from "../../../core/hooks/catalogue.ts";
import { alreadyBanged, recordBang, sendBang, WATCHDOG_MARK, WATCHED_EVENTS, type MasterBang } from "./bang.ts";
import { EventReader, parseTokens, ready, result, type ListenerEvent } from "./protocol.ts";
import { tapped } from "../tapped.ts";

export interface WatchdogOptions extends MasterBang {
  instanceRoot?: string;
  hooks?: Hooks;
  input?: ReadableStream<Uint8Array>;
  write?(text: string): void;
  error?(text: string): void;
}

/** Handle one event; returns whether it was processed (false asks supervisord to send it again). */
export async function handleEvent(event: ListenerEvent, options: WatchdogOptions): Promise<boolean> {
  const eventName = event.headers.eventname ?? "";
  if (tapped(options.hooks?.watchdog.event)) {
    const handled = await options.hooks!.watchdog.event.promise({ eventName, headers: event.headers, payload: event.payload });
    if (handled) return true;
  }
  if (!WATCHED_EVENTS.includes(eventName)) return true;
  const fields = parseTokens(event.payload);
  const processName = fields.processname ?? "";
  const partitionId = fields.groupname ?? "";
  if (!processName.includes(WATCHDOG_MARK) || !partitionId) return true;
  if (alreadyBanged(options.instanceRoot, partitionId)) return true;
  const message = `${processName} process in partition ${partitionId} encountered a problem`;
  try {
    if (tapped(options.hooks?.watchdog.bang)) await options.hooks!.watchdog.bang.promise({ partitionId, message });
    else await sendBang(options, partitionId, message);
    recordBang(options.instanceRoot, partitionId);
  } catch (error) {
    options.error?.(`watchdog: bang of ${partitionId} failed: ${(error as Error).message}\n`);
  }
  return true;
}

/** The listener loop, until stdin ends. */
export async function runWatchdog(options: WatchdogOptions): Promise<void> {
  const write = options.write ?? ((text: string) => void process.stdout.write(text));
  const reader = new EventReader(options.input ?? Bun.stdin.stream());
  for (;;) {
    write(ready());
    const event = await reader.next();
    if (!event) return;
    let ok: boolean;
    try {
      ok = await handleEvent(event, options);
    } catch (error) {
      options.error?.(`watchdog: ${(error as Error).message}\n`);
      ok = true;
    }
    write(result(ok));
  }
}
