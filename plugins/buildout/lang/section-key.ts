/**
 * Annotated values and the merge of one file onto another, as zc.buildout's
 * SectionKey / _update_section / _update do it: every value remembers where
 * it was set, appended to (`+=`) or removed from (`-=`), which `annotate`
 * prints and which tells the options a file set from the defaults.
 */
import { cmp, rstripChars } from "./pystr.ts";

export type Operation = "SET" | "OVERRIDE" | "ADD" | "REMOVE" | "DIRECTORY";

export interface HistoryItem {
  readonly operation: Operation;
  readonly value: string;
  /** A file name or URL, or DEFAULT_VALUE, COMPUTED_VALUE, COMMAND_LINE_VALUE, IMPLICIT_VALUE. */
  readonly source: string;
}

/** Sources that are not a file. */
export const SPECIAL_SOURCES = new Set(["DEFAULT_VALUE", "COMPUTED_VALUE", "COMMAND_LINE_VALUE", "IMPLICIT_VALUE", ""]);

export class SectionKey {
  value: string;
  /** Where it was first set (the history's SET), kept apart so most values need no history array. */
  private readonly first: string;
  private readonly firstValue: string;
  /** Later operations, when there are any. */
  private later?: HistoryItem[];

  constructor(value: string, source: string) {
    this.value = value;
    this.first = source;
    this.firstValue = value;
  }

  /** Every operation, oldest first. */
  get history(): HistoryItem[] {
    const set: HistoryItem = { operation: "SET", value: this.firstValue, source: this.first };
    return this.later ? [set, ...this.later] : [set];
  }

  get source(): string {
    return this.later ? this.later[this.later.length - 1].source : this.first;
  }

  private get lastOperation(): Operation {
    return this.later ? this.later[this.later.length - 1].operation : "SET";
  }

  private push(item: HistoryItem): void {
    (this.later ??= []).push(item);
  }

  clone(): SectionKey {
    const copy = new SectionKey(this.firstValue, this.first);
    copy.value = this.value;
    if (this.later) copy.later = this.later.slice();
    return copy;
  }

  overrideValue(other: SectionKey): void {
    this.value = other.value;
    const last = other.lastOperation;
    if (last !== "ADD" && last !== "REMOVE") this.push({ operation: "OVERRIDE", value: other.value, source: other.source });
  }

  setDirectory(value: string): void {
    this.value = value;
    this.push({ operation: "DIRECTORY", value, source: this.source });
  }

  addToValue(added: string, source: string): void {
    this.value = this.value + "\n" + added;
    this.push({ operation: "ADD", value: added, source });
  }

  removeFromValue(removed: string, source: string): void {
    const drop = new Set(removed.split("\n"));
    this.value = this.value
      .split("\n")
      .filter((line) => !drop.has(line))
      .join("\n");
    this.push({ operation: "REMOVE", value: removed, source });
  }

  /** True when some file (not a default, computed or command-line value) set or changed it. */
  setByFile(): boolean {
    return !SPECIAL_SOURCES.has(this.first) || (this.later?.some((item) => !SPECIAL_SOURCES.has(item.source)) ?? false);
  }
}

export type AnnotatedSection = Map<string, SectionKey>;
export type AnnotatedConfig = Map<string, AnnotatedSection>;

/** Wrap a parsed section's values, all coming from `source`. */
export function annotateSection(section: Map<string, string>, source: string): AnnotatedSection {
  const out: AnnotatedSection = new Map();
  for (const [key, value] of section) out.set(key, new SectionKey(value, source));
  return out;
}

export function cloneSection(section: AnnotatedSection): AnnotatedSection {
  const out: AnnotatedSection = new Map();
  for (const [key, value] of section) out.set(key, value.clone());
  return out;
}

export function unannotateSection(section: AnnotatedSection): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of section) out.set(key, value.value);
  return out;
}

/** `x +` / `x -` sort key: (name without trailing " +", last character). */
function operatorOrder(a: string, b: string): number {
  return cmp(rstripChars(a, " +"), rstripChars(b, " +")) || cmp(a[a.length - 1], b[b.length - 1]);
}

/**
 * Merge s2 onto s1 (s1 is changed and returned; s2 is not): `+=`/`-=` keys of
 * s2 apply, in option-name order, to s2's own plain value if it has one,
 * else to s1's; then every plain key of s2 overrides s1's.
 */
export function updateSection(s1: AnnotatedSection, s2: AnnotatedSection, copyFirst = true): AnnotatedSection {
  const copy = copyFirst ? cloneSection(s2) : s2;
  let operators: string[] | undefined;
  for (const key of copy.keys()) {
    const last = key[key.length - 1];
    if (last === "+" || last === "-") (operators ??= []).push(key);
  }
  if (operators) {
    // Array.prototype.sort is stable, as Python's sorted() is.
    operators.sort(operatorOrder);
    for (const k of operators) {
      const v = copy.get(k)!;
      const adding = k.endsWith("+");
      const key = rstripChars(k, adding ? " +" : " -");
      const target = copy.get(key) ?? s1.get(key) ?? new SectionKey("", "IMPLICIT_VALUE");
      if (adding) target.addToValue(v.value, v.source);
      else target.removeFromValue(v.value, v.source);
      copy.set(key, target);
      copy.delete(k);
    }
  }
  for (const [key, v2] of copy) {
    const v1 = s1.get(key);
    if (v1) v1.overrideValue(v2);
    else s1.set(key, v2);
  }
  return s1;
}

/**
 * Merge every section of d2 onto d1 (a section only in d2 is taken as is,
 * orphan operators included). d2 is used up: its values move into d1.
 */
export function update(d1: AnnotatedConfig, d2: AnnotatedConfig): AnnotatedConfig {
  for (const [name, section] of d2) {
    const base = d1.get(name);
    if (base) updateSection(base, section, false);
    else d1.set(name, section);
  }
  return d1;
}
