/**
 * The tio plugin: usage accounting. `slapos node collect` samples the
 * computer and its partitions into collector.db and writes the daily
 * consumption journals in the TIO format, which `slapos node report` sends
 * through the `report.send` hook (the master's useComputer by default).
 * Its own hooks are in the `collect` group (core/hooks/groups/report.ts).
 */
import { definePlugin } from "../../core/hooks/plugin.ts";
import { VERSION } from "../../core/version.ts";
import { collectCommand } from "./command.ts";

export default definePlugin({
  name: "tio",
  version: VERSION,
  apiVersion: "^1.0.0",
  commands: [collectCommand],
  apply() {
    // Nothing to tap: collect is a command of its own, and node report sends what it leaves in xml_report/.
  },
});
