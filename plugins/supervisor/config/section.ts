/**
 * Reading one section's options: expansion, conversion, and errors that
 * name the file, the section and the option. Every refusal of the loader
 * goes through `configError`, so a bad file always gives one line such as
 * `/x/etc/supervisord.conf.d/a.conf: [program:a] startsecs: invalid literal for int() with base 10: 'soon'`.
 */
import { SlapError } from "../../../core/errors.ts";
import { BadValue } from "./datatypes.ts";
import { expand, ExpansionError, type Expansions } from "./expand.ts";
import type { IniDocument, IniSection } from "./ini.ts";

/** The error for a bad option (or section, when option is undefined). */
export function configError(file: string, section: string, option: string | undefined, message: string): SlapError {
  const where = option ? `[${section}] ${option}` : `[${section}]`;
  return new SlapError("config", `${file}: ${where}: ${message}`);
}

export class SectionReader {
  readonly file: string;
  readonly name: string;

  constructor(
    readonly doc: IniDocument,
    readonly section: IniSection,
    /** Names every option of this section may use (here, ENV_x, ...). */
    readonly expansions: Expansions,
  ) {
    this.file = section.file;
    this.name = section.name;
  }

  /** Refuse options this kind of section does not have. */
  checkKnown(known: ReadonlySet<string>, kind: string): void {
    for (const option of this.section.values.keys()) {
      if (!known.has(option)) throw configError(this.file, this.name, option, `unknown option for a ${kind} section`);
    }
  }

  has(option: string): boolean {
    return this.doc.get(this.name, option) !== undefined;
  }

  /** The value, expanded (unless `expandIt` is false), or undefined when absent. */
  text(option: string, more: Expansions = {}, expandIt = true): string | undefined {
    const raw = this.doc.get(this.name, option);
    if (raw === undefined) return undefined;
    if (!expandIt) return raw;
    try {
      return expand(raw, { ...this.expansions, ...more }, `${this.name}.${option}`);
    } catch (error) {
      if (error instanceof ExpansionError) throw configError(this.file, this.name, option, error.message);
      throw error;
    }
  }

  /** Read, expand and convert; `fallback` (already a string, as in supervisord) when absent. */
  get<T>(option: string, fallback: string, convert: (value: string) => T, more: Expansions = {}): T {
    const value = this.text(option, more) ?? fallback;
    return this.convert(option, value, convert);
  }

  /** Same as get, but undefined when absent. */
  optional<T>(option: string, convert: (value: string) => T, more: Expansions = {}): T | undefined {
    const value = this.text(option, more);
    return value === undefined ? undefined : this.convert(option, value, convert);
  }

  convert<T>(option: string, value: string, convert: (value: string) => T): T {
    try {
      return convert(value);
    } catch (error) {
      if (error instanceof BadValue || error instanceof ExpansionError) throw configError(this.file, this.name, option, error.message);
      throw error;
    }
  }

  error(option: string | undefined, message: string): SlapError {
    return configError(this.file, this.name, option, message);
  }
}
