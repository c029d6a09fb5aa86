/**
 * slapos.cookbook:cron.d — writes `<cron-entries>/<name>` holding one line,
 * `<frequency> <command>`. `time` may replace `frequency` with a
 * systemd.time(7) calendar spec (`daily`, `Mon,Fri 02:30`, `*-*-1 4:00`),
 * converted to cron syntax as upstream does.
 */
import { join } from "node:path";
import type { RecipeFactory } from "../recipe-api.ts";
import { UserError } from "./util/errors.ts";
import { createFile } from "./util/files.ts";

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const DAY_OF_WEEK = new Map<string, number>(DAYS.flatMap((name, i) => [[name, i], [name.slice(0, 3), i]] as Array<[string, number]>));
const SYMBOLIC: Record<string, string> = {
  minutely: "* * * * *",
  hourly: "0 * * * *",
  daily: "0 0 * * *",
  weekly: "0 0 * * 0",
  monthly: "0 0 1 * *",
  yearly: "0 0 1 1 *",
};

function pyInt(text: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(text)) throw new Error(`invalid literal ${text}`);
  return Number(text);
}

/** systemd.time(7) calendar spec → crontab spec; throws on what cron cannot express. */
export function systemdToCron(specText: string): string {
  if (SYMBOLIC[specText]) return SYMBOLIC[specText]!;
  if (!specText.trim()) throw new Error("empty");
  const spec = specText.split(" ");
  let dow = "*";
  const days = spec[0]!.split(",").filter(Boolean);
  if (days.length && days.every((d) => d.split("-", 2).every((x) => DAY_OF_WEEK.has(x.toLowerCase())))) {
    dow = days.map((d) => d.split("-", 2).map((x) => String(DAY_OF_WEEK.get(x.toLowerCase()))).join("-")).sort().join(",");
    spec.shift();
  }
  let day = spec.length ? spec.shift()! : "*-*";
  let time: string;
  if (spec.length) {
    if (spec.length !== 1) throw new Error("too many fields");
    time = spec[0]!;
  } else if (day.includes(":")) {
    time = day;
    day = "*-*";
  } else time = "0:0";
  const dayParts = day.split("-");
  const timeParts = time.split(":");
  if (dayParts.length > 2 && dayParts.shift() !== "*") throw new Error("years are not supported");
  if (dow !== "*" && dayParts[1] !== "*") throw new Error("day of month with day of week");
  if (timeParts.length > 2 && pyInt(timeParts.pop()!)) throw new Error("seconds are not supported");
  if (dayParts.length !== 2 || timeParts.length !== 2) throw new Error("bad shape");
  const [month, dayOfMonth] = dayParts as [string, string];
  const [hour, minute] = timeParts as [string, string];
  const fields = [minute, hour, dayOfMonth, month, dow];
  const ranges: Array<[number, number]> = [[0, 60], [0, 24], [1, 31], [1, 12]];
  ranges.forEach(([low, size], i) => {
    const field = fields[i]!;
    if (field === "*") return;
    for (const item of field.split(",")) {
      const x = item.split("/", 2).map(pyInt);
      const a = x[0]! - low;
      if (a >= 0 && a < size) {
        if (x.length === 1) continue;
        const b = x[1]!;
        if (b > 0) {
          const span = Math.floor((size - a - 1) / b) * b;
          if (span) {
            fields[i] = `${x[0]}-${x[0]! + span}/${b}`;
            continue;
          }
        }
      }
      throw new Error("out of range");
    }
  });
  return fields.join(" ");
}

export const cronD: RecipeFactory = (_buildout, _name, options) => {
  const install = (): string[] => {
    let periodicity = options.get("frequency");
    if (periodicity === undefined) {
      const time = options.require("time");
      try {
        periodicity = systemdToCron(time);
      } catch {
        throw new UserError(`Invalid systemd calendar spec '${time}'`);
      }
    }
    const path = join(options.require("cron-entries"), options.require("name"));
    return [createFile(path, `${periodicity} ${options.require("command")}\n`, 0o666 & ~process.umask())];
  };
  return { install, update: install };
};
