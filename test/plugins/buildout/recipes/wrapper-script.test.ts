/**
 * The launcher scripts of slapos.cookbook:wrapper: the simple form is
 * upstream's shell text byte for byte; the extended features (pidfile,
 * wait-for-files, private tmpfs, redirects) are checked by running them.
 */
import { expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wrapperScript } from "../../../../plugins/buildout/recipes/wrapper-script.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { waitFor } from "../../../helpers/ports.ts";

function script(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o700);
  return path;
}

async function run(path: string, args: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const child = Bun.spawn([path, ...args], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}

test("simple form: sorted quoted exports and exec on one line", () => {
  expect(wrapperScript({ args: ["/bin/echo", "hello world"], environment: { B: "x y", A: "1" } })).toBe(
    "#!/bin/sh -e\nexport A=1\nexport B='x y'\nexec /bin/echo 'hello world' \"$@\"\n",
  );
});

test("simple form: arguments wrap once a line reaches 40 characters", () => {
  const text = wrapperScript({
    args: ["/opt/slapgrid/software/aaaaaaaaaaaa/bin/program", "--config", "/srv/slapgrid/slappart0/etc/program.conf"],
    environment: {},
  });
  expect(text).toBe(
    '#!/bin/sh -e\nexec /opt/slapgrid/software/aaaaaaaaaaaa/bin/program \\\n\t--config /srv/slapgrid/slappart0/etc/program.conf \\\n\t"$@"\n',
  );
});

test("simple form: sig-ign adds a trap line", () => {
  expect(wrapperScript({ args: ["/bin/true"], environment: {}, sigIgn: "USR1" })).toBe("#!/bin/sh -e\ntrap '' USR1\nexec /bin/true \"$@\"\n");
});

test("a wrapper passes its environment and extra arguments to the program", async () => {
  const dir = tempDir();
  const path = script(dir, "w", wrapperScript({ args: ["/bin/sh", "-c", 'printf "%s|%s" "$GREETING" "$*"', "sh", "fixed"], environment: { GREETING: "it's me" } }));
  expect(await run(path, ["extra"])).toEqual({ code: 0, out: "it's me|fixed extra", err: "" });
});

test("pidfile: a second start of the same command is refused while the first runs", async () => {
  const dir = tempDir();
  const pidfile = join(dir, "run.pid");
  const path = script(dir, "w", wrapperScript({ args: ["/bin/sleep", "30"], environment: {}, pidfile }));
  const first = Bun.spawn([path], { stdout: "ignore", stderr: "ignore" });
  try {
    await waitFor(() => existsSync(pidfile) && readFileSync(pidfile, "utf8").trim() === String(first.pid), 10, "pidfile");
    const second = await run(path);
    expect(second.code).toBe(1);
    expect(second.err).toBe(`Already running with pid ${first.pid}.\n`);
  } finally {
    first.kill();
  }
});

test("pidfile: a stale pid does not prevent the start", async () => {
  const dir = tempDir();
  const pidfile = join(dir, "run.pid");
  writeFileSync(pidfile, "999999");
  const path = script(dir, "w", wrapperScript({ args: ["/bin/echo", "started"], environment: {}, pidfile }));
  expect(await run(path)).toEqual({ code: 0, out: "started\n", err: "" });
});

test("wait-for-files: the program starts once the files exist", async () => {
  const dir = tempDir();
  const marker = join(dir, "ready");
  const path = script(dir, "w", wrapperScript({ args: ["/bin/cat", marker], environment: {}, waitFor: [marker] }));
  const child = Bun.spawn([path], { stdout: "pipe", stderr: "pipe" });
  writeFileSync(marker, "go");
  const out = await new Response(child.stdout).text();
  expect(await child.exited).toBe(0);
  expect(out).toBe("go");
});

test("redirect-stdout and redirect-stderr append to files", async () => {
  const dir = tempDir();
  const out = join(dir, "out.log");
  const err = join(dir, "err.log");
  writeFileSync(out, "before\n");
  const path = script(dir, "w", wrapperScript({ args: ["/bin/sh", "-c", "echo to-out; echo to-err >&2"], environment: {}, redirect: [undefined, out, err] }));
  expect((await run(path)).code).toBe(0);
  expect(readFileSync(out, "utf8")).toBe("before\nto-out\n");
  expect(readFileSync(err, "utf8")).toBe("to-err\n");
});

test("private-tmpfs mounts a private tmpfs and keeps the real uid", async () => {
  const dir = tempDir();
  const mount = join(dir, "private");
  const path = script(
    dir,
    "w",
    wrapperScript({ args: ["/bin/sh", "-c", `touch ${mount}/inside && stat -f -c %T ${mount} && id -u`], environment: {}, privateTmpfs: [["1m", mount]] }),
  );
  const result = await run(path);
  expect(result).toEqual({ code: 0, out: `tmpfs\n${process.getuid!()}\n`, err: "" });
  expect(existsSync(join(mount, "inside"))).toBe(false);
});
