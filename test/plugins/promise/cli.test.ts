/**
 * `slapos promise run PARTITION_PATH` through the compiled binary (build it
 * first with installer/build), including a promise kind added by a plugin
 * file named in `[slapos] plugin_list`.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { slapos } from "../../helpers/binary.ts";
import { openTempDir, TestPartition } from "./helpers.ts";

const NO_CONFIG = { SLAPOS_CONFIGURATION: "/nonexistent/slapos.cfg" };

describe("slapos promise run", () => {
  test("prints one line per promise and exits 0 when all pass", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("check-web", "echo up");
    const r = await slapos(["promise", "run", p.path], { env: NO_CONFIG });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("OK       check-web: up\n");
    expect(p.result("check-web").result.message).toBe("up");
  });

  test("exits 2 with the PromiseError when a promise fails", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("fail", "echo 'it broke'; exit 1");
    const r = await slapos(["promise", "run", p.path], { env: NO_CONFIG });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("FAILED   fail: it broke\n");
    expect(r.stderr).toContain("ERROR Promise 'fail' failed with output: it broke");
  });

  test("--json prints the results", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("check", "echo fine");
    const r = await slapos(["promise", "run", "--json", p.path], { env: NO_CONFIG });
    const out = JSON.parse(r.stdout);
    expect(out.error).toBeNull();
    expect(out.results[0]).toMatchObject({ name: "check", failed: false, message: "fine", type: "Test Result" });
  });

  test("--promise-timeout bounds each promise", async () => {
    const p = new TestPartition(openTempDir());
    p.legacy("slow", "sleep 30");
    const r = await slapos(["promise", "run", "--promise-timeout", "1", p.path], { env: NO_CONFIG });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("FAILED   slow: Error: Promise timed out after 1 seconds\n");
  });

  test("a folder that does not exist is refused with a line naming it", async () => {
    const r = await slapos(["promise", "run", "/nonexistent/slappart9"], { env: NO_CONFIG });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not a partition folder: /nonexistent/slappart9");
  });

  test("a plugin file from plugin_list adds a promise kind", async () => {
    const dir = openTempDir();
    const plugin = join(dir, "acme-file.ts");
    writeFileSync(
      plugin,
      `import { existsSync } from "node:fs";
export default {
  name: "acme-file", version: "1.0.0", apiVersion: "^1.0.0",
  apply(hooks) {
    hooks.promise.run.tapPromise("acme-file", async (input) => {
      if (input.promise.kind !== "file-exists") return undefined;
      const path = String(input.promise.config.path);
      return existsSync(path)
        ? { log: [{ level: "INFO", message: path + " is there" }] }
        : { log: [{ level: "ERROR", message: path + " is missing" }] };
    });
  },
};
`,
    );
    const cfg = join(dir, "slapos.cfg");
    writeFileSync(cfg, `[slapos]\nplugin_list =\n  ${plugin}\n`);
    const p = new TestPartition(dir);
    p.declare("pidfile", { kind: "file-exists", path: join(dir, "app.pid") });
    const missing = await slapos(["promise", "run", "--cfg", cfg, p.path]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe(`FAILED   pidfile: ${join(dir, "app.pid")} is missing\n`);
    writeFileSync(join(dir, "app.pid"), "1");
    const present = await slapos(["promise", "run", "--cfg", cfg, p.path]);
    expect(present.code).toBe(0);
    expect(p.result("pidfile").result).toMatchObject({ failed: false, message: `${join(dir, "app.pid")} is there` });
  });

  test("plugin list shows the promise plugin and its hooks", async () => {
    const r = await slapos(["plugin", "list"], { env: NO_CONFIG });
    expect(r.stdout).toMatch(/promise +1\.0\.0 +built-in +promise\.run, promise\.check\b/);
  });
});
