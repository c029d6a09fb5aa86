/**
 * Differential fuzzing of `resolve` against the real zc.buildout 2.13: random
 * configurations built from the language's tricky pieces, resolved by both,
 * compared (sections and install order, or the error class). A mismatch is
 * kept under $FUZZ_OUT (default /tmp/buildout-fuzz) to become a corpus case.
 * Manual tool, needs python3-zc.buildout; run offline:
 *
 *   unshare -n sh -c 'ip link set lo up; bun test/plugins/buildout/oracle/fuzz.ts [COUNT] [SEED] [KIND]'
 *
 * KIND limits the generator: classic (the first one: references, macros,
 * extends, orphan operators), conditions, syntax, booleans, merge, http
 * (fuzz-extra.ts); by default each case picks one.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configureLogging } from "../../../../core/log/logger.ts";
import { isBuildoutError } from "../../../../plugins/buildout/lang/errors.ts";
import { resolveConfig } from "../../../../plugins/buildout/lang/resolve.ts";
import { booleansCase, conditionsCase, mergeCase, seeded, syntaxCase, type Random } from "./fuzz-extra.ts";

// Downloads of extends over http log a line each; the comparison is what matters.
configureLogging({ level: "CRITICAL" });

const count = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? Date.now() % 100000);
const OUT = process.env.FUZZ_OUT ?? "/tmp/buildout-fuzz";
const ONLY = process.argv[4];
const KINDS = ["classic", "classic", "conditions", "conditions", "syntax", "syntax", "booleans", "merge", "merge", "http"] as const;

const random: Random = seeded(seed);
function rand(n: number): number {
  return random.rand(n);
}
function pick<T>(items: readonly T[]): T {
  return random.pick(items);
}
function chance(p: number): boolean {
  return random.chance(p);
}

const SECTIONS = ["a", "b", "c", "d", "macro", "base"];
const OPTIONS = ["x", "y", "z", "list", "path", "recipe", "_buildout_section_name_"];
/** Every section and plain option defined once, so most references resolve. */
const DEFAULTS = SECTIONS.map((s, i) => `[${s}]\n${i < 3 ? "recipe = r\n" : ""}x = ${s}-x\ny = ${s}-y\nz = ${s}-z\nlist = ${s}1\n  ${s}2\npath = /${s}`).join("\n\n");

function reference(): string {
  const forms = [
    () => `\${${pick(SECTIONS)}:${pick(OPTIONS)}}`,
    () => `\${:${pick(OPTIONS)}}`,
    () => `\${buildout:${pick(["directory", "parts-directory", "bin-directory", "offline", "parts", "custom"])}}`,
    () => `$\${${pick(SECTIONS)}:${pick(OPTIONS)}}`,
  ];
  if (chance(0.05)) return pick(["${nope:x}", "${a}", "${a:b:c}", "${a:b@}", "$", "$$", "{a:x}", "${a:x", "${ a:x}"]);
  return pick(forms)();
}

function word(): string {
  return chance(0.35) ? reference() : pick(["one", "two", "three", "value", "-O2", "g++", "a b", "", "é"]);
}

function value(): string {
  const shape = rand(10);
  if (shape < 6) return word() + (chance(0.3) ? " " + word() : "");
  if (shape < 8) {
    const lines = [word()];
    for (let i = rand(3); i >= 0; i--) lines.push(pick(["  ", "    ", "\t", " "]) + word());
    if (chance(0.2)) lines.splice(1, 0, pick(["", "# comment", "  # indented"]));
    return lines.join("\n");
  }
  const lines = [""];
  for (let i = rand(3); i >= 0; i--) lines.push(pick(["  ", "    ", "      ", "\t"]) + word());
  if (chance(0.3)) lines.push(pick(["", "   "]));
  return lines.join("\n");
}

function section(name: string, file: number): string {
  const header = chance(0.06) ? `[${name}:${pick(["python3", "python2", "linux", "not windows", "python311", "bits64 and python2"])}]` : `[${name}]`;
  const lines = [header];
  const n = 1 + rand(4);
  for (let i = 0; i < n; i++) {
    const option = pick(OPTIONS.slice(0, 5));
    const op = chance(0.2) ? pick([" +", " -", "+", ""]) : "";
    lines.push(`${option}${op || " "}= ${value()}`);
  }
  if (chance(0.15)) lines.push(`<= ${pick(SECTIONS)}${chance(0.2) ? "\n   " + pick(SECTIONS) : ""}`);
  if (chance(0.1)) lines.push(`=> ${pick(SECTIONS)}`);
  if (chance(0.3)) lines.push(`recipe = ${pick(["r", "r:x", "", "${:x}", "r"])}`);
  if (file === 0 && chance(0.01)) lines.push("bad line");
  return lines.join("\n");
}

