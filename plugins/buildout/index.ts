/**
 * The buildout plugin: zc.buildout profiles run without Python. It taps
 * `buildout.run` twice — the native engine first, then (when `[slapos]
 * buildout` names one) an external buildout for profiles whose recipes are
 * not all native — and contributes `slapos buildout` and `slapos buildout
 * resolve`. Everything heavy is imported when used.
 */
import { definePlugin } from "../../core/hooks/plugin.ts";
import { buildoutCommand, resolveCommand } from "./commands.ts";

export default definePlugin({
  name: "buildout",
  version: "1.0.0",
  apiVersion: "^1.0.0",
  commands: [buildoutCommand, resolveCommand],
  apply(hooks, ctx) {
    const external = ctx.config.get("slapos", "buildout") || undefined;
    const log = ctx.log;
    hooks.buildout.run.tapPromise("buildout:native", async (input) => {
      const { runNative } = await import("./taps.ts");
      return runNative(input, { configPath: ctx.config.path, external, log });
    });
    if (external) {
      hooks.buildout.run.tapPromise("buildout:external", async (input) => {
        const { runExternal } = await import("./taps.ts");
        return runExternal(input, { external, log });
      });
    }
  },
});
