/**
 * The one wrapper every SLAP route goes through: size limit, field
 * reading, and the mapping of failures to the reference's statuses and
 * werkzeug pages. A 500 never shows its cause to the client (the reference
 * shows werkzeug's generic page); the cause goes to the log.
 */
import type { Context } from "hono";
import { SlapError, messageOf } from "../../errors.ts";
import { originOf, type MasterContext, type RequestOrigin } from "../context.ts";
import { HTML, HttpError, errorResponse, text } from "./errors.ts";
import { readFields, type Fields } from "./input.ts";

export interface HandlerInput {
  ctx: MasterContext;
  fields: Fields;
  request: Request;
  url: URL;
  origin: RequestOrigin;
}

export type SlapHandler = (input: HandlerInput) => Promise<Response | string | Uint8Array> | Response | string | Uint8Array;

/** Map anything thrown by a handler to a response. */
export function failure(ctx: MasterContext, error: unknown, where: string): Response {
  if (error instanceof HttpError) {
    if (error.status >= 500) {
      ctx.log.error(`${where}: ${error.message}`);
      return errorResponse(error.status);
    }
    return errorResponse(error.status, error.description);
  }
  if (error instanceof SlapError && (error.code === "bad-request" || error.code === "marshal")) {
    return errorResponse(400, messageOf(error));
  }
  if (error instanceof SlapError && error.code === "too-large") return errorResponse(413);
  ctx.log.error(`${where}: ${messageOf(error)}`);
  return errorResponse(500);
}

/** Refuse a body over the limit before reading it. */
export function tooLarge(request: Request, maxBytes: number): boolean {
  const length = request.headers.get("content-length");
  return length !== null && Number(length) > maxBytes;
}

export function slapRoute(ctx: MasterContext, handler: SlapHandler) {
  return async (c: Context): Promise<Response> => {
    const request = c.req.raw;
    const url = new URL(request.url);
    try {
      if (tooLarge(request, ctx.settings.maxBodyBytes)) return errorResponse(413);
      const fields = await readFields(request, url);
      const origin = originOf(request, url, ctx.serverPort);
      const result = await handler({ ctx, fields, request, url, origin });
      if (typeof result === "string") return text(result);
      if (result instanceof Uint8Array) return new Response(result, { headers: { "Content-Type": HTML } });
      return result;
    } catch (error) {
      return failure(ctx, error, url.pathname);
    }
  };
}
