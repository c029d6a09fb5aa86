/**
 * [inet_http_server] with basic authentication ({SHA} password), driven by
 * the stock supervisorctl. Daemon and client share one private network
 * namespace, so the TCP port is only on that namespace's loopback.
 */
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../../helpers/binary.ts";
import { makeInstance, program } from "./helpers.ts";

const instance = makeInstance();
const port = 19001;
const sha = createHash("sha1").update("s3cret").digest("hex");
writeFileSync(join(instance.confDir, "a.conf"), program(instance, "a", "/bin/sleep 1000"));
writeFileSync(
  instance.conf,
  readFileSync(instance.conf, "utf8").replace(/\[supervisorctl\]\nserverurl = .*\n/, `[supervisorctl]\nserverurl = http://127.0.0.1:${port}\n`) +
    `\n[inet_http_server]\nport = 127.0.0.1:${port}\nusername = admin\npassword = {SHA}${sha}\n`,
);

/** Run a shell script in a fresh network namespace; each `ctl ARGS` prints its output then `--- <code>`. */
async function inNamespace(body: string): Promise<string[]> {
  const script = `ip link set lo up
ctl() { supervisorctl -c '${instance.conf}' "$@"; echo "--- $?"; }
'${BINARY}' node supervisord -c '${instance.conf}' || exit 1
for i in $(seq 50); do supervisorctl -c '${instance.conf}' -u admin -p s3cret status a | grep -q RUNNING && break; sleep 0.1; done
${body}
supervisorctl -c '${instance.conf}' -u admin -p s3cret shutdown >/dev/null`;
  const child = Bun.spawn(["unshare", "-n", "sh", "-c", script], { stdout: "pipe", stderr: "pipe" });
  const [out, code] = await Promise.all([new Response(child.stdout).text(), child.exited]);
  if (code !== 0) throw new Error(`namespace script failed: ${out}`);
  return out.split(/^--- \d+\n/m).slice(0, -1).map((s, i) => s + (out.match(/^--- (\d+)$/gm)?.[i] ?? ""));
}

describe("inet_http_server", () => {
  test("the right credentials are accepted; missing or wrong ones get 'Server requires authentication'", async () => {
    const [good, missing, wrong] = await inNamespace("ctl -u admin -p s3cret status a\nctl status\nctl -u admin -p nope status");
    expect(good).toMatch(/^a +RUNNING +pid \d+, uptime [\d:]+\n--- 0$/);
    // supervisorctl retries the action after printing this (its own quirk), hence the ProtocolError line that follows.
    for (const answer of [missing, wrong]) {
      expect(answer).toStartWith("Server requires authentication\n");
      expect(answer).toContain("401 Unauthorized");
      expect(answer).toEndWith("--- 1");
    }
  }, 60_000);
});
