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

/** Where Python's UTF-8 decoder fails: the offset of the byte starting the first invalid sequence. */
function firstInvalidByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (!length) return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      // The second byte's range is narrower after E0, ED, F0 and F4 (no overlongs, surrogates, or > U+10FFFF).
      const low = k === 1 && b === 0xe0 ? 0xa0 : k === 1 && b === 0xf0 ? 0x90 : 0x80;
      const high = k === 1 && b === 0xed ? 0x9f : k === 1 && b === 0xf4 ? 0x8f : 0xbf;
      if (c === undefined || c < low || c > high) return i;
    }
    i += length;
  }
  return bytes.length - 1;
}

/** Text of a file as Python's open() gives it: UTF-8, universal newlines (\r\n and \r become \n). */
export function decodeText(bytes: Uint8Array, where: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    // Python's open() raises UnicodeDecodeError naming the first bad byte.
    const at = firstInvalidByte(bytes);
    throw new BuildoutError("UnicodeDecodeError", `'utf-8' codec can't decode byte 0x${bytes[at]!.toString(16).padStart(2, "0")} in position ${at} (${where})`, error);
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
