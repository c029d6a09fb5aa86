/**
 * What the shacache tests share: signing keys and certificates made with
 * openssl, a real shacache/shadir server on loopback in a temp folder, a
 * slapos.cfg with a `[networkcache]` section, and a plugin host with the
 * built-in shacache plugin applied to it.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { PluginHost } from "../../../core/hooks/loader.ts";
import { log } from "../../../core/log/logger.ts";
import shacachePlugin from "../../../plugins/shacache/index.ts";
import { startShacacheServer, type RunningShacache, type StandaloneOptions } from "../../../plugins/shacache/server/standalone.ts";
import { tempDir } from "../../helpers/tmp.ts";

export interface Signer {
  key: string;
  cert: string;
  /** The certificate's PEM text. */
  pem: string;
}

/** A fresh RSA key and self-signed certificate (openssl, as users make them). */
export function makeSigner(dir: string, name: string): Signer {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const r = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name}`],
    { stdout: "pipe", stderr: "pipe" },
  );
  if (r.exitCode !== 0) throw new Error(`openssl failed: ${r.stderr.toString()}`);
  return { key, cert, pem: readFileSync(cert, "utf8") };
}

/** A certificate list as slapos.cfg holds it: continuation lines, indented. */
export function certificateList(...signers: Signer[]): string {
  return signers
    .map((s) => s.pem.trim())
    .join("\n")
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

export function startServer(dir: string, options: Partial<StandaloneOptions> = {}): RunningShacache {
  return startShacacheServer({
    contentDirectory: join(dir, "data"),
    metadataDirectory: join(dir, "dir"),
    dirMode: "accumulate",
    ...options,
  });
}

/** Write a slapos.cfg; `networkcache` lines go in their section as given. */
export function writeConfig(dir: string, networkcache: Record<string, string>, extra = ""): string {
  const path = join(dir, `slapos-${Math.random().toString(36).slice(2)}.cfg`);
  const lines = Object.entries(networkcache).map(([k, v]) => `${k} = ${v.includes("\n") ? `\n${v}` : v}`);
  writeFileSync(path, `[slapos]\nsoftware_root = ${join(dir, "soft")}\n\n[networkcache]\n${lines.join("\n")}\n${extra}`);
  return path;
}

/** A plugin host with the built-in shacache plugin applied to a configuration. */
export async function hostFor(configPath: string): Promise<PluginHost> {
  const host = new PluginHost();
  host.add(shacachePlugin);
  const config = SlapConfig.load(configPath);
  await host.applyAll((loaded) => ({
    config,
    options: config.items(`plugin:${loaded.plugin.name}`),
    log: log.child(loaded.plugin.name),
    source: loaded.source,
    command: "node software",
  }));
  return host;
}

export { tempDir };
