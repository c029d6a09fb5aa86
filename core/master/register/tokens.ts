/**
 * Registration tokens (the master side of `slapos node register --token`,
 * format-collect-cli.md §5.1): single-use random strings, kept in the
 * master's database so that `slapos proxy token` (which writes the file
 * directly) and a running master agree.
 */
import type { Database } from "bun:sqlite";

/** A new token, stored unused: 24 random bytes, base64url. (Web Crypto, not node:crypto: the master never loads that module.) */
export function createToken(db: Database): string {
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
  db.query("INSERT INTO computer_token (token, created, used_by) VALUES (?, ?, NULL)").run(token, Date.now() / 1000);
  return token;
}

/** Mark the token used by `reference`; false when it is unknown or already used. */
export function consumeToken(db: Database, token: string, reference: string): boolean {
  const result = db.query("UPDATE computer_token SET used_by=? WHERE token=? AND used_by IS NULL").run(reference, token);
  return result.changes === 1;
}
