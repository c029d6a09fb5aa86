/**
 * `buildout annotate [sections]` and `buildout query section:option`, with
 * zc.buildout's output: every option's raw value and where it was set,
 * appended to or removed from (or, verbose, its whole history).
 */
import { BuildoutError } from "../lang/errors.ts";
import { normpath } from "../lang/pypath.ts";
import { sorted } from "../lang/pystr.ts";
import type { HistoryItem, SectionKey } from "../lang/section-key.ts";
import type { EngineRun } from "./engine.ts";

/** Python's str.splitlines(). */
function splitlines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** posixpath.relpath for absolute paths. */
function relpath(path: string, start: string): string {
  const a = normpath(start).split("/").filter(Boolean);
  const b = normpath(path).split("/").filter(Boolean);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const parts = [...Array(a.length - i).fill(".."), ...b.slice(i)];
  return parts.length ? parts.join("/") : ".";
}

function human(source: string, basedir: string): string {
  return source.startsWith(basedir) ? relpath(source, basedir) : source;
}

function keyAndValue(out: string[], key: string, value: string): void {
  const lines = splitlines(value);
  if (lines.length <= 1) out.push(value ? `${key}= ${value}` : `${key}=`);
  else {
    out.push(`${key}= ${lines[0]}`);
    out.push(...lines.slice(1));
  }
}

function short(item: HistoryItem, basedir: string): string {
  const source = human(item.source, basedir);
  if (item.operation === "ADD") return `+=  ${source}`;
  if (item.operation === "REMOVE") return `-=  ${source}`;
  return `    ${source}`;
}

function describe(out: string[], key: string, sectionKey: SectionKey, basedir: string, verbose: boolean): void {
  keyAndValue(out, key, sectionKey.value);
  if (verbose) {
    out.push("");
    for (const item of [...sectionKey.history].reverse()) {
      const special = ["DEFAULT_VALUE", "COMPUTED_VALUE", "COMMAND_LINE_VALUE"].includes(item.source);
      out.push(`   ${special ? "AS" : "IN"} ${human(item.source, basedir)}`);
      const lines = splitlines(item.value);
      if (lines.length <= 1) out.push(`   ${item.operation} VALUE = ${item.value}`);
      else {
        out.push(`   ${item.operation} VALUE =`);
        for (const line of lines) out.push(`      ${line}`);
      }
    }
    out.push("");
    return;
  }
  const lines: string[] = [];
  const history = sectionKey.history;
  for (let i = history.length - 1; i >= 0; i--) {
    const item = history[i];
    lines.push(short(item, basedir));
    if (item.operation !== "ADD" && item.operation !== "REMOVE") break;
  }
  for (const line of lines.reverse()) if (line.trim()) out.push(line);
}

/** The text `buildout annotate` prints. */
export function annotate(run: EngineRun, chosen: string[], verbose: boolean): string {
  const out = ["", "Annotated sections", "=================="];
  const data = run.buildout.annotated;
  for (const name of sorted(data.keys())) {
    if (chosen.length && !chosen.includes(name)) continue;
    out.push("", `[${name}]`);
    const section = data.get(name)!;
    for (const key of sorted(section.keys())) describe(out, key, section.get(key)!, run.buildout.directory, verbose);
  }
  return out.join("\n") + "\n";
}

/** The text `buildout query section:option` prints (the raw value). */
export function query(run: EngineRun, args: string[], verbose: boolean): string {
  if (args.length !== 1) throw new BuildoutError("UserError", "The query command requires a single argument.");
  const pieces = args[0].split(":");
  if (pieces.length > 2) throw new BuildoutError("UserError", `Invalid option: ${args[0]}`);
  const [section, option] = pieces.length === 1 ? ["buildout", pieces[0]] : pieces;
  const raw = run.buildout.raw.get(section);
  if (!raw) throw new BuildoutError("MissingSection", `Section not found: ${section}`);
  const value = raw.get(option);
  if (value === undefined) throw new BuildoutError("MissingOption", `Key not found: ${option}`);
  return (verbose ? `\${${section}:${option}}\n` : "") + value + "\n";
}
