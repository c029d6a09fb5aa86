/**
 * Which modules a `slapos` start evaluates: the closure of static imports
 * (type-only imports and dynamic `import()` excluded) from an entry file,
 * with each module's size, biggest first. Run:
 *
 *     bun test/bench/cli/static-imports.ts [entry.ts]
 */
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { ROOT } from "../../helpers/binary.ts";

const entry = resolve(process.argv[2] ?? resolve(ROOT, "main.ts"));
const transpiler = new Bun.Transpiler({ loader: "ts" });
const seen = new Map<string, number>();
const via = new Map<string, string>();

function visit(file: string): void {
  if (seen.has(file)) return;
  let code: string;
  try {
    code = readFileSync(file, "utf8");
  } catch {
    seen.set(file, 0);
    return;
  }
  seen.set(file, code.length);
  if (!/\.[cm]?[jt]s$/.test(file)) return;
  for (const item of transpiler.scanImports(code.replace(/^#!.*/, ""))) {
    if (item.kind !== "import-statement" && item.kind !== "require-call") continue;
    let target: string;
    try {
      target = Bun.resolveSync(item.path, dirname(file));
    } catch {
      continue;
    }
    if (target.startsWith("bun:") || target.startsWith("node:") || !target.startsWith("/")) continue;
    if (!via.has(target)) via.set(target, file);
    visit(target);
  }
}

visit(entry);
const rows = [...seen].sort((a, b) => b[1] - a[1]);
let total = 0;
for (const [file, size] of rows) {
  total += size;
  console.log(`${String(size).padStart(8)}  ${relative(ROOT, file)}  <- ${relative(ROOT, via.get(file) ?? "")}`);
}
console.log(`${rows.length} modules, ${(total / 1024).toFixed(0)} KiB of source`);
