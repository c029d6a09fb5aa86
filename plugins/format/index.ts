/**
 * The format plugin: `slapos node format`, and the built-in network
 * backend (`ip` commands) behind `format.allocateAddress` and
 * `format.configureNetwork`, tapped late so that another plugin's backend
 * answers first. The backend's code loads only when format asks it.
 */
import { definePlugin } from "../../core/hooks/plugin.ts";
import { log } from "../../core/log/logger.ts";
import { VERSION } from "../../core/version.ts";
import { formatCommand } from "./command.ts";

/** The stage the built-in backend taps at (plugins tapping at the default stage 0 come first). */
export const BUILTIN_BACKEND_STAGE = 100;

export default definePlugin({
  name: "format",
  version: VERSION,
  apiVersion: "^1.0.0",
  commands: [formatCommand],
  apply(hooks) {
    let backend: Promise<import("./ip-backend.ts").IpBackend> | undefined;
    const load = () => (backend ??= import("./ip-backend.ts").then(({ IpBackend }) => new IpBackend(log)));
    const options = { name: "format:ip", stage: BUILTIN_BACKEND_STAGE };
    hooks.format.allocateAddress.tapPromise(options, async (request) => (await load()).allocate(request));
    hooks.format.configureNetwork.tapPromise(options, async (action) => (await load()).configure(action));
  },
});
