/**
 * The file dialect supervisord reads (its `UnhosedConfigParser`, a Python
 * `RawConfigParser` with `strict=False` and inline comments):
 *
 * - `[section]` headers; `key = value` or `key: value`; keys lower-cased;
 * - full-line comments start with `#` or `;`; an inline comment is `;` or `#`
 *   preceded by whitespace (`command=foo ; note` → `foo`);
 * - a line indented deeper than its option line continues the value;
 * - a repeated section merges, a repeated option overrides (not strict);
 * - no interpolation here: supervisord's own `%(name)s` expansion happens
 *   per option, later (expand.ts).
 *
 * Several files (the main one and its `[include]`s) are read into one
 * `IniDocument`, which remembers the file each section came from and the
 * directory `%(here)s` stands for in it.
 */
import { SlapError } from "../../../core/errors.ts";

export interface IniSection {
  name: string;
  /** Option → raw value, in file order. */
  values: Map<string, string>;
  /** File the section was first read from. */
  file: string;
  /** Line of each option, for error messages. */
  lines: Map<string, number>;
}

export class IniDocument {
  readonly sections = new Map<string, IniSection>();
  readonly defaults = new Map<string, string>();

  /** Parse one file's text into the document (merging, as RawConfigParser.read does). */
  read(text: string, file: string): void {
    let current: IniSection | undefined;
    let target: Map<string, string> | undefined;
    let option: string | undefined;
    let indentLevel = 0;
    const pending: Array<{ target: Map<string, string>; key: string; parts: string[] }> = [];
    let parts: string[] | undefined;

    const lines = text.split("\n");
    for (let index = 0; index < lines.length; index++) {
      const lineNo = index + 1;
      const raw = lines[index].replace(/\r$/, "");
      const value = stripInlineComment(raw);
      const stripped = value.trim();
      const fullComment = /^\s*[#;]/.test(raw);
      if (fullComment || !stripped) {
        if (!fullComment && parts && !stripped) parts.push("");
        continue;
      }
      const indent = raw.length - raw.trimStart().length;
      if (target && option && parts && indent > indentLevel) {
        parts.push(stripped);
        continue;
      }
      indentLevel = indent;
      const header = /^\[(.+)\]/.exec(stripped);
      if (header) {
        const name = header[1];
        option = undefined;
        parts = undefined;
        if (name === "DEFAULT") {
          current = undefined;
          target = this.defaults;
          continue;
        }
        current = this.sections.get(name);
        if (!current) {
          current = { name, values: new Map(), file, lines: new Map() };
          this.sections.set(name, current);
        }
        target = current.values;
        continue;
      }
      if (!target) {
        throw new SlapError("config", `${file}:${lineNo}: file contains no section headers: ${JSON.stringify(raw)}`);
      }
      const match = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
      if (!match || !match[1].trim()) {
        throw new SlapError("config", `${file}:${lineNo}: cannot parse line: ${JSON.stringify(raw)}`);
      }
      option = match[1].trimEnd().toLowerCase();
      parts = [match[2].trim()];
      pending.push({ target, key: option, parts });
      current?.lines.set(option, lineNo);
    }
    for (const entry of pending) entry.target.set(entry.key, entry.parts.join("\n").trimEnd());
  }

  has(section: string): boolean {
    return this.sections.has(section);
  }

  /** A raw option value, falling back to `[DEFAULT]`. */
  get(section: string, option: string): string | undefined {
    return this.sections.get(section)?.values.get(option) ?? this.defaults.get(option);
  }

  names(): string[] {
    return [...this.sections.keys()];
  }
}

/** Remove a `;`/`#` comment that follows whitespace (Python's inline_comment_prefixes rule). */
function stripInlineComment(line: string): string {
  for (let i = 1; i < line.length; i++) {
    const c = line[i];
    if ((c === ";" || c === "#") && /\s/.test(line[i - 1])) return line.slice(0, i);
  }
  return line;
}
