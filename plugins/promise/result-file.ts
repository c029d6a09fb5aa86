/**
 * `.slapgrid/promise/result/<title>.status.json`: one file per promise, the
 * last result, written the reference's way (Python json.dumps layout, to a
 * `.tmp` file then renamed, so a reader never sees half a file).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PromiseResult, PromiseResultType } from "../../core/hooks/groups/promise.ts";
import { log } from "../../core/log/logger.ts";
import { messageOf } from "../../core/errors.ts";
import { PyFloat, pyJsonDumps } from "./py-json.ts";

/** Messages past this length keep their end only, as BaseResult does (a huge message froze the reference's pipe). */
export const MESSAGE_LIMIT = 5000;

export function truncateMessage(message: string): string {
  return message.length > MESSAGE_LIMIT ? `...${message.slice(-MESSAGE_LIMIT)}` : message;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** `%Y-%m-%dT%H:%M:%S+0000` in UTC, the date format of results. */
export function resultDate(date = new Date()): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}+0000`
  );
}

export function resultPath(resultFolder: string, title: string): string {
  return join(resultFolder, `${title}.status.json`);
}

/** The file's text, byte for byte what PromiseQueueResult.serialize() and json.dump write. */
export function serializeResult(result: PromiseResult): string {
  return pyJsonDumps({
    title: result.title,
    name: result.name,
    path: result.path,
    "execution-time": new PyFloat(result.executionTime),
    result: {
      type: result.type,
      failed: result.failed,
      date: result.date,
      message: result.message,
    },
  });
}

export function writeResult(resultFolder: string, result: PromiseResult): string {
  const path = resultPath(resultFolder, result.title);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, serializeResult(result));
  renameSync(tmp, path);
  return path;
}

const TYPES: PromiseResultType[] = ["Test Result", "Anomaly Result"];

/** The stored result of a promise, or undefined when there is none or it cannot be read. */
export function readResult(resultFolder: string, title: string): PromiseResult | undefined {
  const path = resultPath(resultFolder, title);
  if (!existsSync(path)) return undefined;
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    const item = data.result as Record<string, unknown> | undefined;
    if (!item || !TYPES.includes(item.type as PromiseResultType)) {
      throw new Error(`Unknown result type: ${JSON.stringify(item?.type)}`);
    }
    return {
      title: String(data.title),
      name: String(data.name),
      path: String(data.path),
      executionTime: Number(data["execution-time"] ?? 0),
      type: item.type as PromiseResultType,
      failed: item.failed === true,
      date: String(item.date),
      message: item.message === null || item.message === undefined ? "" : String(item.message),
      origin: "cached",
    };
  } catch (error) {
    log.warning(`Bad promise JSON result at '${path}': ${messageOf(error)}`);
    return undefined;
  }
}
