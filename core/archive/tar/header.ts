/**
 * Tar headers: the 512-byte ustar block (POSIX `ustar\0` and GNU `ustar  `
 * magics), octal and GNU base-256 numbers, PAX extended records (`x`, `g`)
 * and GNU long names (`L`, `K`) — what GNU tar and Python's tarfile write.
 */

export const BLOCK = 512;

export type EntryType = "file" | "hardlink" | "symlink" | "char" | "block" | "directory" | "fifo" | "pax" | "pax-global" | "gnu-longname" | "gnu-longlink" | "other";

export interface TarHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  type: EntryType;
  /** The raw type flag, for messages. */
  flag: string;
  linkname: string;
  uname: string;
  gname: string;
}

const TYPES: Record<string, EntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "1": "hardlink",
  "2": "symlink",
  "3": "char",
  "4": "block",
  "5": "directory",
  "6": "fifo",
  x: "pax",
  g: "pax-global",
  L: "gnu-longname",
  K: "gnu-longlink",
};

const FLAGS: Partial<Record<EntryType, string>> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  char: "3",
  block: "4",
  directory: "5",
  fifo: "6",
  pax: "x",
};

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function text(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

function number(block: Uint8Array, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, the first byte's high bit is the marker.
    let value = field[0]! & 0x3f;
    for (let i = 1; i < length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(block, offset, length).trim();
  return digits ? parseInt(digits, 8) : 0;
}

/** True for the all-zero end-of-archive block. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function checksumOf(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

/** Decode a header block; a bad checksum is an error (the archive is not a tar or is corrupt). */
export function decodeHeader(block: Uint8Array): TarHeader {
  const stored = number(block, 148, 8);
  if (stored !== checksumOf(block)) throw new Error("bad tar header checksum");
  const magic = text(block, 257, 6);
  let name = text(block, 0, 100);
  if (magic === "ustar") {
    const prefix = text(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = String.fromCharCode(block[156]!);
  return {
    name,
    mode: number(block, 100, 8),
    uid: number(block, 108, 8),
    gid: number(block, 116, 8),
    size: number(block, 124, 12),
    mtime: number(block, 136, 12),
    type: TYPES[flag] ?? "other",
    flag,
    linkname: text(block, 157, 100),
    uname: text(block, 265, 32),
    gname: text(block, 297, 32),
  };
}

/** Parse PAX records `"<len> <key>=<value>\n"`. */
export function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = parseInt(decoder.decode(data.subarray(offset, space)), 10);
    if (!(length > 0) || offset + length > data.length) throw new Error("bad PAX record");
    const record = decoder.decode(data.subarray(space + 1, offset + length - 1));
    const equals = record.indexOf("=");
    if (equals > 0) out[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return out;
}

function writeText(block: Uint8Array, offset: number, length: number, value: string): void {
  block.set(encoder.encode(value).subarray(0, length), offset);
}

function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  writeText(block, offset, length, value.toString(8).padStart(length - 1, "0"));
}

function fitsOctal(value: number, length: number): boolean {
  return value >= 0 && value < 8 ** (length - 1);
}

function isAscii(value: string): boolean {
  return /^[\x00-\x7f]*$/.test(value);
}

/** Split a long name into ustar's prefix/name at a slash, when it fits. */
function splitName(name: string): [prefix: string, name: string] | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return ["", name];
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/") continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return [prefix, rest];
    if (prefix.length <= 155) break;
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  // The length counts its own digits.
  const bytes = encoder.encode(body).length;
  let length = bytes + String(bytes).length;
  if (String(length).length !== String(bytes).length) length = bytes + String(length).length;
  return `${length}${body}`;
}

function block(header: TarHeader, name: string, prefix: string): Uint8Array {
  const out = new Uint8Array(BLOCK);
  writeText(out, 0, 100, name);
  writeOctal(out, 100, 8, header.mode & 0o7777);
  writeOctal(out, 108, 8, fitsOctal(header.uid, 8) ? header.uid : 0);
  writeOctal(out, 116, 8, fitsOctal(header.gid, 8) ? header.gid : 0);
  writeOctal(out, 124, 12, fitsOctal(header.size, 12) ? header.size : 0);
  writeOctal(out, 136, 12, fitsOctal(header.mtime, 12) ? Math.floor(header.mtime) : 0);
  out[156] = (FLAGS[header.type] ?? "0").charCodeAt(0);
  writeText(out, 157, 100, isAscii(header.linkname) && header.linkname.length <= 100 ? header.linkname : "");
  writeText(out, 257, 6, "ustar");
  writeText(out, 263, 2, "00");
  writeText(out, 265, 32, header.uname);
  writeText(out, 297, 32, header.gname);
  writeText(out, 345, 155, prefix);
  writeText(out, 148, 8, checksumOf(out).toString(8).padStart(6, "0") + "\0 ");
  return out;
}

function padded(data: Uint8Array): Uint8Array {
  const size = Math.ceil(data.length / BLOCK) * BLOCK;
  if (size === data.length) return data;
  const out = new Uint8Array(size);
  out.set(data);
  return out;
}

/**
 * Encode a header (POSIX pax format, as Python's tarfile writes since 3.8):
 * a plain ustar block when everything fits, preceded by a PAX `x` record
 * when the name, link name, size, ids or times do not.
 */
export function encodeHeader(header: TarHeader): Uint8Array[] {
  const pax: string[] = [];
  const split = splitName(header.name);
  if (!split) pax.push(paxRecord("path", header.name));
  if (header.linkname && (!isAscii(header.linkname) || header.linkname.length > 100)) pax.push(paxRecord("linkpath", header.linkname));
  if (!fitsOctal(header.size, 12)) pax.push(paxRecord("size", String(header.size)));
  if (!fitsOctal(header.uid, 8)) pax.push(paxRecord("uid", String(header.uid)));
  if (!fitsOctal(header.gid, 8)) pax.push(paxRecord("gid", String(header.gid)));
  if (!fitsOctal(header.mtime, 12)) pax.push(paxRecord("mtime", String(Math.floor(header.mtime))));
  const [prefix, name] = split ?? ["", header.name.slice(-100).replace(/^[^\x00-\x7f]+/, "")];
  const main = block(header, name, prefix);
  if (!pax.length) return [main];
  const data = encoder.encode(pax.join(""));
  const paxHeader = block(
    { ...header, type: "pax", size: data.length, linkname: "", mode: 0o644 },
    `PaxHeader/${name}`.slice(0, 100).replace(/[^\x00-\x7f]/g, "_"),
    "",
  );
  return [paxHeader, padded(data), main];
}
