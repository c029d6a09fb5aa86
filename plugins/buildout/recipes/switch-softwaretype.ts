/**
 * slapos.cookbook:switch-softwaretype — runs a nested buildout on the
 * profile mapped to the partition's software type.
 *
 * The type is `[slap-configuration] slap-software-type` (that section name
 * is mandatory). The option named after the type holds `section:option`
 * (not `${}`) naming the rendered profile; `RootSoftwareInstance` falls
 * back to `default`. The nested run uses `installed =
 * .installed-<part>.cfg`, the parent's offline/newest/directory/eggs
 * folders, a copy of [slap-connection], and the parent's
 * [slap-configuration] options through a `switch-softwaretype.noop` stub so
 * the child does not ask the master again. `override` (a dict value) maps
 * a type to a profile that extends the base one. Update = install.
 */
import type { OptionValue, RecipeFactory } from "../recipe-api.ts";
import { UserError } from "./util/errors.ts";
import { deleteOption, optionValue, sectionValues, setOptionValue } from "./util/options.ts";

export const NOOP_KEY = "-switch-softwaretype.noop";

export const switchSoftwaretype: RecipeFactory = async (buildout, name, options) => {
  let softwareType: string | undefined;
  let slapConfiguration;
  try {
    slapConfiguration = await buildout.section("slap-configuration");
    softwareType = slapConfiguration.get("slap-software-type");
  } catch {
    softwareType = undefined;
  }
  if (softwareType === undefined || !slapConfiguration) {
    throw new UserError(
      "The section to retrieve slap partition parameters (with slapos.cookbook:slapconfiguration recipe or a derived one) must be named [slap-configuration].",
    );
  }
  let mapping = options.get(softwareType);
  if (mapping === undefined) {
    if (softwareType !== "RootSoftwareInstance") {
      throw new UserError(`This software type (${softwareType}) isn't mapped. 'default' is the default software type.`);
    }
    softwareType = "default";
    mapping = options.get("default");
    if (mapping === undefined) throw new UserError("The software type 'RootSoftwareInstance' isn't mapped. We even tried 'default' but it isn't mapped either.");
    buildout.log.info("The software_type 'RootSoftwareInstance' is deprecated. We used 'default' instead. Please change the software_type of your instance to 'default'.");
  }
  const parts = mapping.split(":");
  if (parts.length !== 2) {
    throw new UserError(
      `The software types in the section [${name}] must be separated by a colon such as: 'section:key', where key is usually 'rendered'. Don't use: \${section:key}`,
    );
  }
  const [sectionName, key] = parts as [string, string];
  const base = (await buildout.section(sectionName)).get(key);
  if (base === undefined) throw new UserError(`Referenced option does not exist: ${sectionName} ${key}`);
  const type = softwareType;

  const install = async (): Promise<string[]> => {
    if (!buildout.subBuildout) throw new UserError("this buildout engine cannot run a nested buildout");
    const assignments: Array<[string, string, OptionValue]> = [["buildout", "installed", `.installed-${name}.cfg`]];
    let profile = base;
    const override = optionValue(options, "override");
    if (override && typeof override === "object" && !Array.isArray(override) && typeof override[type] === "string") {
      assignments.push(["buildout", "extends", profile]);
      profile = override[type] as string;
    }
    for (const option of ["offline", "verbosity", "newest", "directory", "eggs-directory", "develop-eggs-directory"]) {
      const value = buildout.buildout.get(option);
      if (value !== undefined) assignments.push(["buildout", option, value]);
    }
    const connection = await buildout.section("slap-connection");
    for (const [k, v] of Object.entries(sectionValues(connection))) assignments.push(["slap-connection", k, v]);
    assignments.push(["slap-configuration", NOOP_KEY, sectionValues(slapConfiguration)]);
    assignments.push(["slap-configuration", "recipe", "slapos.cookbook:switch-softwaretype.noop"]);
    await buildout.subBuildout({ config: profile, assignments });
    return [];
  };
  return { install, update: install };
};

/** The stub [slap-configuration] of the nested buildout: the parent's options, copied. */
export const switchSoftwaretypeNoop: RecipeFactory = (_buildout, _name, options) => {
  const copied = optionValue(options, NOOP_KEY);
  deleteOption(options, NOOP_KEY);
  let values: Record<string, OptionValue> = {};
  if (copied && typeof copied === "object" && !Array.isArray(copied)) values = copied;
  else if (typeof copied === "string" && copied) values = JSON.parse(copied) as Record<string, OptionValue>;
  for (const [key, value] of Object.entries(values)) if (key !== "recipe") setOptionValue(options, key, value);
  return { install: () => [], update: () => [] };
};
