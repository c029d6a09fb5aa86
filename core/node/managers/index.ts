/**
 * Managers (`[slapos] manager_list = a b` or `a,b`, node-runtime.md §3.12)
 * are taps on the node's hooks: `software.setup/tearDown`,
 * `instance.setup/tearDown`, `report.partition`. `prerm`, `portredir` and
 * `devperm` are built in; the others of the reference (cpuset,
 * whitelistfirewall) drive host facilities (cgroups, firewalld) and are
 * left to plugins: naming one gets a warning and the run
 * goes on without it (README.md, "Managers").
 */
import type { NodeRun } from "../context.ts";
import { devpermManager } from "./devperm.ts";
import { portredirTearDown } from "./portredir.ts";
import { prermReport } from "./prerm.ts";

const BUILT_IN = ["prerm", "portredir", "devperm"];

/** The names of `manager_list`. */
export function managerNames(value: unknown): string[] {
  return String(value ?? "")
    .split(/[\s,]+/)
    .map((name) => name.trim())
    .filter(Boolean);
}

/** Tap the managers named in the configuration onto this run's hooks. */
export function applyManagers(run: NodeRun): void {
  for (const name of managerNames(run.options.raw.manager_list)) {
    if (!BUILT_IN.includes(name)) {
      run.log.warning(`manager_list: manager '${name}' is not built in (built in: ${BUILT_IN.join(", ")}); a plugin must provide it`);
      continue;
    }
    if (name === "prerm") {
      run.hooks.report.partition.tapPromise({ name: "manager:prerm" }, (job) => prermReport(run, job));
    } else if (name === "portredir") {
      run.hooks.instance.tearDown.tapPromise({ name: "manager:portredir" }, (job) => portredirTearDown(run, job));
    } else if (name === "devperm") {
      const devperm = devpermManager(run.config, run.log);
      run.hooks.instance.setup.tap({ name: "manager:devperm" }, devperm);
      run.hooks.instance.tearDown.tap({ name: "manager:devperm" }, devperm);
    }
  }
}
