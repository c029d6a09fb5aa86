/**
 * The buildout file syntax, as zc.buildout 2.13's configparser reads it:
 * column-0 comments, continuation lines (inline vs block values), section
 * headers with an optional `:expression`, `name = value` with `+`/`-`
 * operator names, `=>` part dependencies, and the dedent of block values.
 */
import { BuildoutError } from "./errors.ts";
import { WS, dedent, dropLeadingBlankLines, isSpace, pyRepr, rstrip, strip } from "./pystr.ts";

export type RawSection = Map<string, string>;
export type RawConfig = Map<string, RawSection>;

/** Evaluates a section condition; throws BuildoutError("ConditionalExpressionError") when it cannot. */
export type ConditionEvaluator = (expression: string, where: string) => boolean;

const SECTION_HEADER = new RegExp(
  `^\\[[${WS}]*([^${WS}#[\\]:;{}]+)[${WS}]*(?::([^#;]*))?[${WS}]*\\][${WS}]*(?:[#;][^\\n]*)?$`,
);
const OPTION_START = new RegExp(`^([^${WS}{}[\\]=:]+[${WS}]*[-+]?)=([^\\n]*)$`);
const PARTS = "<part-dependencies> = ";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Text of a file as Python's open() gives it: UTF-8, universal newlines (\r\n and \r become \n). */
export function decodeText(bytes: Uint8Array, where: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    throw new BuildoutError("ParsingError", `${where}: not valid UTF-8`, error);
  }
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

/**
 * Parse one file's text into sections. `file` names it in errors.
 * Conditional headers call `condition`; without one, any conditional header is refused.
 */
export function parse(text: string, file: string, condition?: ConditionEvaluator): RawConfig {
  const sections: RawConfig = new Map();
  let sectionCondition = true;
  let cursect: RawSection | undefined;
  let blockmode = false;
  let optname: string | undefined;
  let errors: string[] | undefined;
  const lines = text.split("\n");
  const count = lines[lines.length - 1] === "" ? lines.length - 1 : lines.length;

  for (let i = 0; i < count; i++) {
    let line = lines[i];
    const lineno = i + 1;
    // The "\n" Python keeps at the end of every line but the last.
    const first = line.length ? line[0] : "\n";
    if (first === "#" || first === ";") continue;

    if (cursect && optname !== undefined && isSpace(first)) {
      if (!sectionCondition) continue;
      if (blockmode) line = rstrip(line);
      else {
        line = strip(line);
        if (!line) continue;
      }
      cursect.set(optname, cursect.get(optname) + "\n" + line);
      continue;
    }

    const header = first === "[" ? SECTION_HEADER.exec(line) : null;
    if (header) {
      sectionCondition = true;
      const name = header[1];
      const expression = header[2];
      if (expression) {
        const expr = expression.replaceAll("\\x23", "#").replaceAll("\\x3b", ";");
        const where = `${file}, line ${lineno}, section [${name}]`;
        if (!condition) throw new BuildoutError("ConditionalExpressionError", `${where}: conditions are not allowed here`);
        sectionCondition = condition(expr, where);
        if (!sectionCondition) continue;
      }
      cursect = sections.get(name);
      if (!cursect) sections.set(name, (cursect = new Map()));
      optname = undefined;
      continue;
    }
    if (!cursect) {
      if (!strip(line)) continue;
      throw new BuildoutError(
        "MissingSectionHeader",
        `File contains no section headers.\nfile: ${file}, line: ${lineno}\n${pyRepr(i < lines.length - 1 ? line + "\n" : line)}`,
      );
    }
    if (line.startsWith("=>")) line = PARTS + line.slice(2);
    const option = OPTION_START.exec(line);
    if (option) {
      if (!sectionCondition) continue;
      optname = rstrip(option[1]);
      const value = strip(option[2]);
      cursect.set(optname, value);
      blockmode = !value;
    } else if (optname === undefined && !strip(line)) {
      continue;
    } else {
      errors ??= [];
      errors.push(`\t[line ${String(lineno).padStart(2)}]: ${pyRepr(i < lines.length - 1 ? line + "\n" : line)}`);
    }
  }
  if (errors) throw new BuildoutError("ParsingError", `File contains parsing errors: ${file}\n${errors.join("\n")}`);

  for (const section of sections.values()) {
    for (const [name, value] of section) {
      if (value.length && isSpace(value[0])) section.set(name, dropLeadingBlankLines(dedent(rstrip(value))));
    }
  }
  return sections;
}
