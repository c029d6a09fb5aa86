/**
 * `slapos computer list`, `computer info REFERENCE` and `computer token`
 * (format-collect-cli.md §6.4), through the hateoas API. Everything goes to
 * stdout undecorated, the "does not exist" warnings included, as the
 * reference prints them inside its stdout logger.
 */
import { SlapError } from "../errors.ts";
import type { PyValue } from "../slap/marshal/values.ts";
import { pyStr } from "../slap/python-repr.ts";
import type { ClientConnection } from "./connect.ts";
import type { JsonObject } from "./hateoas.ts";
import { printLine } from "./output.ts";
import { dumpsJson } from "../slap/python-json.ts";

/** `computer list --json` and `computer info --json`: one object per computer. */
export interface ComputerEntry {
  reference: string | null;
  title: string | null;
}

function entry(row: JsonObject): Map<string, PyValue> {
  return new Map<string, PyValue>([
    ["reference", row.get("reference") ?? null],
    ["title", row.get("title") ?? null],
  ]);
}

export async function doComputerList(connection: ClientConnection, json: boolean): Promise<number> {
  const navigator = await connection.hateoas();
  // Keyed by title, as the reference's dict is: a repeated title keeps its first place and its last row.
  const byTitle = new Map<string, JsonObject>();
  for (const row of await navigator.computers()) byTitle.set(pyStr(row.get("title") ?? null), row);
  if (json) {
    printLine(dumpsJson([...byTitle.values()].map(entry), { indent: 2 }));
    return 0;
  }
  if (!byTitle.size) {
    printLine("No existing computer.");
    return 0;
  }
  printLine("List of Computers:");
  for (const [title, row] of byTitle) printLine(`${pyStr(row.get("reference") ?? null)} ${title}`);
  return 0;
}

/** Exit 2 with the reference's words when the master does not know it (or is not ready). */
function missing(error: unknown, what: string): number | undefined {
  if (!(error instanceof SlapError)) return undefined;
  if (error.code === "not-ready") {
    printLine("Computer does not exist or is not ready yet.");
    return 2;
  }
  if (error.code === "not-found") {
    printLine(`Computer ${what} does not exist.`);
    return 2;
  }
  return undefined;
}

export async function doComputerInfo(connection: ClientConnection, reference: string, json: boolean): Promise<number> {
  const navigator = await connection.hateoas();
  let data: JsonObject;
  try {
    data = await navigator.computer(reference);
  } catch (error) {
    const code = missing(error, reference);
    if (code === undefined) throw error;
    return code;
  }
  if (json) {
    printLine(dumpsJson(entry(data), { indent: 2 }));
    return 0;
  }
  printLine(`Computer Reference: ${pyStr(data.get("reference") ?? null)}`);
  printLine(`Computer Title    : ${pyStr(data.get("title") ?? null)}`);
  return 0;
}

export async function doComputerToken(connection: ClientConnection): Promise<number> {
  const navigator = await connection.hateoas();
  let token: string;
  try {
    token = await navigator.getToken();
  } catch (error) {
    if (error instanceof SlapError && (error.code === "not-ready" || error.code === "not-found")) {
      printLine("Computer does not exist or is not ready yet.");
      return 2;
    }
    throw error;
  }
  printLine(`Computer token: ${token}`);
  return 0;
}
