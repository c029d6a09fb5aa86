/**
 * slapos.cookbook:free_port — sets `port` while the section initialises:
 * the port recorded for this part in .installed.cfg when it is not 0 (so a
 * service keeps its port), `minimum` when it equals `maximum`, 0 when `ip`
 * is neither IPv4 nor IPv6, else the first port of [minimum, maximum) that
 * can be bound on `ip` (defaults 1024 and 49151).
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { isIP } from "node:net";
import { resolve } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";

function installedPort(path: string, part: string): string | undefined {
  if (!existsSync(path)) return undefined;
  let section: string | undefined;
  let port: string | undefined;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) section = header[1];
    else if (section === part) {
      const m = /^port\s*=\s*(.*?)\s*$/.exec(line);
      if (m) port = m[1];
    }
  }
  return port;
}

function canBind(ip: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen({ host: ip, port, exclusive: true }, () => server.close(() => done(true)));
  });
}

export const freePort: RecipeFactory = async (buildout, name, options) => {
  const installed = resolve(buildout.buildout.get("directory") ?? process.cwd(), buildout.buildout.get("installed") ?? ".installed.cfg");
  const previous = installedPort(installed, name);
  if (previous !== undefined && previous !== "0") {
    options.set("port", previous);
  } else {
    const minimum = Number(options.get("minimum") ?? "1024");
    const maximum = Number(options.get("maximum") ?? "49151");
    const ip = options.get("ip") ?? "";
    if (minimum === maximum) options.set("port", String(minimum));
    else if (!isIP(ip)) options.set("port", "0");
    else {
      let found = 0;
      for (let port = minimum; port < maximum; port++) {
        if (await canBind(ip, port)) {
          found = port;
          break;
        }
      }
      options.set("port", String(found));
    }
  }
  return { install: () => [], update: () => [] };
};
