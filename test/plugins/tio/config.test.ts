/**
 * What collect reads from slapos.cfg (format-collect-cli.md §2.1;
 * acceptance check 33).
 */
import { describe, expect, test } from "bun:test";
import { SlapConfig } from "../../../core/config/slap-config.ts";
import { SlapError } from "../../../core/errors.ts";
import { collectConfig } from "../../../plugins/tio/config.ts";

const BASE = "[slapos]\ninstance_root = /srv/slapgrid\ncomputer_id = COMP-1\n\n[slapformat]\npartition_amount = 3\nuser_base_name = slapuser\npartition_base_name = slappart\n";
const parse = (text: string) => collectConfig(SlapConfig.parse(text));

describe("the partitions (TestCollectEntity.test_get_user_list)", () => {
  test("3 partitions give slapuser0..2 with the paths <instance_root>/slappart0..2", () => {
    expect(parse(BASE).partitions).toEqual([
      { user: "slapuser0", id: "slappart0", path: "/srv/slapgrid/slappart0" },
      { user: "slapuser1", id: "slappart1", path: "/srv/slapgrid/slappart1" },
      { user: "slapuser2", id: "slappart2", path: "/srv/slapgrid/slappart2" },
    ]);
  });
  test("[BUG] fixed: without base names, slapuser/slappart rather than None0", () => {
    const config = parse("[slapos]\ninstance_root = /i\ncomputer_id = C\n[slapformat]\npartition_amount = 1\n");
    expect(config.partitions[0]).toEqual({ user: "slapuser0", id: "slappart0", path: "/i/slappart0" });
  });
});

describe("defaults", () => {
  const config = parse(BASE);
  test("collect_cache 15 days, model no_model, no heating sensor", () => {
    expect(config.collectCache).toBe(15);
    expect(config.computerModelId).toBe("no_model");
    expect(config.heatingSensorId).toBeUndefined();
  });
  test("disk usage on, once a day, guards in <instance_root>/var/run", () => {
    expect(config.diskUsage).toEqual({ enabled: true, pidFolder: "/srv/slapgrid/var/run", timeCycle: 86400 });
  });
  test("the root check follows root_check, true by default", () => {
    expect(config.rootCheck).toBe(true);
    expect(parse(BASE.replace("[slapos]\n", "[slapos]\nroot_check = false\n")).rootCheck).toBe(false);
  });
});

describe("[collect] and [slapformat] keys", () => {
  test("the reference's keys; report_disk_usage accepts true, on and 1", () => {
    const config = parse(`${BASE}[collect]\nreport_disk_usage = off\ndisk_snapshot_process_pid_foder = /run/x\ndisk_snapshot_time_cycle = 60\n`);
    expect(config.diskUsage).toEqual({ enabled: false, pidFolder: "/run/x", timeCycle: 60 });
    expect(parse(`${BASE}[collect]\nreport_disk_usage = On\n`).diskUsage.enabled).toBe(true);
    expect(parse(`${BASE}[collect]\nreport_disk_usage = 1\n`).diskUsage.enabled).toBe(true);
  });
  test("heating_sensor_id no_sensor means no heating test", () => {
    expect(parse(BASE.replace("[slapformat]\n", "[slapformat]\nheating_sensor_id = no_sensor\n")).heatingSensorId).toBeUndefined();
    expect(parse(BASE.replace("[slapformat]\n", "[slapformat]\nheating_sensor_id = coretemp-isa-0000 Core 0:\n")).heatingSensorId).toBe("coretemp-isa-0000 Core 0:");
  });
});

describe("errors name what is wrong", () => {
  const message = (text: string) => {
    try {
      parse(text);
    } catch (error) {
      expect(error).toBeInstanceOf(SlapError);
      return (error as Error).message;
    }
    return "no error";
  };
  test("missing partition_amount", () => {
    expect(message("[slapos]\ninstance_root = /i\ncomputer_id = C\n")).toContain("partition_amount");
  });
  test("missing instance_root", () => {
    expect(message("[slapos]\ncomputer_id = C\n[slapformat]\npartition_amount = 1\n")).toContain("instance_root");
  });
  test("a partition_amount that is not a number", () => {
    expect(message(BASE.replace("partition_amount = 3", "partition_amount = many"))).toContain("partition_amount");
  });
  test("a negative cpu_sample_interval", () => {
    expect(message(`${BASE}[collect]\ncpu_sample_interval = -1\n`)).toContain("cpu_sample_interval");
  });
  test("a root_check that is not a boolean", () => {
    expect(message(BASE.replace("[slapos]\n", "[slapos]\nroot_check = maybe\n"))).toContain("root_check");
  });
});
