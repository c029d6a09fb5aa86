/**
 * Promise declarations: `etc/plugin/<title>.promise.json`, a JSON object
 * whose `kind` names the check (`port-listening`, `url`, or one a plugin
 * adds) and whose other keys configure it. Keys every kind shares:
 *
 * - `frequency` (or `periodicity`): minutes between checks, default 2, > 0;
 * - `test` / `anomaly`: false disables that mode (not both);
 * - `result-count` / `failure-amount`: the anomaly check fails when that many
 *   of the latest runs failed (defaults chosen by the kind);
 * - `bang-on-failure`: false stops a failing anomaly check from banging.
 */
import { readFileSync } from "node:fs";
import type { PromiseMeta, PromiseSpec } from "../../../core/hooks/groups/promise.ts";
import { messageOf } from "../../../core/errors.ts";

export const DECLARATION_SUFFIX = ".promise.json";

/** Kinds given by where a file is, never by a declaration. */
const RESERVED_KINDS = ["python", "legacy", "invalid"];

function isFalse(value: unknown): boolean {
  if (value === false || value === 0) return true;
  return typeof value === "string" && ["false", "no", "off", "0"].includes(value.trim().toLowerCase());
}

/** Whether a failing anomaly check of this declaration may bang. */
export function bangAllowed(config: Record<string, unknown>): boolean {
  const value = config["bang-on-failure"];
  return value === undefined || value === null || value === "" || !isFalse(value);
}

/** A number option of a declaration, or the default; strings of digits are accepted (recipes write text). */
export function numberOption(config: Record<string, unknown>, key: string, fallback: number): number {
  const value = config[key];
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw new Error(`"${key}" must be a number, not ${JSON.stringify(value)}`);
  return n;
}

function metaOf(path: string, config: Record<string, unknown>): PromiseMeta {
  const periodicity = numberOption(config, "frequency", numberOption(config, "periodicity", 2));
  if (periodicity <= 0) throw new Error("Cannot set promise periodicity to a value less than 1");
  return {
    periodicity,
    isTested: !isFalse(config.test ?? true),
    isAnomalyDetected: !isFalse(config.anomaly ?? true),
    moduleFile: path,
  };
}

/** The spec of a declaration file; a file that cannot be read gives a spec that fails with the reason. */
export function readDeclaration(path: string, name: string): PromiseSpec {
  const title = name.slice(0, -DECLARATION_SUFFIX.length);
  const spec: PromiseSpec = { name, title, path, kind: "invalid", config: {} };
  try {
    const config = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (typeof config !== "object" || config === null || Array.isArray(config)) throw new Error("not a JSON object");
    const object = config as Record<string, unknown>;
    if (typeof object.kind !== "string" || !object.kind) throw new Error('no "kind"');
    if (RESERVED_KINDS.includes(object.kind)) throw new Error(`kind "${object.kind}" is not one a declaration can have`);
    spec.kind = object.kind;
    spec.config = object;
    spec.meta = metaOf(path, object);
  } catch (error) {
    spec.invalid = `Error: bad promise declaration ${path}: ${messageOf(error)}`;
  }
  return spec;
}
