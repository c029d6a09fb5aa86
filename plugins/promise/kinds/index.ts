/** The promise kinds this plugin runs itself, by `PromiseSpec.kind`. */
import type { PromiseOutcome, PromiseRunInput } from "../../../core/hooks/groups/promise.ts";
import { runLegacyPromise } from "./legacy.ts";
import { runPortListeningPromise } from "./port-listening.ts";
import { runPythonPromise } from "./python.ts";
import { runUrlPromise } from "./url.ts";

export const BUILTIN_KINDS: Record<string, (input: PromiseRunInput) => Promise<PromiseOutcome>> = {
  python: runPythonPromise,
  legacy: runLegacyPromise,
  "port-listening": runPortListeningPromise,
  url: runUrlPromise,
};
