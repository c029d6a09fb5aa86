/**
 * The master's HTTP application: plugins' routes and middleware first
 * (hook `master.routes`), then the SLAP methods, hateoas, JSON-RPC, node
 * registration and the small routes of the reference (`/getRunId`, `/`),
 * and werkzeug-like answers for everything else (404, or 405 with `Allow`
 * when the path exists for other methods).
 */
import { Hono } from "hono";
import type { MasterContext } from "./context.ts";
import { HTML, errorResponse, redirectResponse, text } from "./http/errors.ts";
import { registerHateoasRoutes } from "./hateoas.ts";
import { registerJsonRpcRoutes } from "./jsonrpc/routes.ts";
import { registerRegistrationRoutes } from "./register/routes.ts";
import { registerSlapRoutes } from "./slap/routes.ts";

function allowedMethods(app: Hono): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue;
    const set = out.get(route.path) ?? new Set<string>();
    set.add(route.method);
    if (route.method === "GET") set.add("HEAD");
    set.add("OPTIONS");
    out.set(route.path, set);
  }
  return out;
}

function matchKnown(known: Map<string, Set<string>>, path: string): Set<string> | undefined {
  const exact = known.get(path);
  if (exact) return exact;
  for (const [pattern, methods] of known) {
    if (!pattern.includes(":")) continue;
    const regex = new RegExp(`^${pattern.replace(/:[^/]+/g, "[^/]+")}$`);
    if (regex.test(path)) return methods;
  }
  return undefined;
}

export async function createMasterApp(ctx: MasterContext): Promise<Hono> {
  const app = new Hono();
  if (ctx.hooks) await ctx.hooks.master.routes.promise({ app, databaseUri: ctx.settings.databaseUri });
  registerSlapRoutes(app, ctx);
  registerHateoasRoutes(app, ctx);
  registerJsonRpcRoutes(app, ctx);
  registerRegistrationRoutes(app, ctx);
  app.get("/getRunId", () => text(ctx.runId));
  app.get("/", () => redirectResponse("/panel/", 302));
  // The reference's shacache proxy answers this when it is not configured, which is our only mode.
  app.all("/shacache/*", () => new Response("Shacache not configured", { status: 503, headers: { "Content-Type": HTML } }));

  let known: Map<string, Set<string>> | undefined;
  app.notFound((c) => {
    known ??= allowedMethods(app);
    const methods = matchKnown(known, new URL(c.req.url).pathname);
    if (!methods) return errorResponse(404);
    const allow = [...methods].sort().join(", ");
    if (c.req.method === "OPTIONS") return new Response("", { status: 200, headers: { Allow: allow, "Content-Type": HTML } });
    const response = errorResponse(405);
    response.headers.set("Allow", allow);
    return response;
  });
  app.onError((error, c) => {
    ctx.log.error(`${new URL(c.req.url).pathname}: ${error.message}`);
    return errorResponse(500);
  });
  return app;
}
