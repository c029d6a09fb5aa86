/**
 * The event listener protocol (READY / RESULT, headers and payload,
 * rejection and re-delivery, buffer overflow, protocol violations) and the
 * watchdog plugged in as upstream does: it bangs the master for a watched
 * service that died, once per deployment.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY } from "../../helpers/binary.ts";
import { freePort, waitFor } from "../../helpers/ports.ts";
import { makeInstance, program, readText, rpc, script, startDaemon } from "./helpers.ts";

const LISTENER = `while true; do
  printf 'READY\\n'
  read header || exit 0
  len=$(echo "$header" | sed 's/.*len:\\([0-9]*\\).*/\\1/')
  payload=$(head -c "$len")
  echo "$header|$payload" >> "$1"
  if [ -n "$2" ] && [ ! -e "$1.rejected" ]; then touch "$1.rejected"; printf 'RESULT 4\\nFAIL'; else printf 'RESULT 2\\nOK'; fi
done`;

const instance = makeInstance();
const dir = instance.dir;
const events = join(dir, "events.txt");
const rejected = join(dir, "rejected.txt");

describe("event listeners", () => {
  beforeAll(async () => {
    const listener = script(join(dir, "listener.sh"), LISTENER);
    const listen = (name: string, args: string, eventsLine: string, extra: Record<string, string | number> = {}) =>
      `[eventlistener:${name}]\ncommand=${listener} ${args}\nevents=${eventsLine}\nstdout_logfile=${join(dir, "logs", name + ".log")}\n` +
      Object.entries(extra)
        .map(([k, v]) => `${k}=${v}\n`)
        .join("");
    writeFileSync(join(instance.confDir, "l1.conf"), listen("collector", events, "PROCESS_STATE"));
    writeFileSync(join(instance.confDir, "l2.conf"), listen("picky", `${rejected} reject`, "PROCESS_STATE_EXITED"));
    const broken = script(join(dir, "broken.sh"), "printf 'HELLO\\n'; exec sleep 1000");
    writeFileSync(
      join(instance.confDir, "l3.conf"),
      `[eventlistener:broken]\ncommand=${broken}\nevents=PROCESS_STATE_EXITED\nbuffer_size=2\nstdout_logfile=${join(dir, "logs", "broken.log")}\n`,
    );
    const once = script(join(dir, "once.sh"), "sleep 0.3; exit 5");
    writeFileSync(join(instance.confDir, "p.conf"), program(instance, "worker", once, { autostart: false, autorestart: false, exitcodes: "0" }));
    await startDaemon(instance);
    await waitFor(() => readText(join(dir, "logs", "collector.log")).includes("READY"), 20, "collector ready");
  });

  test("a listener receives PROCESS_STATE events with supervisord's header and payload", async () => {
    await rpc(instance)("startProcess", "worker");
    await waitFor(() => readText(events).includes("PROCESS_STATE_EXITED"), 20, "exited event");
    const lines = readText(events).trim().split("\n");
    const exited = lines.find((l) => l.includes("eventname:PROCESS_STATE_EXITED"))!;
    const [header, payload] = exited.split("|");
    expect(header).toMatch(
      /^ver:3\.0 server:supervisor serial:\d+ pool:collector poolserial:\d+ eventname:PROCESS_STATE_EXITED len:\d+$/,
    );
    expect(payload).toMatch(/^processname:worker groupname:worker from_state:RUNNING expected:0 pid:\d+$/);
    expect(Number(/len:(\d+)/.exec(header)![1])).toBe(payload.length);
    const names = lines.filter((l) => l.includes("processname:worker")).map((l) => /eventname:(\w+)/.exec(l)![1]);
    expect(names).toEqual(["PROCESS_STATE_STARTING", "PROCESS_STATE_RUNNING", "PROCESS_STATE_EXITED"]);
  });

  test("an event the listener rejects is delivered again", async () => {
    await waitFor(() => (readText(rejected).match(/processname:worker/g) ?? []).length >= 2, 20, "redelivery");
    const deliveries = readText(rejected).trim().split("\n");
    expect(deliveries[0].split("|")[1]).toBe(deliveries[1].split("|")[1]);
    expect(readText(instance.log)).toContain("picky: event was rejected");
  });

  test("a listener that breaks the protocol goes UNKNOWN; its overflowing buffer drops the oldest events", async () => {
    await waitFor(() => readText(instance.log).includes("broken: has entered the UNKNOWN state"), 20, "unknown state");
    const call = rpc(instance);
    for (let i = 0; i < 3; i++) {
      await call("startProcess", "worker");
      await waitFor(async () => ((await call("getProcessInfo", "worker")) as { statename: string }).statename === "EXITED", 20, "exit");
    }
    expect(readText(instance.log)).toMatch(/ERRO pool broken event buffer overflowed, discarding event \d+/);
  });
});

describe("watchdog", () => {
  const root = makeInstance("", "sv-wd-");
  const bangs: Array<Record<string, string>> = [];
  let server: ReturnType<typeof Bun.serve>;
  const partition = join(root.dir, "slappart0");

  beforeAll(async () => {
    const port = await freePort();
    server = Bun.serve({
      port,
      hostname: "127.0.0.1",
      async fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === "/softwareInstanceBang") bangs.push(Object.fromEntries(new URLSearchParams(await request.text())));
        return new Response("OK");
      },
    });
    mkdirSync(partition);
    writeFileSync(join(partition, ".timestamp"), "1700000000.25");
    const fail = script(join(root.dir, "fail.sh"), "sleep 0.2; exit 1");
    writeFileSync(
      join(root.confDir, "watchdog.conf"),
      `[eventlistener:watchdog]\ncommand=${BINARY} node watchdog --master-url 'http://127.0.0.1:${port}'  --computer-id 'COMP-1' --instance-root '${root.dir}'\n` +
        `events=PROCESS_STATE_EXITED, PROCESS_STATE_FATAL\nstderr_logfile=${join(root.dir, "logs", "watchdog.err")}\n`,
    );
    writeFileSync(
      join(root.confDir, "slappart0.conf"),
      `[group:slappart0]\nprograms=slappart0_svc,slappart0_run\n\n` +
        program(root, "slappart0_svc", fail, { process_name: "svc-on-watch", autostart: false, autorestart: false }) +
        "\n" +
        program(root, "slappart0_run", fail, { process_name: "run", autostart: false, autorestart: false }),
    );
    await startDaemon(root);
    await waitFor(async () => ((await rpc(root)("getProcessInfo", "watchdog")) as { statename: string }).statename === "RUNNING", 30, "watchdog");
  });

  afterAll(() => server?.stop(true));

  const exitOf = async (name: string) => {
    const call = rpc(root);
    await call("startProcess", name);
    await waitFor(async () => ((await call("getProcessInfo", name)) as { statename: string }).statename === "EXITED", 20, `${name} exit`);
  };

  test("a watched service that dies bangs the master once and records the deployment's timestamp", async () => {
    await exitOf("slappart0:svc-on-watch");
    await waitFor(() => bangs.length === 1, 20, "bang");
    expect(bangs[0]).toEqual({
      computer_id: "COMP-1",
      computer_partition_id: "slappart0",
      message: "svc-on-watch process in partition slappart0 encountered a problem",
    });
    await waitFor(() => readText(join(partition, ".slapos_latest_bang_timestamp")) === "1700000000.25", 10, "bang timestamp");
  });

  test("a second death in the same deployment does not bang again; an unwatched program never bangs", async () => {
    await exitOf("slappart0:svc-on-watch");
    await exitOf("slappart0:run");
    // The watchdog handles events in order: a marker event after them proves they were seen.
    writeFileSync(join(partition, ".timestamp"), "1700000100.5");
    await exitOf("slappart0:svc-on-watch");
    await waitFor(() => bangs.length === 2, 20, "bang after redeploy");
    expect(bangs.map((b) => b.message)).toEqual([
      "svc-on-watch process in partition slappart0 encountered a problem",
      "svc-on-watch process in partition slappart0 encountered a problem",
    ]);
  });

  test("[BUG] fixed: float timestamps from slapproxy do not crash the watchdog", async () => {
    expect(readFileSync(join(partition, ".slapos_latest_bang_timestamp"), "utf8")).toBe("1700000100.5");
    expect(readText(join(root.dir, "logs", "watchdog.err"))).not.toContain("Error");
    expect(((await rpc(root)("getProcessInfo", "watchdog")) as { statename: string }).statename).toBe("RUNNING");
  });
});
