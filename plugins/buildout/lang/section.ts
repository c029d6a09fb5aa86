/**
 * One section being evaluated (zc.buildout's Options): raw text, "cooked"
 * values (substituted once at initialisation), and read values (substituted
 * again on read when the cooked text still holds `${`), with the macro
 * expansion (`<=`), the substitution syntax, circular-reference detection
 * and `_buildout_section_name_` exactly as 2.13 does them. Values keep
 * their `$$` escapes; the fork turns `$$` into `$` only in final text
 * (`finalText`: resolve's output, template rendering).
 */
import { BuildoutError } from "./errors.ts";
import type { Buildout } from "./buildout.ts";
import { splitWords, sorted, strip } from "./pystr.ts";
import { SectionKey, unannotateSection, updateSection, type AnnotatedSection } from "./section-key.ts";
import type { Step } from "./steps.ts";

/** A stored option value: text, or (fork) a structured value a recipe set. */
export type StoredValue = string | number | boolean | null | StoredValue[] | { [key: string]: StoredValue };

const TEMPLATE_SPLIT = /(\$\{[^}]*\})/;
const VALID = /^\$\{[-a-zA-Z0-9 ._]*:[-a-zA-Z0-9 ._]+\}$/;
const SIMPLE = /^[-a-zA-Z0-9 ._]+\n?$/;

/** The fork's final form of a value: `$$` escapes become `$` (upstream keeps them). */
export function finalText(text: string, fork: boolean): string {
  return fork && text.includes("$$") ? text.split("$$").join("$") : text;
}

