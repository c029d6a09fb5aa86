/**
 * Unpacking archives for download-unpacked: tar archives (any compression
 * GNU tar recognises: gz, bz2, xz, lz, zst) through `tar`, and zip natively
 * (stored and deflated members). Member paths that climb out of the
 * destination are refused.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readSync, writeFileSync } from "node:fs";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { inflateRawSync } from "node:zlib";
import { UserError } from "./errors.ts";

function isZip(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    return head.readUInt32LE(0) === 0x04034b50 || head.readUInt32LE(0) === 0x06054b50;
  } finally {
    closeSync(fd);
  }
}

function safeJoin(root: string, member: string): string {
  const clean = normalize(member.replace(/^\/+/, ""));
  if (clean.startsWith("..") || isAbsolute(clean)) throw new UserError(`archive member ${JSON.stringify(member)} is outside the destination`);
  return join(root, clean);
}

function unzip(archive: string, into: string): void {
  const data = readFileSync(archive);
  let end = -1;
  for (let i = data.length - 22; i >= Math.max(0, data.length - 22 - 65535); i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new UserError("not a zip archive (no end of central directory)");
  const count = data.readUInt16LE(end + 10);
  let offset = data.readUInt32LE(end + 16);
  for (let n = 0; n < count; n++) {
    if (data.readUInt32LE(offset) !== 0x02014b50) throw new UserError("corrupt zip central directory");
    const method = data.readUInt16LE(offset + 10);
    const compressedSize = data.readUInt32LE(offset + 20);
    const nameLength = data.readUInt16LE(offset + 28);
    const extraLength = data.readUInt16LE(offset + 30);
    const commentLength = data.readUInt16LE(offset + 32);
    const externalAttributes = data.readUInt32LE(offset + 38);
    const localOffset = data.readUInt32LE(offset + 42);
    const name = data.toString("utf8", offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    const target = safeJoin(into, name);
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    const localNameLength = data.readUInt16LE(localOffset + 26);
    const localExtraLength = data.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localNameLength + localExtraLength;
    const raw = data.subarray(start, start + compressedSize);
    let content: Buffer;
    if (method === 0) content = raw;
    else if (method === 8) content = inflateRawSync(raw);
    else throw new UserError(`zip member ${name} uses unsupported compression method ${method}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
    const unixMode = externalAttributes >>> 16;
    if (unixMode & 0o777) chmodSync(target, unixMode & 0o7777);
  }
}

/** Extract `archive` into the existing empty folder `into`. */
export async function unpack(archive: string, into: string): Promise<void> {
  if (isZip(archive)) return unzip(archive, into);
  const child = Bun.spawn(["tar", "-xf", archive, "-C", into, "--no-same-owner"], { stdout: "ignore", stderr: "pipe" });
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  if (code !== 0) throw new UserError(`cannot unpack ${archive}: ${stderr.trim().split("\n").slice(-3).join(" ")}`);
}
