/** Hooks of `slapos node software` (node-runtime.md §2, §9). */
import { bail, series, waterfall } from "../declare.ts";

export interface SoftwareJob {
  url: string;
  /** md5 hex of the URL: the folder name under software_root. */
  hash: string;
  /** SW_ROOT/H */
  path: string;
  requestedState: "available" | "destroyed";
}

export type SoftwareState = "building" | "available" | "destroyed" | "error";

export function createSoftwareHooks() {
  return {
    software: {
      list: waterfall<SoftwareJob[]>("software releases to process → list (--only-sr filter)"),
      setup: series<SoftwareJob>("before a software release is processed (manager.software)"),
      shouldBuild: bail<SoftwareJob & { completed: boolean; develop: boolean }, boolean>(
        "decide whether to build; undefined keeps the reference rule (.completed / develop)",
      ),
      checkSpace: series<{ path: string; required: number }>("throw when there is not enough free space"),
      buildoutProfile: waterfall<string, SoftwareJob>("text of SW_ROOT/H/buildout.cfg (first creation only) → text"),
      buildoutArgs: waterfall<string[], SoftwareJob>("buildout argv → argv"),
      state: series<SoftwareJob & { state: SoftwareState; log?: string }>("report a software state to the master"),
      destroy: series<SoftwareJob>("remove a software release from disk"),
      tearDown: series<SoftwareJob>("after a successful build (manager.softwareTearDown)"),
      gc: waterfall<string[]>("candidate folders for --garbage-collect → folders to delete"),
    },
  };
}
