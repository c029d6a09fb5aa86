/**
 * slapos.cookbook:publish (+ `.serialised`, `publish_failsafe`,
 * `publish.serialised_failsafe`): on install, publishes this partition's
 * connection parameters (or a shared instance's, with `-slave-reference`)
 * to the master named in [slap-connection].
 *
 * Published: every option but `recipe` and the `-`-prefixed ones, or only
 * those `-publish` lists; `-extends = a b` adds those sections' options,
 * recursively. `.serialised` sends `{"_": json.dumps(dict)}`. Update
 * republishes only when `-extends` is used. The failsafe variants write the
 * error to `-error-status-file` instead of failing, remove it on success,
 * reinstall on update while it exists, and remove it on uninstall.
 */
import { existsSync, rmSync, writeFileSync } from "node:fs";
import type { BuildoutView, OptionValue, Options, RecipeFactory } from "../recipe-api.ts";
import { fromOptionValue, jsonDumps } from "../py/json.ts";
import { UserError } from "./util/errors.ts";
import { optionValue } from "./util/options.ts";
import { slapClient, toWire } from "./util/slap.ts";

interface Variant {
  serialised: boolean;
  failsafe: boolean;
}

async function connectionOf(buildout: BuildoutView) {
  const connection = await buildout.section("slap-connection");
  return {
    client: slapClient(connection.get("server-url"), connection.get("key-file"), connection.get("cert-file")),
    computerId: connection.require("computer-id"),
    partitionId: connection.require("partition-id"),
  };
}

function make(variant: Variant): RecipeFactory {
  const factory: RecipeFactory = async (buildout, name, options) => {
    // Every section reachable through -extends, accessed now so they are dependencies.
    const sections = new Map<string, Options>([[name, options]]);
    const pending = [name];
    while (pending.length) {
      const current = sections.get(pending.pop()!)!;
      for (const other of (current.get("-extends") ?? "").split(/\s+/).filter(Boolean)) {
        if (sections.has(other)) continue;
        sections.set(other, other === name ? options : await buildout.section(other));
        pending.push(other);
      }
    }
    const errorFile = variant.failsafe ? options.get("-error-status-file") : undefined;

    const publish = async (): Promise<string[]> => {
      const values: Record<string, OptionValue> = {};
      for (const section of sections.values()) {
        const listed = section.get("-publish");
        const keys = listed !== undefined ? listed.split(/\s+/).filter(Boolean) : section.keys().filter((k) => k !== "recipe" && !k.startsWith("-"));
        for (const key of keys) {
          const value = optionValue(section, key);
          if (value === undefined) throw new UserError(`option ${key} of section [${section.name}] does not exist`);
          values[key] = value;
        }
      }
      const slaveReference = options.get("-slave-reference") || undefined;
      const { client, computerId, partitionId } = await connectionOf(buildout);
      const connection = variant.serialised
        ? { _: jsonDumps(fromOptionValue(values)) }
        : Object.fromEntries(Object.entries(values).map(([k, v]) => [k, toWire(v)]));
      await client.setConnectionDict(computerId, partitionId, connection, slaveReference);
      return [];
    };

    const install = async (): Promise<string[]> => {
      if (!variant.failsafe) return publish();
      try {
        await publish();
        if (errorFile && existsSync(errorFile)) rmSync(errorFile);
      } catch (error) {
        if (errorFile) writeFileSync(errorFile, `${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
        buildout.log.warning(`[${name}] publishing failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return [];
    };
    const update = async (): Promise<void> => {
      if (variant.failsafe && errorFile && existsSync(errorFile)) {
        await install();
        return;
      }
      if (sections.size > 1) await install();
    };
    return { install, update };
  };
  if (variant.failsafe) {
    factory.uninstall = (_name, saved) => {
      const errorFile = saved["-error-status-file"];
      if (errorFile && existsSync(errorFile)) rmSync(errorFile);
    };
  }
  return factory;
}

export const publish = make({ serialised: false, failsafe: false });
export const publishSerialised = make({ serialised: true, failsafe: false });
export const publishFailsafe = make({ serialised: false, failsafe: true });
export const publishSerialisedFailsafe = make({ serialised: true, failsafe: true });
