/**
 * Persistence (§1.11): the partitions' `.slapos-resource`, the optional
 * computer_json, and computer_xml with its zip history. Every file is
 * written to a temporary name and renamed, so a crash never leaves half a
 * document behind.
 */
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { ComputerDocument, PartitionDocument } from "../../core/hooks/groups/format.ts";
import type { Logger } from "../../core/log/logger.ts";
import { dumps } from "../../core/slap/marshal/index.ts";
import { serialise } from "./model.ts";
import { prettyMarshal } from "./pretty-xml.ts";
import { pyJsonDumps } from "./py-json.ts";
import { appendToZip } from "./zip-append.ts";

export const RESOURCE_FILE = ".slapos-resource";

/** Write `content` to `path` through a temporary file in the same directory. */
export function writeAtomic(path: string, content: string | Buffer, mode?: number): void {
  const temporary = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(temporary, content, mode === undefined ? undefined : { mode });
    if (mode !== undefined) chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `Partition.dump`: its serialised form as `.slapos-resource` (JSON, indent 4), rewritten only when it changed. */
export function dumpPartitionResource(partition: PartitionDocument, log: Logger): void {
  const path = join(partition.path, RESOURCE_FILE);
  const content = pyJsonDumps(serialise(partition), 4);
  if (existsSync(path) && readFileSync(path, "utf8") === content) return;
  // [BUG] fixed: the reference then looks the partition user up and fails when it does not exist.
  writeAtomic(path, content, 0o644);
  log.info(`Partition resources saved to ${path}`);
}

/** The stored computer_xml text of a computer document. */
export function computerXml(computer: ComputerDocument): string {
  return prettyMarshal(dumps(serialise(computer)));
}

function backup(archive: string, xmlPath: string, now: Date): void {
  appendToZip(archive, `${basename(xmlPath)}.${stamp(now)}`, readFileSync(xmlPath, "utf8"), now);
}

/**
 * `Computer.dump`: resources, JSON (every run), then the XML — left alone
 * when unchanged, otherwise the previous one is appended to `<xml>.zip`
 * (a broken archive is moved aside as `<xml>.zip_broken_<date>`).
 */
export function dumpComputer(computer: ComputerDocument, xmlPath: string, jsonPath: string | null, log: Logger, now = new Date()): void {
  for (const partition of computer.partition_list) dumpPartitionResource(partition, log);
  if (jsonPath) writeAtomic(jsonPath, pyJsonDumps(serialise(computer), 2));
  const xml = computerXml(computer);
  const archive = `${xmlPath}.zip`;
  if (existsSync(archive) && existsSync(xmlPath) && readFileSync(xmlPath, "utf8") === xml) return;
  if (existsSync(xmlPath)) {
    try {
      backup(archive, xmlPath, now);
    } catch {
      try {
        if (existsSync(archive)) renameSync(archive, `${archive}_broken_${stamp(now)}`);
        backup(archive, xmlPath, now);
      } catch (error) {
        log.error(`Can't backup ${xmlPath}: ${(error as Error).message}`);
      }
    }
  }
  writeAtomic(xmlPath, xml);
}
