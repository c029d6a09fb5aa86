/**
 * The built-in plugins, in the order they are applied. Each lives in its own
 * folder with an index.ts (definePlugin) and a README.md. Imported statically
 * so that `bun build --compile` bundles them into the binary.
 */
import type { Plugin } from "../core/hooks/plugin.ts";
import appliance from "./appliance/index.ts";
import buildout from "./buildout/index.ts";
import format from "./format/index.ts";
import { promisePlugin } from "./promise/index.ts";
import shacache from "./shacache/index.ts";
import supervisor from "./supervisor/index.ts";
import tio from "./tio/index.ts";

export const builtinPlugins: Plugin[] = [shacache, format, buildout, promisePlugin, tio, supervisor, appliance];
