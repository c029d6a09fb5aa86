/**
 * supervisord's fault codes (supervisor/xmlrpc.py `Faults`), the error a
 * method throws to answer with one, and the single table that maps our
 * SlapError codes to faults.
 */
import { SlapError } from "../../../core/errors.ts";

export const Faults = Object.freeze({
  UNKNOWN_METHOD: 1,
  INCORRECT_PARAMETERS: 2,
  BAD_ARGUMENTS: 3,
  SIGNATURE_UNSUPPORTED: 4,
  SHUTDOWN_STATE: 6,
  BAD_NAME: 10,
  BAD_SIGNAL: 11,
  NO_FILE: 20,
  NOT_EXECUTABLE: 21,
  FAILED: 30,
  ABNORMAL_TERMINATION: 40,
  SPAWN_ERROR: 50,
  ALREADY_STARTED: 60,
  NOT_RUNNING: 70,
  SUCCESS: 80,
  ALREADY_ADDED: 90,
  STILL_RUNNING: 91,
  CANT_REREAD: 92,
});

export function faultName(code: number): string {
  for (const [name, value] of Object.entries(Faults)) if (value === code) return name;
  return "UNKNOWN";
}

/** Thrown by an RPC method: becomes `<fault>` with code and "NAME: extra" text, as supervisord's RPCError. */
export class RpcError extends Error {
  readonly code: number;
  readonly text: string;

  constructor(code: number, extra?: string) {
    const text = extra === undefined ? faultName(code) : `${faultName(code)}: ${extra}`;
    super(text);
    this.code = code;
    this.text = text;
  }
}

/** SlapError code → fault, for errors our own modules throw inside a method. */
const FAULT_OF_CODE: Record<string, number> = {
  config: Faults.CANT_REREAD,
  usage: Faults.INCORRECT_PARAMETERS,
  "bad-request": Faults.INCORRECT_PARAMETERS,
  "not-found": Faults.BAD_NAME,
};

/** Any error thrown by a method → [code, text]. */
export function toFault(error: unknown): [number, string] {
  if (error instanceof RpcError) return [error.code, error.text];
  if (error instanceof SlapError) {
    const code = FAULT_OF_CODE[error.code] ?? Faults.FAILED;
    return [code, `${faultName(code)}: ${error.message}`];
  }
  const message = error instanceof Error ? `${error.name}:${error.message}` : String(error);
  return [Faults.FAILED, `FAILED: ${message}`];
}
