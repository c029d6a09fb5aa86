/**
 * slapos.cookbook:check_port_listening — writes the legacy promise script
 * `path` that exits 127 when nothing listens on `hostname`:`port`, run by
 * `[buildout] executable` (upstream: the Python running buildout). When
 * that interpreter is not on this machine the script could never run, so
 * the recipe writes the native declaration `etc/plugin/<name>.promise.json`
 * instead (kind port-listening, under the buildout directory): the node
 * checks the port itself. Whichever file is written, the other is removed.
 */
import { existsSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { createFile } from "./util/files.ts";
import { declarationFor, writeDeclaration } from "./util/promise-declaration.ts";

export const checkPortListening: RecipeFactory = (buildout, _name, options) => {
  const install = (): string[] => {
    const path = options.require("path");
    const hostname = options.require("hostname");
    const port = options.require("port");
    const python = buildout.buildout.get("executable") || "/usr/bin/python3";
    const declaration = declarationFor(basename(path), join(buildout.buildout.require("directory"), "etc", "plugin"));
    if (!existsSync(python)) {
      rmSync(path, { force: true });
      return [writeDeclaration(declaration, "port-listening", { host: hostname, port })];
    }
    rmSync(declaration, { force: true });
    const text = `#!${python}

# BEWARE: This file is operated by slapos node
# BEWARE: It will be overwritten automatically
import socket
import sys

addr = "${hostname}", ${port}

try:
  socket.create_connection(addr).close()
except (socket.error, socket.timeout):
  sys.stderr.write("%s on %s isn't listening\\n" % addr)
  sys.exit(127)
`;
    return [createFile(path, text, 0o700)];
  };
  return { install, update: install };
};
