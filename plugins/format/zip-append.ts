/**
 * Append one file to a zip archive, as Python's
 * `ZipFile(path, 'a').writestr(name, text, ZIP_DEFLATED)` does: the new
 * entry goes where the central directory was, then the central directory
 * (old entries + new one) and its end record are written again. Used for
 * the computer_xml backups (§1.11.1).
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from "node:fs";
import { deflateRawSync } from "node:zlib";

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

/** MS-DOS date and time of a local time. */
function dosDateTime(date: Date): { time: number; day: number } {
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2);
  const day = ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return { time, day };
}

interface Directory {
  /** Where the central directory starts: new entries are written there. */
  offset: number;
  entries: Buffer;
  count: number;
}

/** Read an archive's central directory; throws when the file is not a zip archive. */
function readDirectory(bytes: Buffer): Directory {
  const floor = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= floor; at--) {
    if (bytes.readUInt32LE(at) !== EOCD_SIGNATURE) continue;
    const count = bytes.readUInt16LE(at + 10);
    const size = bytes.readUInt32LE(at + 12);
    const offset = bytes.readUInt32LE(at + 16);
    if (offset + size > at) break;
    const entries = bytes.subarray(offset, offset + size);
    for (let p = 0, n = 0; n < count; n++) {
      if (entries.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new Error("corrupt zip central directory");
      p += 46 + entries.readUInt16LE(p + 28) + entries.readUInt16LE(p + 30) + entries.readUInt16LE(p + 32);
    }
    return { offset, entries: Buffer.from(entries), count };
  }
  throw new Error("File is not a zip file");
}

/** Add `name` holding `content` (deflated) to the archive at `path`, creating it if needed. */
export function appendToZip(path: string, name: string, content: string, now = new Date()): void {
  const exists = existsSync(path);
  const directory: Directory = exists ? readDirectory(readFileSync(path)) : { offset: 0, entries: Buffer.alloc(0), count: 0 };
  const data = Buffer.from(content, "utf8");
  const compressed = deflateRawSync(data);
  const crc = Bun.hash.crc32(data) >>> 0;
  const fileName = Buffer.from(name, "utf8");
  const flags = /[^\x00-\x7f]/.test(name) ? 0x800 : 0;
  const { time, day } = dosDateTime(now);

  // "version needed" to "file name length": the same 24 bytes in the local and the central header.
  const shared = Buffer.alloc(24);
  shared.writeUInt16LE(20, 0);
  shared.writeUInt16LE(flags, 2);
  shared.writeUInt16LE(8, 4); // deflated
  shared.writeUInt16LE(time, 6);
  shared.writeUInt16LE(day, 8);
  shared.writeUInt32LE(crc, 10);
  shared.writeUInt32LE(compressed.length, 14);
  shared.writeUInt32LE(data.length, 18);
  shared.writeUInt16LE(fileName.length, 22);

  const local = Buffer.alloc(30);
  local.writeUInt32LE(LOCAL_SIGNATURE, 0);
  shared.copy(local, 4);

  const central = Buffer.alloc(46);
  central.writeUInt32LE(CENTRAL_SIGNATURE, 0);
  central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, zip 2.0
  shared.copy(central, 6);
  central.writeUInt32LE((0o600 << 16) >>> 0, 38); // -rw------- as writestr gives
  central.writeUInt32LE(directory.offset, 42);

  const centralStart = directory.offset + local.length + fileName.length + compressed.length;
  const centralSize = directory.entries.length + central.length + fileName.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(EOCD_SIGNATURE, 0);
  end.writeUInt16LE(directory.count + 1, 8);
  end.writeUInt16LE(directory.count + 1, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(centralStart, 16);

  const fd = openSync(path, exists ? "r+" : "w");
  try {
    ftruncateSync(fd, directory.offset);
    let at = directory.offset;
    for (const part of [local, fileName, compressed, directory.entries, central, fileName, end]) {
      writeSync(fd, part, 0, part.length, at);
      at += part.length;
    }
  } finally {
    closeSync(fd);
  }
}
