/**
 * The slapos.cfg dialect, read exactly as Python's `configparser.ConfigParser`
 * (strict mode, the default that slapos.core uses) reads it:
 *
 * - `[section]` headers; `key = value` or `key: value`; keys are lower-cased;
 * - lines whose first non-blank character is `#` or `;` are comments (no
 *   inline comments);
 * - a line indented deeper than its option line continues the value; blank
 *   lines inside a value are kept, trailing ones dropped;
 * - a repeated section or option is an error; so is text before any section.
 *
 * Values are interpolated on read (`%(name)s`, `%%`), see interpolate.ts.
 */
import { SlapError } from "../errors.ts";

/** Sections in file order; each maps option → raw (uninterpolated) value. */
export type RawSections = Map<string, Map<string, string>>;

export interface ParsedConfig {
  sections: RawSections;
  /** The `[DEFAULT]` section, which every other section inherits. */
  defaults: Map<string, string>;
}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;

function fail(file: string, line: number, problem: string): never {
  throw new SlapError("config", `${file}:${line}: ${problem}`);
}

/** Parse the text of one file. `file` is used in error messages only. */
export function parseConfig(text: string, file = "<string>"): ParsedConfig {
  const sections: RawSections = new Map();
  const defaults = new Map<string, string>();
  const values = new Map<Map<string, string>, Map<string, string[]>>();
  const seen = new Set<string>();

  let current: Map<string, string[]> | undefined;
  let sectionName = "";
  let option: string | undefined;
  let indentLevel = 0;

  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const lineNo = index + 1;
    const line = lines[index].replace(/\r$/, "");
    const stripped = line.trim();
    const isComment = stripped.startsWith("#") || stripped.startsWith(";");
    if (!stripped || isComment) {
      // A blank line inside a value is part of it; a comment line never is.
      if (!isComment && current && option) current.get(option)!.push("");
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (current && option && indent > indentLevel) {
      current.get(option)!.push(stripped);
      continue;
    }
    indentLevel = indent;
    const header = SECTION.exec(stripped);
    if (header) {
      sectionName = header[1];
      if (seen.has(`[${sectionName}`)) fail(file, lineNo, `section '${sectionName}' already exists`);
      seen.add(`[${sectionName}`);
      let target: Map<string, string>;
      if (sectionName === "DEFAULT") target = defaults;
      else {
        target = new Map();
        sections.set(sectionName, target);
      }
      current = new Map();
      values.set(target, current);
      option = undefined;
      continue;
    }
    if (!current) fail(file, lineNo, `file contains no section headers: ${JSON.stringify(line)}`);
    const match = OPTION.exec(stripped);
    if (!match || !match[1].trim()) fail(file, lineNo, `cannot parse line: ${JSON.stringify(line)}`);
    option = match[1].trimEnd().toLowerCase();
    const key = `${sectionName}\0${option}`;
    if (seen.has(key)) fail(file, lineNo, `option '${option}' in section '${sectionName}' already exists`);
    seen.add(key);
    current.set(option, [match[2].trim()]);
  }

  for (const [target, pending] of values) {
    for (const [key, parts] of pending) target.set(key, parts.join("\n").trimEnd());
  }
  return { sections, defaults };
}
