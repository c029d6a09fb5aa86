/**
 * `tail -f` / `maintail -f`: follow `/logtail/...` or `/mainlogtail` and
 * copy what arrives to stdout until Ctrl-C (or the daemon closes it).
 */
import type { RpcClient } from "../rpc/client.ts";

export async function runTail(client: RpcClient, path: string): Promise<void> {
  const url = `${client.serverurl}${path}`;
  const response = await client.get(path);
  if (response.status !== 200) {
    process.stderr.write(`${url} Cannot read, status code ${response.status}\n`);
    await response.arrayBuffer().catch(() => undefined);
    return;
  }
  const reader = response.body!.getReader();
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
    void reader.cancel();
  };
  process.once("SIGINT", onInterrupt);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value) process.stdout.write(value);
    }
  } catch {
    // the connection ended
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  if (interrupted) process.stdout.write("\n");
}
