/**
 * The catalogue: every hook of the appliance, grouped by phase, typed, and
 * frozen. `createHooks()` makes a fresh set for one process; plugins tap it,
 * core calls it. `HOOKS_API_VERSION` is what plugins declare compatibility
 * with (`apiVersion: "^1.0.0"`): a new hook is a minor bump, a changed
 * contract or input shape is a major one.
 */
import { createBuildoutHooks } from "./groups/buildout.ts";
import { createCacheHooks } from "./groups/cache.ts";
import { createFormatHooks } from "./groups/format.ts";
import { createInstanceHooks } from "./groups/instance.ts";
import { createMasterHooks } from "./groups/master.ts";
import { createPromiseHooks } from "./groups/promise.ts";
import { createReportHooks } from "./groups/report.ts";
import { createRunHooks } from "./groups/run.ts";
import { createSoftwareHooks } from "./groups/software.ts";
import { createSupervisorHooks } from "./groups/supervisor.ts";

export const HOOKS_API_VERSION = "1.0.0";

function build() {
  return {
    ...createRunHooks(),
    ...createMasterHooks(),
    ...createFormatHooks(),
    ...createSoftwareHooks(),
    ...createCacheHooks(),
    ...createBuildoutHooks(),
    ...createInstanceHooks(),
    ...createSupervisorHooks(),
    ...createPromiseHooks(),
    ...createReportHooks(),
  };
}

export type Hooks = ReturnType<typeof build>;

/** Something tapable: every leaf of the catalogue. */
export interface AnyHook {
  name: string | undefined;
  taps: Array<{ name: string }>;
  intercept(interceptor: object): void;
  isUsed(): boolean;
}

function isHook(value: unknown): value is AnyHook {
  return typeof value === "object" && value !== null && "taps" in value && "intercept" in value;
}

/** Every hook with its dotted path, e.g. ["software.buildoutProfile", hook]. */
export function listHooks(hooks: Hooks): Array<[string, AnyHook]> {
  const out: Array<[string, AnyHook]> = [];
  for (const [group, members] of Object.entries(hooks)) {
    for (const [name, hook] of Object.entries(members as Record<string, unknown>)) {
      if (isHook(hook)) out.push([`${group}.${name}`, hook]);
    }
  }
  return out;
}

/** A fresh, frozen set of hooks; each hook's `name` is its dotted path. */
export function createHooks(): Hooks {
  const hooks = build();
  for (const [path, hook] of listHooks(hooks)) hook.name = path;
  for (const group of Object.values(hooks)) Object.freeze(group);
  return Object.freeze(hooks);
}
