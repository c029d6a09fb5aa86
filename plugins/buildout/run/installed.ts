/**
 * `.installed.cfg`, in zc.buildout's format so either engine can take over
 * from the other: [buildout] (installed_develop_eggs, parts in installation
 * order), then one section per installed part with its options sorted,
 * `__buildout_installed__` (the paths it created) and `__buildout_signature__`.
 * Values are escaped so they round-trip (`%(__buildout_space__)s` and
 * friends). During a run each step is appended (see InstalledFile), so an
 * interrupted run leaves the file describing exactly the parts that
 * finished; the file is rewritten compact once at the end.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

function buildoutOptions(state: InstalledState): PartOptions {
  return new Map([
    ["installed_develop_eggs", state.developEggs],
    ["parts", state.parts.join(" ")],
  ]);
}

/** The whole file's text. */
export function formatInstalled(state: InstalledState): string {
  let out = formatSection("buildout", buildoutOptions(state));
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

/**
 * Keeps the file in step with the state at a cost linear in the run: each
 * step appends what changed (the part's section, then a `[buildout]` block
 * with the new parts list — a later block wins when the file is read, by
 * zc.buildout as by us), and `compact` rewrites the file once, compact and
 * atomically, when anything was appended. A section is appended only when
 * the merged reading stays exact (no option of the file's copy disappears);
 * otherwise the file is rewritten at once. Each append is one write(2), so a
 * run killed at any point leaves a file that describes the finished steps.
 */
export class InstalledFile {
  /** Options of each section the file holds (as a reader merges them), listed or not. */
  private readonly onDisk: Map<string, PartOptions>;
  /**
   * Section texts by options map (the engine replaces a part's map when its
   * options change and never mutates one it has saved).
   */
  private readonly texts = new WeakMap<PartOptions, string>();
  /** The file's `parts` value; undefined while there is no file. */
  private diskParts: string | undefined;
  /** The parts array last recorded (the engine replaces state.parts when the list changes). */
  private diskList: string[] | undefined;
  /** Something was appended since the last rewrite. */
  private appended = false;

  constructor(
    readonly path: string,
    exists: boolean,
    state: InstalledState,
  ) {
    this.onDisk = new Map(state.options);
    this.diskParts = exists ? state.parts.join(" ") : undefined;
  }

  private textOf(part: string, options: PartOptions): string {
    let text = this.texts.get(options);
    if (text === undefined) this.texts.set(options, (text = formatSection(part, options)));
    return text;
  }

  /** Record the state; `changed` names the parts whose saved options may differ from the file's. */
  save(state: InstalledState, changed: Iterable<string> = []): void {
    if (!this.path) return;
    if (!state.parts.length) {
      if (this.diskParts !== undefined) rmSync(this.path, { force: true });
      this.diskParts = undefined;
      this.diskList = undefined;
      this.onDisk.clear();
      this.appended = false;
      return;
    }
    if (this.diskParts === undefined) return this.rewrite(state);
    let text = "";
    const appended: Array<[string, PartOptions]> = [];
    for (const part of changed) {
      const options = state.options.get(part);
      if (!options) continue;
      const next = this.textOf(part, options);
      const old = this.onDisk.get(part);
      if (old) {
        if (this.textOf(part, old) === next) continue;
        // A reader merges a reopened section: appending is exact only when no option disappears.
        for (const key of old.keys()) if (!options.has(key)) return this.rewrite(state);
      }
      text += "\n" + next;
      appended.push([part, options]);
    }
    if (!text && state.parts === this.diskList) return;
    const parts = state.parts.join(" ");
    if (!text && parts === this.diskParts) {
      this.diskList = state.parts;
      return;
    }
    text += "\n" + formatSection("buildout", buildoutOptions(state));
    appendFileSync(this.path, text);
    for (const [part, options] of appended) this.onDisk.set(part, options);
    this.diskParts = parts;
    this.diskList = state.parts;
    this.appended = true;
  }

  /** Rewrite the file compact when steps were appended (end of the run, end of the uninstall pass). */
  compact(state: InstalledState): void {
    if (this.appended && this.diskParts !== undefined && state.parts.length) this.rewrite(state);
  }

  /** Write the whole file (temp file + rename), dropping the sections no part lists. */
  private rewrite(state: InstalledState): void {
    this.onDisk.clear();
    let out = formatSection("buildout", buildoutOptions(state));
    for (const part of state.parts) {
      const options = state.options.get(part) ?? new Map<string, string>();
      out += "\n" + this.textOf(part, options);
      this.onDisk.set(part, options);
    }
    const temp = `${this.path}.tmp-${process.pid}`;
    writeFileSync(temp, out);
    renameSync(temp, this.path);
    this.diskParts = state.parts.join(" ");
    this.diskList = state.parts;
    this.appended = false;
  }
}
