/**
 * Helpers over the engine's Options: non-text values (with a fallback for
 * engines that only store text), GenericBaseRecipe's booleans, and the
 * small parsing rules recipes share.
 */
import type { OptionValue, Options } from "../../recipe-api.ts";
import { UserError } from "./errors.ts";

/** The option as stored: a non-text value when the engine keeps one, else the substituted text. */
export function optionValue(options: Options, key: string): OptionValue | undefined {
  if (options.value) return options.value(key);
  return options.get(key);
}

/** Store a value; engines without non-text values get its JSON text. */
export function setOptionValue(options: Options, key: string, value: OptionValue): void {
  if (typeof value === "string") options.set(key, value);
  else if (options.setValue) options.setValue(key, value);
  else options.set(key, JSON.stringify(value));
}

/** Every option of a section, as stored. */
export function sectionValues(options: Options): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const key of options.keys()) {
    const value = optionValue(options, key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Remove an option when the engine can; otherwise blank it. */
export function deleteOption(options: Options, key: string): void {
  if (options.delete) options.delete(key);
  else if (options.has(key)) options.set(key, "");
}

const TRUE_VALUES = new Set(["y", "yes", "1", "true"]);

/** GenericBaseRecipe.isTrueValue: `y yes 1 true`, any case; everything else is false. */
export function isTrueValue(value: unknown): boolean {
  return TRUE_VALUES.has(String(value).toLowerCase());
}

/** GenericBaseRecipe.optionIsTrue: fallback when the option is absent. */
export function optionIsTrue(options: Options, key: string, fallback = false): boolean {
  const value = options.get(key);
  return value === undefined ? fallback : isTrueValue(value);
}

/** An octal mode option (`0644`, `755`), or the fallback when absent or empty. */
export function octalMode(options: Options, key: string, fallback: number | undefined): number | undefined {
  const text = options.get(key)?.trim();
  if (!text) return fallback;
  const digits = text.replace(/^0o/i, "");
  if (!/^[0-7]+$/.test(digits)) throw new UserError(`option ${key} is not an octal mode: ${JSON.stringify(text)}`);
  return Number.parseInt(digits, 8);
}

/** Whitespace-separated words of an option. */
export function optionWords(options: Options, key: string): string[] {
  return (options.get(key) ?? "").split(/\s+/).filter(Boolean);
}
