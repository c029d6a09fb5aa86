/**
 * The embedded master's public API.
 *
 *     const master = await startMaster({ settings: { computerId: "computer", databaseUri: "/tmp/m.db", port: 0 } });
 *     ... new SlapClient({ masterUrl: master.url }) ...
 *     await master.stop();
 *
 * `startMaster` opens (creating, migrating, or taking over a slapproxy
 * database as needed) and listens; `createMaster` builds the same app
 * without listening, for `app.fetch` in tests. See README.md.
 */
import { readFileSync } from "node:fs";
import { Hono, Hono as HonoApp } from "hono";
import { SlapError, messageOf } from "../errors.ts";
import type { Hooks } from "../hooks/catalogue.ts";
import { log as rootLog, type Logger } from "../log/logger.ts";
import { createMasterApp } from "./app.ts";
import type { MasterContext } from "./context.ts";
import { openMasterDatabase } from "./db/open.ts";
import { Store } from "./db/store.ts";
import { errorResponse } from "./http/errors.ts";
import { registerRegistrationRoutes } from "./register/routes.ts";
import { DEFAULT_MAX_BODY_BYTES, type MasterSettings } from "./settings.ts";


export type { MasterSettings, MultimasterEntry, TlsSettings } from "./settings.ts";
export { masterSettings } from "./settings.ts";

export interface MasterOptions {
  /** Required: computerId and databaseUri; everything else has the defaults of `slapos proxy start`. */
  settings: Partial<MasterSettings> & Pick<MasterSettings, "computerId" | "databaseUri">;
  /** The hooks plugins tapped (`master.allocate`, `master.computer`, `master.routes`). */
  hooks?: Hooks;
  log?: Logger;
}

export interface Master {
  app: Hono;
  context: MasterContext;
  /** Close the database. */
  close(): void;
}

export interface RunningMaster extends Master {
  /** `http(s)://host:port` the master listens on. */
  url: string;
  port: number;
  runId: string;
  /** The extra registration listener's URL, when `registrationPort` is set. */
  registrationUrl?: string;
  stop(): Promise<void>;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 32 random letters and digits, like the reference's run_id (Web Crypto: node:crypto is a big module to load). */
export function makeRunId(): string {
  let out = "";
  const bytes = new Uint8Array(64);
  while (out.length < 32) {
    crypto.getRandomValues(bytes);
    // 248 = 4 × 62: bytes below it map uniformly onto the alphabet.
    for (const byte of bytes) if (byte < 248 && out.length < 32) out += ALPHABET[byte % ALPHABET.length];
  }
  return out;
}

function complete(settings: MasterOptions["settings"]): MasterSettings {
  return {
    host: "127.0.0.1",
    port: 8080,
    softwareProductList: {},
    multimaster: [],
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    ...settings,
  };
}

/** Open the database and build the app, without listening. */
export async function createMaster(options: MasterOptions): Promise<Master> {
  const settings = complete(options.settings);
  const log = options.log ?? rootLog;
  const db = openMasterDatabase(settings.databaseUri, {
    computerId: settings.computerId,
    localSoftwareReleaseRoot: settings.localSoftwareReleaseRoot,
    log,
  });
  const store = new Store(db);
  const context: MasterContext = { store, settings, hooks: options.hooks, log, runId: makeRunId(), serverPort: settings.port };
  try {
    const app = await createMasterApp(context);
    return { app, context, close: () => store.close() };
  } catch (error) {
    store.close();
    throw error;
  }
}

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new SlapError("config", `cannot read ${what} ${path}: ${messageOf(cause)}`, { cause });
  }
}

/** Open, build and listen. */
export async function startMaster(options: MasterOptions): Promise<RunningMaster> {
  const master = await createMaster(options);
  const { settings } = master.context;
  const tlsSettings = settings.tls;
  const tls = tlsSettings
    ? {
        cert: readPem(tlsSettings.certFile, "server_cert_file"),
        key: readPem(tlsSettings.keyFile, "server_key_file"),
        ...(tlsSettings.clientCaFile
          ? { ca: readPem(tlsSettings.clientCaFile, "client_ca_file"), requestCert: true, rejectUnauthorized: true }
          : {}),
      }
    : undefined;
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: settings.host,
      port: settings.port,
      tls,
      maxRequestBodySize: settings.maxBodyBytes + 65536,
      fetch: master.app.fetch,
      error: () => errorResponse(500),
    });
  } catch (cause) {
    master.close();
    throw new SlapError("config", `cannot listen on ${settings.host}:${settings.port}: ${messageOf(cause)}`, { cause });
  }
  master.context.serverPort = server.port!;
  let registration: ReturnType<typeof Bun.serve> | undefined;
  if (settings.registrationPort !== undefined && tls) {
    const app = new HonoApp();
    registerRegistrationRoutes(app, master.context);
    app.notFound(() => errorResponse(404));
    registration = Bun.serve({
      hostname: settings.host,
      port: settings.registrationPort,
      tls: { cert: tls.cert, key: tls.key },
      maxRequestBodySize: 65536,
      fetch: app.fetch,
    });
  }
  // After a burst of requests, a full collection once the master is idle gives the heap back.
  let served = 0;
  let collected = 0;
  const countRequests = (handler: typeof master.app.fetch) => (request: Request, ...rest: unknown[]) => {
    served++;
    return handler(request, ...(rest as []));
  };
  server.reload({ fetch: countRequests(master.app.fetch) });
  const idle = setInterval(() => {
    if (served === collected) return;
    const before = served;
    setTimeout(() => {
      if (served === before) {
        collected = served;
        Bun.gc(true);
      }
    }, 500).unref();
  }, 2000);
  idle.unref();
  const scheme = tls ? "https" : "http";
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  return {
    ...master,
    url: `${scheme}://${host}:${server.port}`,
    port: server.port!,
    runId: master.context.runId,
    registrationUrl: registration ? `https://${host}:${registration.port}` : undefined,
    async stop() {
      clearInterval(idle);
      await server.stop(true);
      await registration?.stop(true);
      master.close();
    },
  };
}
