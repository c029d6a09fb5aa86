/** `slapos plugin list`: every loaded plugin, where it came from, and the hooks it taps. */
import type { CommandDef } from "../command.ts";

export const pluginListCommand: CommandDef = {
  name: "plugin list",
  group: "other",
  summary: "list loaded plugins: name, version, source and hooks tapped",
  config: "node",
  configOptional: true,
  options: { json: { type: "boolean", help: "print JSON" } },
  run(ctx) {
    const rows = ctx.plugins.map((p) => ({
      name: p.plugin.name,
      version: p.plugin.version,
      source: p.source,
      hooks: p.taps,
      commands: (p.plugin.commands ?? []).map((c) => c.name),
    }));
    if (ctx.options.json) {
      process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      return 0;
    }
    const header = ["NAME", "VERSION", "SOURCE", "HOOKS"];
    const cells = rows.map((r) => [r.name, r.version, r.source, r.hooks.join(", ") || "-"]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
    const line = (c: string[]) =>
      c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join("  ").trimEnd();
    process.stdout.write([line(header), ...cells.map(line)].join("\n") + "\n");
    return 0;
  },
};
