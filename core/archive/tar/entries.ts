/**
 * Walk the members of a (decompressed) tar stream: headers with PAX and GNU
 * long-name records folded in, each member's data streamed to the consumer.
 */
import { BLOCK, decodeHeader, isZeroBlock, parsePax, type TarHeader } from "./header.ts";
import type { ByteReader } from "./byte-reader.ts";

export interface TarMember {
  header: TarHeader;
  /** The member's data; call it at most once, before asking for the next member. */
  data(): AsyncGenerator<Uint8Array>;
}

const decoder = new TextDecoder();

async function readAll(reader: ByteReader, size: number): Promise<Uint8Array> {
  if (size > 16 * 1024 * 1024) throw new Error(`tar metadata record of ${size} bytes is too large`);
  const data = await reader.read(size);
  if (data.length < size) throw new Error("unexpected end of archive");
  const copy = data.slice();
  await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
  return copy;
}

function applyPax(header: TarHeader, pax: Record<string, string>): void {
  if (pax.path !== undefined) header.name = pax.path;
  if (pax.linkpath !== undefined) header.linkname = pax.linkpath;
  if (pax.size !== undefined) header.size = Number(pax.size);
  if (pax.uid !== undefined) header.uid = Number(pax.uid);
  if (pax.gid !== undefined) header.gid = Number(pax.gid);
  if (pax.mtime !== undefined) header.mtime = Math.floor(Number(pax.mtime));
  if (pax.uname !== undefined) header.uname = pax.uname;
  if (pax.gname !== undefined) header.gname = pax.gname;
}

export async function* tarMembers(reader: ByteReader): AsyncGenerator<TarMember> {
  let globalPax: Record<string, string> = {};
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (true) {
    const block = await reader.read(BLOCK);
    if (block.length === 0) return; // archive without the end blocks: accepted, as tar does
    if (block.length < BLOCK) throw new Error("unexpected end of archive");
    if (isZeroBlock(block)) return;
    const header = decodeHeader(block);
    if (header.type === "pax") {
      pax = { ...pax, ...parsePax(await readAll(reader, header.size)) };
      continue;
    }
    if (header.type === "pax-global") {
      globalPax = { ...globalPax, ...parsePax(await readAll(reader, header.size)) };
      continue;
    }
    if (header.type === "gnu-longname" || header.type === "gnu-longlink") {
      const value = decoder.decode(await readAll(reader, header.size)).replace(/\0+$/, "");
      if (header.type === "gnu-longname") longName = value;
      else longLink = value;
      continue;
    }
    if (longName !== undefined) header.name = longName;
    if (longLink !== undefined) header.linkname = longLink;
    applyPax(header, { ...globalPax, ...pax });
    pax = {};
    longName = longLink = undefined;
    // As Python's tarfile: only regular (and unknown) members have data blocks.
    const size = header.type === "file" || header.type === "other" ? header.size : 0;
    let consumed = false;
    yield {
      header,
      data: () => {
        consumed = true;
        return reader.stream(size);
      },
    };
    if (!consumed) await reader.skip(size);
    await reader.skip((BLOCK - (size % BLOCK)) % BLOCK);
  }
}
