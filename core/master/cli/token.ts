/** `slapos proxy token`: a single-use registration token, written to the master's database. */
import type { CommandContext } from "../../cli/command.ts";
import { openMasterDatabase } from "../db/open.ts";
import { createToken } from "../register/tokens.ts";
import { databaseUriOf } from "./show.ts";

export function runProxyToken(ctx: CommandContext): number {
  const path = databaseUriOf(ctx);
  const computerId = ctx.config.get("slapproxy", "computer_id") ?? ctx.config.get("slapos", "computer_id") ?? "computer";
  const db = openMasterDatabase(path, { computerId, log: ctx.log });
  try {
    const token = createToken(db);
    process.stdout.write(`Computer token: ${token}\n`);
  } finally {
    db.close();
  }
  const tlsKey = ctx.config.get("slapproxy", "client_ca_key_file") ?? ctx.config.get("slapos", "client_ca_key_file");
  if (ctx.config.path && !tlsKey) ctx.log.warning("the master has no client_ca_key_file: it cannot register nodes until it has one");
  return 0;
}
