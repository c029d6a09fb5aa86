/**
 * Reading log files for the RPC interface, with supervisord's rules
 * (options.py readFile and tailFile): byte offsets, negative offsets from
 * the end, and the tail's overflow flag.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Faults, RpcError } from "./faults.ts";

const decoder = new TextDecoder();

function readRange(fd: number, position: number, length: number): Uint8Array {
  const buffer = Buffer.alloc(Math.max(0, length));
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buffer, got, length - got, position + got);
    if (n <= 0) break;
    got += n;
  }
  return buffer.subarray(0, got);
}

/** readLog / readProcessStdoutLog: `length` bytes from `offset`; a negative offset counts from the end (length must be 0). */
export function readFile(path: string, offset: number, length: number): string {
  if (offset < 0 && length !== 0) throw new RpcError(Faults.BAD_ARGUMENTS);
  if (offset >= 0 && length < 0) throw new RpcError(Faults.BAD_ARGUMENTS);
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    throw new RpcError(Faults.FAILED);
  }
  try {
    const size = fstatSync(fd).size;
    if (offset < 0) {
      const position = Math.max(0, size + offset);
      return decoder.decode(readRange(fd, position, Math.min(-offset, size - position)));
    }
    const end = length === 0 ? size : Math.min(size, offset + length);
    return decoder.decode(readRange(fd, offset, Math.max(0, end - offset)));
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw new RpcError(Faults.FAILED);
  } finally {
    closeSync(fd);
  }
}

/** tailProcessStdoutLog: [bytes, next offset, overflow]. */
export function tailFile(path: string, offset: number, length: number): [string, number, boolean] {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return ["", offset, false];
  }
  try {
    const size = fstatSync(fd).size;
    let overflow = false;
    if (size > offset + length) {
      overflow = true;
      offset = size - 1;
    }
    if (offset + length > size) {
      if (offset > size - 1) length = 0;
      offset = size - length;
    }
    if (offset < 0) offset = 0;
    if (length < 0) length = 0;
    const data = length === 0 ? new Uint8Array(0) : readRange(fd, offset, length);
    return [decoder.decode(data), size, overflow];
  } catch {
    return ["", offset, false];
  } finally {
    closeSync(fd);
  }
}
