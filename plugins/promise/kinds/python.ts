/**
 * Kind "python": a promise plugin `etc/plugin/<name>.py`, run with the
 * software release's own Python through our runner (python-runner.ts), one
 * process per plugin. Without such a Python the plugin is reported SKIPPED.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PromiseMeta, PromiseOutcome, PromiseResultType, PromiseRunInput } from "../../../core/hooks/groups/promise.ts";
import { log } from "../../../core/log/logger.ts";
import { VERSION } from "../../../core/version.ts";
import { PYTHON_RUNNER } from "./python-runner.ts";

let runnerFolder: string | undefined;
let holders = 0;

/**
 * Keep the runner script on disk while promise runs use it: the engine holds
 * it for each partition run and releases it at the end; the last release
 * removes it, so nothing is left in the temp folder.
 */
export function holdRunner(): () => void {
  holders++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holders > 0 || !runnerFolder) return;
    rmSync(runnerFolder, { recursive: true, force: true });
    runnerFolder = undefined;
  };
}

/**
 * The runner script on disk: in a private folder of ours (0755, the file
 * 0644, so a dropped user can read it but nobody else can replace it), made
 * on first use.
 */
export function runnerPath(): string {
  if (runnerFolder && existsSync(join(runnerFolder, "runpromise.py"))) return join(runnerFolder, "runpromise.py");
  if (runnerFolder) rmSync(runnerFolder, { recursive: true, force: true });
  runnerFolder = mkdtempSync(join(tmpdir(), "slapos-promise-runner-"));
  chmodSync(runnerFolder, 0o755);
  const path = join(runnerFolder, "runpromise.py");
  writeFileSync(path, PYTHON_RUNNER, { mode: 0o644 });
  return path;
}

interface RunnerMeta {
  periodicity: number;
  periodicity_is_float: boolean;
  is_tested: boolean;
  is_anomaly_detected: boolean;
  module_file: string;
}

interface RunnerMessage {
  meta?: RunnerMeta;
  bang?: string;
  result?: { type: PromiseResultType; failed: boolean; date: string; message: string | null } | null;
  error?: string;
}

function parseMessages(text: string): RunnerMessage[] {
  const out: RunnerMessage[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as RunnerMessage);
    } catch {
      // a line cut by a kill: ignore it
    }
  }
  return out;
}

export async function runPythonPromise(input: PromiseRunInput): Promise<PromiseOutcome> {
  const { promise, partition } = input;
  if (!input.instancePython) {
    const where = partition.softwarePath ? `${partition.softwarePath}/bin/buildout` : "the partition's software_release";
    return { skipped: `no Python to run promise plugins: ${where} names no Python interpreter` };
  }
  const argv = [
    input.instancePython,
    runnerPath(),
    "--promise-path", promise.path,
    "--partition-folder", partition.path,
    "--log-folder", input.logFolder,
    "--promise-timeout", String(Math.ceil(input.timeout)),
    ...(input.mode === "anomaly" ? ["--check-anomaly"] : []),
    ...(partition.masterUrl ? ["--master-url", partition.masterUrl] : []),
    ...(partition.certFile ? ["--partition-cert", partition.certFile] : []),
    ...(partition.keyFile ? ["--partition-key", partition.keyFile] : []),
    "--partition-id", partition.id,
    ...(partition.computerId ? ["--computer-id", partition.computerId] : []),
    "--slapgrid-version", VERSION,
    "--result-fd", "3",
  ];
  const run = await input.spawn(argv, { extraFds: 1 });
  const outcome: PromiseOutcome = { output: run.output };
  for (const message of parseMessages(run.extra[0] ?? "")) {
    if (message.meta) {
      const meta: PromiseMeta = {
        periodicity: message.meta.periodicity,
        periodicityIsFloat: message.meta.periodicity_is_float,
        isTested: message.meta.is_tested,
        isAnomalyDetected: message.meta.is_anomaly_detected,
        moduleFile: message.meta.module_file,
      };
      input.reportMeta(meta);
    }
    if (message.bang) outcome.bang = message.bang;
    if (message.result === null) outcome.empty = true;
    else if (message.result) {
      outcome.result = {
        failed: message.result.failed,
        message: message.result.message ?? "None",
        type: message.result.type,
        date: message.result.date,
      };
    }
    if (message.error) log.error(message.error.trimEnd());
  }
  if (run.spawnError) log.error(`Cannot run ${input.instancePython}: ${run.spawnError}`);
  return outcome;
}
