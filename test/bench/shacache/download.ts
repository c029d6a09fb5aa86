/**
 * Binary cache throughput: a 200 MB blob through the loopback shacache
 * server — upload (sha512 + POST), download (streamed to disk, sha512
 * checked, atomic rename), and the client's peak RSS while downloading
 * (the blob must never be held in memory). The server runs in a child
 * process so that its memory does not count. `curl | sha512sum` on the same
 * URL gives a baseline.
 *
 *     bun test/bench/shacache/download.ts [size-in-MB]
 */
import { mkdtempSync, openSync, readFileSync, rmSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

if (process.argv[2] === "--serve") {
  const { startShacacheServer } = await import("../../../plugins/shacache/server/standalone.ts");
  const dir = process.argv[3]!;
  const server = startShacacheServer({ contentDirectory: join(dir, "data"), metadataDirectory: join(dir, "dir") });
  process.stdout.write(`${server.url}\n`);
  await new Promise(() => {});
}

const { NetworkcacheClient } = await import("../../../plugins/shacache/client.ts");
const sizeMb = Number(process.argv[2] ?? 200);
const dir = mkdtempSync(join(tmpdir(), "shacache-bench-"));

function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

// The blob, written in 1 MiB chunks (never whole in memory).
const blobPath = join(dir, "blob");
const chunk = new Uint8Array(1024 * 1024);
crypto.getRandomValues(chunk.subarray(0, 65536));
for (let i = 65536; i < chunk.length; i++) chunk[i] = chunk[i % 65536]! ^ (i >> 16);
const fd = openSync(blobPath, "w");
for (let i = 0; i < sizeMb; i++) {
  chunk[0] = i & 0xff;
  writeSync(fd, chunk);
}
closeSync(fd);

const child = Bun.spawn(["bun", import.meta.path, "--serve", dir], { stdout: "pipe", stderr: "inherit" });
const reader = child.stdout.getReader();
const url = new TextDecoder().decode((await reader.read()).value).trim();
const client = new NetworkcacheClient({
  downloadCacheUrl: `${url}/shacache/cache`,
  uploadCacheUrl: `${url}/shacache/cache`,
  downloadDirUrl: `${url}/shacache/dir`,
  uploadDirUrl: `${url}/shacache/dir`,
});

try {
  const bytes = sizeMb * 1024 * 1024;
  const rssBefore = peakRss();
  let t = performance.now();
  const sha512 = await client.upload(blobPath);
  const uploadSeconds = (performance.now() - t) / 1000;

  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  t = performance.now();
  const got = await client.download(sha512, join(dir, "downloaded"));
  const downloadSeconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  if (got.size !== bytes) throw new Error(`downloaded ${got.size} bytes, expected ${bytes}`);

  t = performance.now();
  const curl = Bun.spawnSync(["sh", "-c", `curl -s ${url}/shacache/cache/${sha512} | sha512sum`]);
  const curlSeconds = (performance.now() - t) / 1000;
  if (!curl.stdout.toString().startsWith(sha512)) throw new Error("curl baseline got other bytes");

  console.log(`blob: ${sizeMb} MB, loopback, server in a child process`);
  console.log(`upload   (sha512 + POST):                ${(sizeMb / uploadSeconds).toFixed(0)} MB/s (${uploadSeconds.toFixed(2)} s)`);
  console.log(`download (stream + sha512 + rename):     ${(sizeMb / downloadSeconds).toFixed(0)} MB/s (${downloadSeconds.toFixed(2)} s)`);
  console.log(`baseline curl | sha512sum:               ${(sizeMb / curlSeconds).toFixed(0)} MB/s (${curlSeconds.toFixed(2)} s)`);
  console.log(`client peak RSS before transfers:        ${mb(rssBefore)} MB`);
  console.log(`client peak RSS during download (20 ms): ${mb(sampled)} MB`);
  console.log(`client peak RSS, whole run (VmHWM):      ${mb(peakRss())} MB`);
} finally {
  child.kill();
  rmSync(dir, { recursive: true, force: true });
}
