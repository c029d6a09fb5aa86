/**
 * The event listener side of the protocol, read from the listener's stdout
 * (supervisord's PEventListenerDispatcher): `READY\n` moves it from
 * ACKNOWLEDGED to READY; after an event was sent (BUSY) it answers
 * `RESULT <len>\n<len bytes>`; `OK` acknowledges, anything else rejects
 * the event (it is buffered again). Bytes that break the protocol put the
 * listener in UNKNOWN, where it gets no more events.
 */
import { ListenerStates } from "./states.ts";

const READY = Buffer.from("READY\n");
const RESULT = "RESULT ";

export interface ListenerCallbacks {
  /** The state changed (for the debug log); READY means it can take an event. */
  changed(from: number, to: number): void;
  /** The listener answered the current event: true when it processed it. */
  result(ok: boolean, result: Buffer): void;
  /** The listener broke the protocol while it held an event. */
  rejected(reason: string): void;
}

export class ListenerProtocol {
  state: number = ListenerStates.ACKNOWLEDGED;
  private buffer: Buffer = Buffer.alloc(0);
  private resultLength: number | null = null;
  private result: Buffer = Buffer.alloc(0);

  constructor(private readonly callbacks: ListenerCallbacks) {}

  /** The daemon sent an event: READY → BUSY. */
  sent(): void {
    this.set(ListenerStates.BUSY);
  }

  feed(data: Uint8Array): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : Buffer.from(data);
    this.handle();
  }

  private set(state: number): void {
    const from = this.state;
    this.state = state;
    this.callbacks.changed(from, state);
  }

  private handle(): void {
    while (this.buffer.length) {
      const state = this.state;
      if (state === ListenerStates.UNKNOWN) {
        this.buffer = Buffer.alloc(0);
        return;
      }
      if (state === ListenerStates.ACKNOWLEDGED) {
        if (this.buffer.length < READY.length) return;
        if (this.buffer.subarray(0, READY.length).equals(READY)) {
          this.buffer = this.buffer.subarray(READY.length);
          this.set(ListenerStates.READY);
          continue;
        }
        this.buffer = Buffer.alloc(0);
        this.set(ListenerStates.UNKNOWN);
        return;
      }
      if (state === ListenerStates.READY) {
        // spurious output while waiting for an event: be strict about it
        this.buffer = Buffer.alloc(0);
        this.set(ListenerStates.UNKNOWN);
        return;
      }
      // BUSY
      if (this.resultLength === null) {
        const newline = this.buffer.indexOf(0x0a);
        if (newline < 0) return;
        const line = this.buffer.subarray(0, newline).toString("utf8");
        this.buffer = this.buffer.subarray(newline + 1);
        const length = line.startsWith(RESULT) && /^\d+$/.test(line.slice(RESULT.length)) ? Number(line.slice(RESULT.length)) : NaN;
        if (Number.isNaN(length)) {
          this.buffer = Buffer.alloc(0);
          this.set(ListenerStates.UNKNOWN);
          this.callbacks.rejected(`bad result line: '${line}'`);
          return;
        }
        this.resultLength = length;
        this.result = Buffer.alloc(0);
      }
      const needed = this.resultLength - this.result.length;
      if (needed > 0) {
        const take = this.buffer.subarray(0, needed);
        this.result = Buffer.concat([this.result, take]);
        this.buffer = this.buffer.subarray(take.length);
      }
      if (this.result.length < this.resultLength) return;
      const result = this.result;
      this.resultLength = null;
      this.result = Buffer.alloc(0);
      this.set(ListenerStates.ACKNOWLEDGED);
      this.callbacks.result(result.toString("latin1") === "OK", result);
    }
  }
}
