/**
 * `configure local --demo`: write the demo release into the node, supply
 * it, request one instance, wake the node loop, and follow the deployment
 * until the instance's published URL answers — saying what happens on the
 * way (building, built, deployed, answering). A re-run requests the same
 * instance again, which changes nothing on a node where it runs.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SlapError, messageOf } from "../../core/errors.ts";
import type { Logger } from "../../core/log/logger.ts";
import { softwareHash } from "../../core/node/paths.ts";
import { SlapClient } from "../../core/slap/client.ts";
import type { SoftwareInstance } from "../../core/slap/objects.ts";
import { DEMO_FILES } from "./demo-files.ts";
import type { Layout } from "./layout.ts";
import { COMPUTER_ID } from "./texts.ts";
import type { Writer } from "./writer.ts";

/** The demo instance's reference (its title on the master). */
export const DEMO_REFERENCE = "hello";

/** Write demo/hello/ and return the software release URL (the path of its software.cfg). */
export function writeDemo(writer: Writer, layout: Layout): string {
  const folder = join(layout.demoDir, "hello");
  for (const [name, text] of Object.entries(DEMO_FILES)) writer.file(join(folder, name), text);
  return join(folder, "software.cfg");
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The error of a failed build of `url`, from what the software runs logged since `from` (the node loop's per-run log). */
function buildFailure(path: string, from: number, url: string): string | undefined {
  if (sizeOf(path) <= from) return undefined;
  const text = readFileSync(path, "utf8").slice(from);
  const marker = `Problem while processing software release ${url}: `;
  const line = text.split("\n").find((l) => l.includes(marker));
  return line?.slice(line.indexOf(marker) + marker.length).trim();
}

function publishedUrl(instance: SoftwareInstance): string | undefined {
  const url = instance.getConnectionParameterDict().url;
  return typeof url === "string" && url ? url : undefined;
}

export interface DemoOptions {
  layout: Layout;
  masterUrl: string;
  softwareUrl: string;
  log: Logger;
  /** Seconds to wait for the URL (a guard). */
  timeout: number;
  /** Wake the node loop (software and instance now). */
  poke(): void;
}

/** Supply, request, and wait until the demo's URL answers; returns the URL. */
export async function deployDemo(options: DemoOptions): Promise<string> {
  const { layout, log, softwareUrl } = options;
  const client = new SlapClient({ masterUrl: options.masterUrl, timeout: 30 });
  const request = () => client.requestComputerPartition({ softwareRelease: softwareUrl, partitionReference: DEMO_REFERENCE });
  await client.supply(softwareUrl, COMPUTER_ID);
  log.info(`demo: supplied ${softwareUrl}`);
  let instance = await request();
  log.info(`demo: requested instance '${DEMO_REFERENCE}'`);
  options.poke();

  const software = join(layout.softwareRoot, softwareHash(softwareUrl));
  const said = new Set<string>();
  const say = (key: string, message: string) => {
    if (said.has(key)) return;
    said.add(key);
    log.info(`demo: ${message}`);
  };
  const softwareLog = join(layout.logDir, "slapos-node-software.log");
  const logStart = sizeOf(softwareLog);
  const deadline = Date.now() + options.timeout * 1000;
  let lastRequest = Date.now();
  while (Date.now() < deadline) {
    if (existsSync(join(software, ".completed"))) say("built", "software release built");
    else {
      if (existsSync(software)) say("building", "building the software release");
      const failure = buildFailure(softwareLog, logStart, softwareUrl);
      if (failure) throw new SlapError("failure", `the demo's software release failed to build: ${failure} (see ${softwareLog})`);
    }
    const partition = instance.getPartitionId();
    if (partition && existsSync(join(layout.instanceRoot, partition, ".timestamp"))) say("deployed", `instance deployed in ${partition}`);
    const url = publishedUrl(instance);
    if (url) {
      say("waiting", `waiting for ${url} to answer`);
      if (await answers(url)) return url;
    }
    await Bun.sleep(200);
    if (Date.now() - lastRequest >= 300) {
      lastRequest = Date.now();
      try {
        instance = await request();
      } catch (error) {
        log.debug(`demo: request: ${messageOf(error)}`);
      }
    }
  }
  throw new SlapError(
    "failure",
    `the demo did not answer within ${options.timeout} s: see ${layout.logDir}/slapos-node-software.log and slapos-node-instance.log`,
  );
}
