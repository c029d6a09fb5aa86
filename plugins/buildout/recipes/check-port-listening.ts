/**
 * slapos.cookbook:check_port_listening — writes the legacy promise script
 * `path` that exits 127 when nothing listens on `hostname`:`port`. The
 * interpreter is `[buildout] executable` when set (upstream: the Python
 * running buildout), else python3 from PATH.
 */
import type { RecipeFactory } from "../recipe-api.ts";
import { createFile } from "./util/files.ts";

export const checkPortListening: RecipeFactory = (buildout, _name, options) => {
  const install = (): string[] => {
    const python = buildout.buildout.get("executable") || "/usr/bin/env python3";
    const text = `#!${python}

# BEWARE: This file is operated by slapos node
# BEWARE: It will be overwritten automatically
import socket
import sys

addr = "${options.require("hostname")}", ${options.require("port")}

try:
  socket.create_connection(addr).close()
except (socket.error, socket.timeout):
  sys.stderr.write("%s on %s isn't listening\\n" % addr)
  sys.exit(127)
`;
    return [createFile(options.require("path"), text, 0o700)];
  };
  return { install, update: install };
};
