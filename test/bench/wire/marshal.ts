/**
 * marshal XML throughput on a getFullComputerInformation body of a computer
 * with 20 busy partitions (built like the reference's, see
 * ../shared/reference/wire/slapgrid/0010). Run: bun test/bench/wire/marshal.ts
 */
import { dumps, loads } from "../../../core/slap/marshal/index.ts";
import { document } from "./computer-document.ts";

const xml = dumps(document);
if (dumps(loads(xml)) !== xml) throw new Error("round trip failed");
const bytes = xml.length;

function measure(label: string, fn: () => void): void {
  for (let i = 0; i < 200; i++) fn();
  const rounds = 2000;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) fn();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${(rounds / seconds).toFixed(0)} documents/s, ${((rounds * bytes) / seconds / 1024 / 1024).toFixed(1)} MiB/s`);
}

console.log(`getFullComputerInformation, 20 partitions: ${(bytes / 1024).toFixed(1)} KiB`);
measure("encode (dumps)", () => void dumps(document));
measure("decode (loads)", () => void loads(xml));
