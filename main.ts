#!/usr/bin/env bun
/**
 * The `slapos` binary's entry: the CLI of core, given the built-in plugins.
 * It lives outside core/ because core never imports plugins/.
 */
import { runCli } from "./core/cli/main.ts";
import { builtinPlugins } from "./plugins/index.ts";

const code = await runCli(process.argv.slice(2), builtinPlugins);
process.exit(code);
