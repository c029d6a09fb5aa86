/**
 * Profiles for the buildout benchmarks: a 40-file extends tree with 2,000
 * options (references, macros, +=, multi-line values), and a 50-part
 * instance-like profile.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Write the 40-file tree under `dir`; returns the main file. */
export function extendsTree(dir: string, files = 40, optionsTotal = 2000): string {
  const perFile = Math.floor(optionsTotal / files);
  mkdirSync(join(dir, "stack"), { recursive: true });
  for (let f = 0; f < files; f++) {
    const name = f === 0 ? "buildout.cfg" : `stack/f${f}.cfg`;
    const lines: string[] = ["[buildout]"];
    // A tree: file k extends 2k+1 and 2k+2 when they exist.
    const children = [2 * f + 1, 2 * f + 2].filter((c) => c < files).map((c) => (f === 0 ? `stack/f${c}.cfg` : `f${c}.cfg`));
    if (children.length) lines.push(`extends = ${children.join("\n  ")}`);
    if (f === 0) lines.push("parts = app0 app1 app2 app3 app4");
    lines.push(`list += from-f${f}`);
    const sections = 5;
    const remaining = perFile - 1; // `list +=` is one
    for (let s = 0; s < sections; s++) {
      const perSection = Math.floor(remaining / sections) + (s < remaining % sections ? 1 : 0);
      lines.push("", `[s${f}-${s}]`);
      if (s === 4 && f > 0) lines.push(`<= s${f - 1}-0`);
      for (let o = 0; o < perSection; o++) {
        const kind = o % 5;
        if (kind === 0) lines.push(`o${o} = plain value ${f}-${s}-${o}`);
        else if (kind === 1) lines.push(`o${o} = \${s${f}-${s}:o${o - 1}}/child`);
        else if (kind === 2) lines.push(`o${o} = \${buildout:directory}/\${:_buildout_section_name_}/${o}`);
        else if (kind === 3) lines.push(`o${o} =\n    line one ${o}\n    \${s${f}-${s}:o0}\n      indented`);
        else lines.push(`o${o} = \${s${Math.max(0, f - 1)}-${s}:o0} and \${s${f}-${(s + 1) % sections}:o2}`);
      }
    }
    if (f === 0) {
      for (let p = 0; p < 5; p++) lines.push("", `[app${p}]`, "recipe = bench:noop", `ref = \${s${p}-0:o1}`);
    }
    writeFileSync(join(dir, name), lines.join("\n") + "\n");
  }
  return join(dir, "buildout.cfg");
}

/** Write a 50-part profile (each part writes one file from options referencing others). */
export function instanceProfile(dir: string, parts = 50, recipe = "bench:file"): string {
  const lines = ["[buildout]", `parts = ${Array.from({ length: parts }, (_, i) => `part${i}`).join(" ")}`, "", "[directory]"];
  lines.push("etc = ${buildout:directory}/etc", "var = ${buildout:directory}/var", "", "[config]", "port = 8080", "host = ::1");
  for (let i = 0; i < parts; i++) {
    lines.push(
      "",
      `[part${i}]`,
      `recipe = ${recipe}`,
      `path = \${buildout:parts-directory}/part${i}.conf`,
      `content = listen [\${config:host}]:\${config:port} id ${i} dir \${directory:var}${i > 0 ? ` after \${part${i - 1}:path}` : ""}`,
    );
  }
  const path = join(dir, "buildout.cfg");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}
