/**
 * Usage reports (node-runtime.md §4 steps 3–6): each partition's
 * etc/report scripts, the consumption documents they leave, the
 * computer-wide ones, and the journal sent to the master with useComputer
 * (or to another sink a plugin taps `report.send` with).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { messageOf } from "../../errors.ts";
import { parseXml, type XmlElement } from "../../slap/marshal/xml-reader.ts";
import type { NodeRun } from "../context.ts";
import { cleanEnvironment, ownerToDropTo, runChild } from "../spawn.ts";
import { passwdByUid } from "../users.ts";
import type { Partition } from "../instance/partition.ts";
import { computerConsumptionProblem, partitionConsumptionProblem } from "./tio-schema.ts";

function files(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder).map((n) => join(folder, n)).filter((p) => statSync(p).isFile());
}

/** Run a partition's etc/report scripts; returns the failure lines. */
export async function runReportScripts(partition: Partition): Promise<string[]> {
  const { run, path, id } = partition;
  const folder = join(path, "etc", "report");
  const failures: string[] = [];
  const output = join(path, "var", "xml_report");
  for (const script of files(folder)) {
    mkdirSync(output, { recursive: true });
    const target = join(output, `slapreport.${Math.random().toString(36).slice(2, 10)}`);
    const owner = ownerToDropTo(path);
    const home = owner ? (passwdByUid(owner.uid)?.home ?? path) : path;
    const result = await runChild([script, target], { cwd: folder, env: cleanEnvironment(home), owner, logger: run.log });
    if (result.code !== 0) failures.push(`Script '${script.split("/").pop()}' failed.`);
    if (failures.length) {
      await run.master.softwareInstanceError(run.options.computerId, id, failures.join("\n")).catch(() => undefined);
    }
  }
  return failures;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"));
}

/** The movements of a `<consumption>` document valid against partition_consumption.xsd. */
function movements(xml: string): XmlElement[] | string {
  return partitionConsumptionProblem(xml) ?? parseXml(xml).children;
}

/** Collect valid partition consumption documents (deleting them) into journal movements. */
export function collectPartitionUsage(run: NodeRun, partitionId: string, partitionPath: string): string[] {
  const out: string[] = [];
  for (const file of [...files(join(partitionPath, "var", "xml_report")), ...files(join(run.options.instanceRoot, "var", "xml_report", partitionId))]) {
    const list = movements(readFileSync(file, "utf8"));
    if (typeof list === "string") {
      run.log.warning(`Usage report ${file} is not valid (${list}): left in place.`);
      continue;
    }
    for (const movement of list) {
      // children re-emitted as <tag>text</tag>, reference replaced by the partition id.
      // [BUG] fixed: the reference neither re-escapes the text nor keeps empty children empty (it writes "None").
      const children = movement.children.map((c) => `<${c.name}>${escapeXml(c.name === "reference" ? partitionId : c.text)}</${c.name}>`);
      out.push(`<movement>${children.join("")}</movement>`);
    }
    rmSync(file, { force: true });
  }
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The journal of partition usage, laid out as the reference's (no whitespace). */
export function usageJournal(computerId: string, movementsXml: string[], now = new Date()): string {
  const stop = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())} at ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  return (
    `<?xml version="1.0"?><journal><transaction type="Sale Packing List"><title>Resource consumptions</title>` +
    `<start_date></start_date><stop_date>${stop}</stop_date><reference>${computerId}</reference>` +
    `<currency></currency><payment_mode></payment_mode><category></category>` +
    `<arrow type="Administration"><source></source><destination></destination></arrow>` +
    movementsXml.join("") +
    `</transaction></journal>`
  );
}

/** Send computer-wide documents (var/xml_report/<computer_id>/*) as they are. */
export async function sendComputerReports(run: NodeRun): Promise<void> {
  for (const file of files(join(run.options.instanceRoot, "var", "xml_report", run.options.computerId))) {
    const xml = readFileSync(file, "utf8");
    // The reference validates these against computer_consumption.xsd before sending them.
    const problem = computerConsumptionProblem(xml);
    if (problem) {
      run.log.warning(`Computer usage report ${file} is not valid (${problem}): left in place.`);
      continue;
    }
    await sendUsage(run, xml);
    rmSync(file, { force: true });
  }
}

/** Through `report.send` when a plugin takes it, else useComputer on the master. */
export async function sendUsage(run: NodeRun, xml: string): Promise<void> {
  const aggregated = await run.hooks.report.aggregate.promise(xml);
  const taken = await run.hooks.report.send.promise({ xml: aggregated, computerId: run.options.computerId });
  if (taken) return;
  try {
    await run.master.useComputer(run.options.computerId, aggregated);
  } catch (error) {
    throw new Error(`sending usage to the master failed: ${messageOf(error)}`);
  }
}