/** How a structured value reads as text (in `${}` and in .installed.cfg). */
export function valueText(value: StoredValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export class Section {
  raw: Map<string, string>;
  readonly cooked = new Map<string, string>();
  readonly data = new Map<string, StoredValue>();
  /** Other sections this one's values referenced (kept only when the buildout tracks them). */
  readonly references?: Set<string>;
  /**
   * Computes options on demand (a recipe's Options.provide): asked when a
   * read finds no option of that name; a defined result is stored.
   */
  provider?: (option: string) => StoredValue | undefined;

  constructor(
    readonly buildout: Buildout,
    readonly name: string,
    raw: Map<string, string>,
  ) {
    this.raw = raw;
    if (buildout.trackReferences) this.references = new Set();
  }

  /** Macro expansion, substitution of every `${` option, dependencies, recipe (Options._initialize). */
  *initialize(): Step<void> {
    if (this.raw.has("<")) this.raw = this.extendRaw(this.name, this.raw, []);
    for (const key of sorted(this.raw.keys())) {
      const value = this.raw.get(key)!;
      if (value.includes("${")) yield* this.dosub(key, value);
    }
    if (this.name === "buildout") return;
    const dependencies = this.peek("<part-dependencies>") ?? (yield* this.get("<part-dependencies>"));
    if (dependencies) for (const dependency of splitWords(valueText(dependencies))) yield* this.buildout.section(dependency);
    if (this.peek("recipe") ?? (yield* this.get("recipe"))) {
      yield* this.buildout.initializeRecipe(this);
      this.buildout.parts.push(this.name);
    }
  }

  /** `<= a\n b`: start from the sources' raw options (recursively), then this section's on top. */
  extendRaw(name: string, data: Map<string, string>, doing: string[]): Map<string, string> {
    if (name === "buildout") return data;
    if (doing.includes(name)) throw new BuildoutError("MacroLoop", `Infinite extending loop '${name}' (${[...doing, name].join(" <= ")})`);
    doing.push(name);
    try {
      const sources = data.get("<");
      if (sources === undefined) return data;
      const result: AnnotatedSection = new Map();
      for (const line of sources.split("\n")) {
        const source = strip(line);
        if (!source) continue;
        const raw = this.buildout.raw.get(source);
        if (!raw) throw new BuildoutError("MacroMissingSection", `No section named '${source}' (macro source of [${name}])`);
        for (const [key, value] of this.extendRaw(source, raw, doing)) result.set(key, new SectionKey(value, ""));
      }
      const own: AnnotatedSection = new Map();
      for (const [key, value] of data) own.set(key, new SectionKey(value, ""));
      const merged = unannotateSection(updateSection(result, own));
      merged.delete("<");
      return merged;
    } finally {
      doing.pop();
    }
  }

  private *dosub(option: string, value: string): Step<void> {
    const seen = [[this.name, option]];
    this.cooked.set(option, yield* this.subAll(value, seen));
  }

  /** Split on `$$`, substitute each piece, join back with `$$`. */
  private *subAll(value: string, seen: string[][]): Step<string> {
    if (!value.includes("$$")) return yield* this.sub(value, seen);
    const pieces = value.split("$$");
    for (let i = 0; i < pieces.length; i++) pieces[i] = yield* this.sub(pieces[i], seen);
    return pieces.join("$$");
  }

  /** The value without substitution work, or undefined when it needs some (fast path for get). */
  peek(option: string): StoredValue | undefined {
    const data = this.data.get(option);
    if (data !== undefined) return data;
    const v = this.cooked.get(option) ?? this.raw.get(option);
    if (v !== undefined && !v.includes("${")) {
      this.data.set(option, v);
      return v;
    }
    return undefined;
  }

  /**
   * Options.get: the read value (substituted), cached. `seen` is the stack of
   * (section, option) being read, for circular references. Values keep their
   * `$$` escapes (upstream and fork alike); see `finalText` for the fork's.
   */
  *get(option: string, seen?: string[][]): Step<StoredValue | undefined> {
    let value: StoredValue | undefined = this.data.get(option);
    if (value === undefined) {
      let text = this.cooked.get(option) ?? this.raw.get(option);
      if (text === undefined) return this.provide(option);
      if (text.includes("${")) {
        if (!seen) seen = [[this.name, option]];
        else if (seen.some(([s, o]) => s === this.name && o === option)) {
          const chain = [...seen, [this.name, option]].map(([s, o]) => `${s}:${o}`).join(" -> ");
          throw new BuildoutError("CircularReference", `Circular reference in substitutions: ${chain}`);
        } else seen.push([this.name, option]);
        text = yield* this.subAll(text, seen);
        seen.pop();
      }
      this.data.set(option, text);
      value = text;
    }
    return value;
  }

  /** An option the provider computes, stored so later reads (and .installed.cfg) see it. */
  private provide(option: string): StoredValue | undefined {
    const value = this.provider?.(option);
    if (value !== undefined) this.data.set(option, value);
    return value;
  }

  /** Substitute the `${section:option}` references of one piece of text (Options._sub). */
  private *sub(template: string, seen: string[][]): Step<string> {
    if (!template.includes("${")) return template;
    const parts = template.split(TEMPLATE_SPLIT);
    if (parts.length === 1) return template;
    for (let i = 1; i < parts.length; i += 2) {
      const ref = parts[i];
      const names = ref.slice(2, -1).split(":");
      if (!VALID.test(ref)) this.checkReference(ref, names);
      const sectionName = names[0] || this.name;
      const option = names[1];
      const section = this.buildout.sections.get(sectionName) ?? (yield* this.buildout.section(sectionName, ref, this.name));
      if (this.references && section !== this) this.references.add(section.name);
      let value = section.peek(option);
      if (value === undefined) value = yield* section.get(option, seen);
      if (value === undefined) {
        if (option === "_buildout_section_name_") value = this.name;
        else {
          throw new BuildoutError(
            "MissingOption",
            `Referenced option does not exist: ${sectionName} ${option} (${ref} in section [${this.name}])`,
          );
        }
      }
      parts[i] = valueText(value);
    }
    return parts.join("");
  }

  private checkReference(ref: string, names: string[]): void {
    const where = `in section [${this.name}]`;
    if (names.length < 2) throw new BuildoutError("SubstitutionSyntax", `The substitution, ${ref},\ndoesn't contain a colon (${where}).`);
    if (names.length > 2) throw new BuildoutError("SubstitutionSyntax", `The substitution, ${ref},\nhas too many colons (${where}).`);
    if (!SIMPLE.test(names[0])) {
      throw new BuildoutError("SubstitutionSyntax", `The section name in substitution, ${ref},\nhas invalid characters (${where}).`);
    }
    if (!SIMPLE.test(names[1])) {
      throw new BuildoutError("SubstitutionSyntax", `The option name in substitution, ${ref},\nhas invalid characters (${where}).`);
    }
  }

  /**
   * Substitute a text in the context of this section (templates): split on
   * `$$`, substitute each piece, join with `$$` upstream or `$` in the fork.
   */
  *render(text: string): Step<string> {
    const pieces = text.split("$$");
    for (let i = 0; i < pieces.length; i++) pieces[i] = yield* this.sub(pieces[i], []);
    return pieces.join(this.buildout.fork ? "$" : "$$");
  }

  /** Options.keys(): raw keys, then keys only set by recipes. */
  keys(): string[] {
    const out = [...this.raw.keys()];
    for (const key of this.data.keys()) if (!this.raw.has(key)) out.push(key);
    return out;
  }

  /** Options.copy(): every option, as stored (raw < cooked < read/set). */
  copy(): Map<string, StoredValue> {
    const out = new Map<string, StoredValue>(this.raw);
    for (const [key, value] of this.cooked) out.set(key, value);
    for (const [key, value] of this.data) out.set(key, value);
    return out;
  }

  set(option: string, value: StoredValue): void {
    this.data.set(option, value);
  }

  /** Options.__delitem__ (false when the option does not exist). */
  delete(option: string): boolean {
    if (this.raw.has(option)) {
      this.raw.delete(option);
      this.data.delete(option);
      this.cooked.delete(option);
      return true;
    }
    return this.data.delete(option);
  }
}
