/**
 * Store generated configurations as corpus cases (corpus/fuzz-KIND-SEED-I),
 * so what the fuzzer checked once is checked by every test run; then give
 * them expected.json with regenerate.py (the real zc.buildout):
 *
 *   bun test/plugins/buildout/oracle/fuzz-to-corpus.ts KIND COUNT SEED
 *   unshare -n sh -c 'ip link set lo up; /usr/bin/python3 test/plugins/buildout/oracle/regenerate.py fuzz-KIND-SEED-...'
 *
 * KIND: conditions, syntax, booleans, merge, http. Extends over http are
 * written with the corpus placeholder @@HTTP@@.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { booleansCase, conditionsCase, mergeCase, seeded, syntaxCase } from "./fuzz-extra.ts";

const [kind, countText, seedText] = process.argv.slice(2);
const GENERATORS: Record<string, (r: ReturnType<typeof seeded>, dir: string) => void> = {
  conditions: conditionsCase,
  syntax: syntaxCase,
  booleans: booleansCase,
  merge: (r, dir) => mergeCase(r, dir, false),
  http: (r, dir) => mergeCase(r, dir, true),
};
const generate = GENERATORS[kind ?? ""];
if (!generate || !countText || !seedText) {
  console.error(`usage: fuzz-to-corpus.ts ${Object.keys(GENERATORS).join("|")} COUNT SEED`);
  process.exit(2);
}
const random = seeded(Number(seedText));
const corpus = join(import.meta.dir, "..", "corpus");
for (let i = 0; i < Number(countText); i++) {
  const name = `fuzz-${kind}-${seedText}-${i}`;
  mkdirSync(join(corpus, name), { recursive: true });
  generate(random, join(corpus, name));
  console.log(name);
}
