/**
 * What a recipe holds as `options`: one section of the running buildout
 * (recipe-api.ts Options), reading substituted values, setting computed
 * ones, and recording paths created during install (options.created) and
 * options kept out of .installed.cfg (volatile).
 */
import { BuildoutError } from "../lang/errors.ts";
import { valueText, type Section, type StoredValue } from "../lang/section.ts";
import { runSync } from "../lang/steps.ts";
import type { OptionValue, Options } from "../recipe-api.ts";

const TRUE = new Set(["true", "on", "yes", "1"]);
const FALSE = new Set(["false", "off", "no", "0"]);

export class OptionsView implements Options {
  /** Options recipes marked volatile (not saved, not compared). */
  readonly volatileKeys = new Set<string>();
  /** Paths registered with created() during the current install/update, or undefined outside one. */
  createdPaths: string[] | undefined;

  constructor(readonly section: Section) {}

  get name(): string {
    return this.section.name;
  }

  /** The stored value (text substituted, or a structured value). */
  value(key: string): OptionValue | undefined {
    const value = runSync(this.section.get(key), `reading [${this.name}] ${key}`);
    return value === undefined ? undefined : (value as OptionValue);
  }

  get(key: string): string | undefined {
    const value = this.value(key);
    return value === undefined ? undefined : valueText(value as StoredValue);
  }

  require(key: string): string {
    const value = this.get(key);
    if (value === undefined) throw new BuildoutError("MissingOption", `Missing option: ${this.name}:${key}`);
    return value;
  }

  set(key: string, value: string): void {
    if (typeof value !== "string") throw new TypeError(`[${this.name}] ${key}: option values must be strings (use setValue)`);
    this.section.set(key, value);
  }

  setValue(key: string, value: OptionValue): void {
    this.section.set(key, value as StoredValue);
  }

  has(key: string): boolean {
    return this.section.raw.has(key) || this.section.cooked.has(key) || this.section.data.has(key);
  }

  keys(): string[] {
    return this.section.keys();
  }

  delete(key: string): void {
    if (!this.section.delete(key)) throw new BuildoutError("MissingOption", `Missing option: ${this.name}:${key}`);
  }

  bool(key: string, fallback?: boolean): boolean {
    const value = this.get(key);
    if (value === undefined) {
      if (fallback === undefined) throw new BuildoutError("MissingOption", `Missing option: ${this.name}:${key}`);
      return fallback;
    }
    const lower = value.trim().toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
    throw new BuildoutError("InvalidBooleanOption", `Invalid value for '${key}' option of [${this.name}]: '${value}'`);
  }

  provide(resolve: (key: string) => OptionValue | undefined): void {
    this.section.provider = resolve as (key: string) => StoredValue | undefined;
  }

  volatile(...keys: string[]): void {
    for (const key of keys) this.volatileKeys.add(key);
  }

  created(...paths: string[]): void {
    if (!this.createdPaths) throw new TypeError(`[${this.name}]: created() called while not installing`);
    this.createdPaths.push(...paths);
  }
}