function file(index: number, files: number): string {
  const parts: string[] = [];
  const buildout: string[] = ["[buildout]"];
  if (index < files - 1 && chance(0.8)) {
    const targets = [];
    for (let i = rand(2); i >= 0; i--) targets.push(`f${Math.min(files - 1, index + 1 + rand(files - index))}.cfg`);
    if (chance(0.05)) targets.push(`f${rand(files)}.cfg`);
    buildout.push(`extends = ${targets.join(" ")}`);
  }
  if (index === 0 || chance(0.3)) {
    const names = [];
    for (let i = rand(3); i >= 0; i--) names.push(pick(SECTIONS.slice(0, chance(0.9) ? 3 : 6)));
    buildout.push(`parts ${chance(0.3) && index > 0 ? "+=" : "="} ${names.join(" ")}`);
  }
  if (chance(0.1)) buildout.push(`custom = ${value()}`);
  if (chance(0.05)) buildout.push(`offline = ${pick(["true", "false", "yes"])}`);
  if (chance(0.05)) buildout.push(`bin-directory = ${pick(["sbin", "${buildout:directory}/sbin", "/abs"])}`);
  parts.push(buildout.join("\n"));
  if (index === files - 1) parts.push(DEFAULTS);
  const n = 1 + rand(4);
  for (let i = 0; i < n; i++) parts.push(section(pick(SECTIONS), index));
  return parts.join("\n\n") + "\n";
}


/** Write one case; returns its kind. */
function generate(dir: string): string {
  const kind = ONLY ?? pick(KINDS);
  if (kind === "conditions") conditionsCase(random, dir);
  else if (kind === "syntax") syntaxCase(random, dir);
  else if (kind === "booleans") booleansCase(random, dir);
  else if (kind === "merge" || kind === "http") mergeCase(random, dir, kind === "http");
  else {
    const files = 1 + rand(4);
    for (let i = 0; i < files; i++) writeFileSync(join(dir, i === 0 ? "buildout.cfg" : `f${i}.cfg`), file(i, files));
  }
  const url = `http://127.0.0.1:${server.port}/${dir.slice(root.length + 1)}`;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const text = readFileSync(path, "latin1");
    if (text.includes("@@HTTP@@")) writeFileSync(path, text.replaceAll("@@HTTP@@", url), "latin1");
  }
  return kind;
}

async function ours(path: string, dir: string): Promise<unknown> {
  try {
    return await resolveConfig({ configFile: path, cwd: dir });
  } catch (error) {
    if (!isBuildoutError(error)) return { error: `crash: ${String(error)}` };
    return { error: error.kind };
  }
}

const root = mkdtempSync(join(tmpdir(), "fuzz-"));
/** Serves the case folders on loopback, for extends over http. */
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const path = join(root, decodeURIComponent(new URL(request.url).pathname));
    if (!path.startsWith(root + "/") || !existsSync(path) || !statSync(path).isFile()) return new Response("not found", { status: 404 });
    return new Response(Bun.file(path));
  },
});
const driver = Bun.spawn(["/usr/bin/python3", join(import.meta.dir, "driver.py"), "--batch"], {
  stdin: "pipe",
  stdout: "pipe",
  stderr: "ignore",
});
const reader = driver.stdout.getReader();
let buffer = "";
async function oracle(path: string): Promise<unknown> {
  driver.stdin.write(path + "\n");
  driver.stdin.flush();
  while (!buffer.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("driver exited");
    buffer += new TextDecoder().decode(value);
  }
  const line = buffer.slice(0, buffer.indexOf("\n"));
  buffer = buffer.slice(line.length + 1);
  const parsed = JSON.parse(line);
  return parsed.error ? { error: parsed.error } : parsed;
}

/** JSON with keys sorted, so both answers compare as text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

let mismatches = 0;
const outcomes = new Map<string, number>();
const start = seed;
for (let i = 0; i < count; i++) {
  const dir = join(root, `case-${i}`);
  mkdirSync(dir);
  const kind = generate(dir);
  const path = join(dir, "buildout.cfg");
  const expected = await oracle(path);
  const actual = await ours(path, dir);
  const outcome = `${kind}:${(expected as { error?: string }).error ?? "ok"}`;
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  if (process.env.FUZZ_SHOW === outcome) {
    for (const name of readdirSync(dir).sort()) console.log(`--- ${name}\n${readFileSync(join(dir, name), "utf8")}`);
    console.log(JSON.stringify(expected));
  }
  if (canonical(actual) !== canonical(expected)) {
    mismatches++;
    const keep = join(OUT, `mismatch-${kind}-${start}-${i}`);
    cpSync(dir, keep, { recursive: true });
    writeFileSync(join(keep, "oracle.json"), JSON.stringify(expected, null, 1));
    writeFileSync(join(keep, "ours.json"), JSON.stringify(actual, null, 1));
    console.log(`mismatch ${i}: ${keep}`);
  }
}
driver.stdin.end();
server.stop(true);
rmSync(root, { recursive: true, force: true });
console.log([...outcomes].sort().map(([k, v]) => `${k}: ${v}`).join(", "));
console.log(`${count} configurations, ${mismatches} mismatches (seed ${start})`);
process.exit(mismatches ? 1 : 0);
