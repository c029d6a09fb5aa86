/**
 * `.installed.cfg`, in zc.buildout's format so either engine can take over
 * from the other: [buildout] (installed_develop_eggs, parts in installation
 * order), then one section per installed part with its options sorted,
 * `__buildout_installed__` (the paths it created) and `__buildout_signature__`.
 * Values are escaped so they round-trip (`%(__buildout_space__)s` and
 * friends). We rewrite the whole file atomically (temp file + rename) and
 * only when it changes, so an interrupted run leaves it describing exactly
 * the parts that finished.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { decodeText, parse } from "../lang/parser.ts";
import { sorted } from "../lang/pystr.ts";

export type PartOptions = Map<string, string>;

export interface InstalledState {
  /** Installed parts, in installation order. */
  parts: string[];
  /** `installed_develop_eggs` (always empty for the native engine). */
  developEggs: string;
  /** Saved options of each installed part, `__buildout_installed__` and `__buildout_signature__` included. */
  options: Map<string, PartOptions>;
}

const SPACEY = /[ \t\r\f\v]*\n[ \t\r\f\v\n]*|^[ \t\r\f\v]+|[ \t\r\f\v]+$/g;
const UNESCAPES: Array<[string, string]> = [
  ["%(__buildout_space__)s", " "],
  ["%(__buildout_space_n__)s", "\n"],
  ["%(__buildout_space_r__)s", "\r"],
  ["%(__buildout_space_f__)s", "\f"],
  ["%(__buildout_space_v__)s", "\v"],
];

function quote(piece: string): string {
  return piece
    .replaceAll(" ", "%(__buildout_space__)s")
    .replaceAll("\r", "%(__buildout_space_r__)s")
    .replaceAll("\f", "%(__buildout_space_f__)s")
    .replaceAll("\v", "%(__buildout_space_v__)s")
    .replaceAll("\n", "%(__buildout_space_n__)s");
}

/** One `name = value` line (plus continuation lines), as zc.buildout's _save_option writes it. */
export function formatOption(name: string, value: string): string {
  let text = value.replace(SPACEY, (match) => {
    const at = match.indexOf("\n");
    const pieces = at < 0 ? [match] : [match.slice(0, at), match.slice(at + 1)];
    return pieces.map(quote).join("\n\t");
  });
  if (text.startsWith("\n\t")) text = "%(__buildout_space_n__)s" + text.slice(2);
  if (text.endsWith("\n\t")) text = text.slice(0, -2) + "%(__buildout_space_n__)s";
  return `${name} = ${text}\n`;
}

function formatSection(name: string, options: PartOptions): string {
  let out = `[${name}]\n`;
  for (const key of sorted(options.keys())) out += formatOption(key, options.get(key)!);
  return out;
}

/** The whole file's text. */
export function formatInstalled(state: InstalledState): string {
  const buildout = new Map([
    ["installed_develop_eggs", state.developEggs],
    ["parts", state.parts.join(" ")],
  ]);
  let out = formatSection("buildout", buildout);
  for (const part of state.parts) out += "\n" + formatSection(part, state.options.get(part) ?? new Map());
  return out;
}

/** Read the file; an absent file is an empty state. */
export function readInstalled(path: string): { state: InstalledState; exists: boolean } {
  if (!path || !existsSync(path)) return { state: { parts: [], developEggs: "", options: new Map() }, exists: false };
  const sections = parse(decodeText(readFileSync(path), path), path);
  const options = new Map<string, PartOptions>();
  for (const [name, section] of sections) {
    const values: PartOptions = new Map();
    for (const [key, raw] of section) {
      let value = raw;
      if (value.includes("%(")) for (const [token, ch] of UNESCAPES) value = value.replaceAll(token, ch);
      values.set(key, value);
    }
    options.set(name, values);
  }
  const buildout = options.get("buildout") ?? new Map();
  options.delete("buildout");
  const parts = (buildout.get("parts") ?? "").split(/\s+/).filter(Boolean);
  return { state: { parts, developEggs: buildout.get("installed_develop_eggs") ?? "", options }, exists: true };
}

/** Keeps the file in step with the state, writing only when the text changes. */
export class InstalledFile {
  private written: string | undefined;

  constructor(
    readonly path: string,
    exists: boolean,
    state: InstalledState,
  ) {
    this.written = exists ? formatInstalled(state) : undefined;
  }

  save(state: InstalledState): void {
    if (!this.path) return;
    if (!state.parts.length) {
      if (this.written !== undefined) rmSync(this.path, { force: true });
      this.written = undefined;
      return;
    }
    const text = formatInstalled(state);
    if (text === this.written) return;
    const temp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(temp, text);
    renameSync(temp, this.path);
    this.written = text;
  }
}
