/** A free TCP port on loopback, found by binding port 0. */
import { createServer } from "node:net";

export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Wait until `check` resolves true, polling; throws after `seconds` (a guard, not an assertion on time). */
export async function waitFor(check: () => Promise<boolean> | boolean, seconds = 30, what = "condition"): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
