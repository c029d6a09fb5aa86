/**
 * A loaded slapos.cfg: sections of options, read with interpolation, and
 * written back in ConfigParser's own format (continuation lines start with a
 * TAB), so that files we rewrite look like the reference's.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { SlapError } from "../errors.ts";
import { interpolate } from "./interpolate.ts";
import { parseConfig, type RawSections } from "./parser.ts";

export class SlapConfig {
  /** Absolute path of the file this came from, if any. */
  readonly path?: string;
  private readonly data: RawSections;
  private readonly defaults: Map<string, string>;

  constructor(data: RawSections = new Map(), defaults = new Map<string, string>(), path?: string) {
    this.data = data;
    this.defaults = defaults;
    this.path = path;
  }

  static parse(text: string, path?: string): SlapConfig {
    const { sections, defaults } = parseConfig(text, path ?? "<string>");
    return new SlapConfig(sections, defaults, path);
  }

  /** Read a file; a missing or unreadable one is a one-line `config` error naming it. */
  static load(path: string): SlapConfig {
    const absolute = resolve(path);
    if (!existsSync(absolute)) throw new SlapError("config", `Configuration file does not exist: ${absolute}`);
    let text: string;
    try {
      text = readFileSync(absolute, "utf8");
    } catch (cause) {
      throw new SlapError("config", `Cannot read configuration file: ${absolute}`, { cause });
    }
    return SlapConfig.parse(text, absolute);
  }

  sections(): string[] {
    return [...this.data.keys()];
  }

  has(section: string, option?: string): boolean {
    const values = this.data.get(section);
    if (!values) return false;
    return option === undefined || values.has(option.toLowerCase()) || this.defaults.has(option.toLowerCase());
  }

  /** The value as written, without interpolation. */
  raw(section: string, option: string): string | undefined {
    const key = option.toLowerCase();
    return this.data.get(section)?.get(key) ?? (this.data.has(section) ? this.defaults.get(key) : undefined);
  }

  /** The interpolated value, or undefined when the section or option is absent. */
  get(section: string, option: string): string | undefined {
    const value = this.raw(section, option);
    if (value === undefined) return undefined;
    const where = `${this.path ?? "<config>"}: [${section}] ${option.toLowerCase()}`;
    return interpolate(value, (name) => this.raw(section, name), where);
  }

  /** Every option of a section, interpolated: `[DEFAULT]`'s first, then the section's in file order (as Python). */
  items(section: string): Record<string, string> {
    const out: Record<string, string> = {};
    const values = this.data.get(section);
    if (!values) return out;
    for (const key of new Set([...this.defaults.keys(), ...values.keys()])) out[key] = this.get(section, key)!;
    return out;
  }

  set(section: string, option: string, value: string): void {
    let values = this.data.get(section);
    if (!values) {
      values = new Map();
      this.data.set(section, values);
    }
    values.set(option.toLowerCase(), value);
  }

  /** ConfigParser.write(): `key = value`, continuation lines TAB-indented, a blank line after each section. */
  toString(): string {
    const blocks: string[] = [];
    const write = (name: string, values: Map<string, string>) => {
      const lines = [`[${name}]`];
      for (const [key, value] of values) lines.push(`${key} = ${value.replaceAll("\n", "\n\t")}`);
      blocks.push(lines.join("\n") + "\n\n");
    };
    if (this.defaults.size) write("DEFAULT", this.defaults);
    for (const [name, values] of this.data) write(name, values);
    return blocks.join("");
  }
}
