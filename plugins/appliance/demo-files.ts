/**
 * The demo software release (examples/hello), bundled into the binary so
 * that `configure local --demo` needs nothing but the binary: written into
 * the node's demo/hello/ folder, and supplied from there.
 */
import instanceCfg from "../../examples/hello/instance.cfg.in" with { type: "text" };
import softwareCfg from "../../examples/hello/software.cfg" with { type: "text" };
// @ts-ignore TS7016: a text import (Bun) of a JavaScript file, not a module: its default export is the text.
import serverJs from "../../examples/hello/server.js" with { type: "text" };

/** File name → content, as in examples/hello/. */
export const DEMO_FILES: Readonly<Record<string, string>> = {
  "software.cfg": softwareCfg,
  "instance.cfg.in": instanceCfg,
  "server.js": String(serverJs),
};
