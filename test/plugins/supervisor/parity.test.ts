/**
 * Parity: one scripted session run three times on identical
 * configurations — the stock supervisorctl against Debian's supervisord
 * (offline), the stock supervisorctl against our daemon, and our client
 * against our daemon — must print the same lines and exit with the same
 * codes (pids, uptimes and dates aside).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../helpers/ports.ts";
import { makeInstance, normalize, ourCtl, program, script, startDaemon, stockCtl, noteDaemon, type CtlResult, type Instance } from "./helpers.ts";

/** `unordered`: supervisord lists a group's results in the order the stops complete, which varies from run to run. */
type Step = { args: string[]; before?: (i: Instance) => void; settle?: string; unordered?: boolean };

function setup(instance: Instance): void {
  const loop = script(join(instance.dir, "loop.sh"), 'echo "hello $1"; echo "oops $1" >&2; exec sleep 1000');
  writeFileSync(join(instance.confDir, "a.conf"), program(instance, "a", `${loop} a`));
  writeFileSync(join(instance.confDir, "b.conf"), program(instance, "b", `${loop} b`, { autostart: false }));
  writeFileSync(
    join(instance.confDir, "grp.conf"),
    `[group:grp]\nprograms=x,y\n\n` +
      program(instance, "x", `${loop} x`, { autostart: false, priority: 10 }) +
      "\n" +
      program(instance, "y", `${loop} y`, { autostart: false, priority: 20 }),
  );
}

const STEPS: Step[] = [
  { args: ["status"] },
  { args: ["start", "b"] },
  { args: ["start", "b"] },
  { args: ["start", "nosuch"] },
  { args: ["status", "b", "nosuch", "nogroup:*"] },
  { args: ["stop", "a"] },
  { args: ["stop", "a"] },
  { args: ["restart", "b"] },
  { args: ["tail", "b"], settle: "hello b" },
  { args: ["tail", "-5", "b"] },
  { args: ["tail", "nosuch"] },
  { args: ["tail", "b", "bogus"] },
  { args: ["pid", "nosuch"] },
  { args: ["start", "grp:*"], unordered: true },
  { args: ["status", "grp:*"] },
  { args: ["signal", "HUP", "a"] },
  { args: ["stop", "grp:*"], unordered: true },
  { args: ["stop"] },
  { args: ["clear", "b"] },
  { args: ["version"] },
  { args: ["help"] },
  { args: ["help", "update"] },
  { args: ["bogus", "x"] },
  {
    args: ["reread"],
    before: (i) => {
      writeFileSync(join(i.confDir, "c.conf"), program(i, "c", `${join(i.dir, "loop.sh")} c`));
      writeFileSync(join(i.confDir, "b.conf"), program(i, "b", `${join(i.dir, "loop.sh")} b2`, { autostart: false }));
      rmSync(join(i.confDir, "a.conf"));
    },
  },
  { args: ["update"] },
  { args: ["update"] },
  { args: ["remove", "nosuch"] },
  { args: ["add", "c"] },
  { args: ["avail"] },
  { args: ["status"], settle: "c" },
  { args: ["shutdown"] },
];

async function startReal(instance: Instance): Promise<void> {
  const child = Bun.spawn(["unshare", "-n", "sh", "-c", `ip link set lo up; exec supervisord -c '${instance.conf}'`], { stdout: "pipe", stderr: "pipe" });
  const code = await child.exited;
  noteDaemon(instance);
  if (code !== 0) throw new Error(`supervisord: ${await new Response(child.stderr).text()}`);
  await waitFor(() => existsSync(instance.socket), 30, "real supervisord");
}

async function session(instance: Instance, run: (conf: string, args: string[]) => Promise<CtlResult>): Promise<string[]> {
  const out: string[] = [];
  await waitFor(async () => (await run(instance.conf, ["status", "a"])).stdout.includes("RUNNING"), 30, "a running");
  for (const step of STEPS) {
    step.before?.(instance);
    if (step.settle) {
      const settle = step.settle;
      await waitFor(async () => (await run(instance.conf, step.args)).stdout.includes(settle), 20, settle);
    }
    const result = await run(instance.conf, step.args);
    const text = normalize(result.stdout);
    out.push(`$ ${step.args.join(" ")} [${result.code}]\n${step.unordered ? text.split("\n").sort().join("\n") : text}`);
  }
  return out;
}

describe("supervisorctl parity", () => {
  const real = makeInstance("", "sv-real-");
  const ours = makeInstance("", "sv-ours-");
  const ours2 = makeInstance("", "sv-ours2-");
  const realAgain = makeInstance("", "sv-real2-");
  for (const i of [real, ours, ours2, realAgain]) setup(i);

  test("stock supervisorctl gets the same answers from our daemon as from Debian's supervisord", async () => {
    await startReal(real);
    await startDaemon(ours);
    const [expected, actual] = await Promise.all([session(real, stockCtl), session(ours, stockCtl)]);
    if (process.env.SHOW_SESSION) console.log(actual.join("\n"));
    expect(actual).toEqual(expected);
  }, 180_000);

  test("our supervisorctl prints what the stock one prints", async () => {
    await startReal(realAgain);
    await startDaemon(ours2);
    const [expected, actual] = await Promise.all([session(realAgain, stockCtl), session(ours2, ourCtl)]);
    expect(actual).toEqual(expected);
  }, 180_000);
});
