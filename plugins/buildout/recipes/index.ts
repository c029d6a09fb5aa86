/**
 * The built-in recipes of the native buildout, by zc.buildout entry-point
 * name (the engine treats `dist` and `dist:default` alike). Every factory is wrapped so that
 * a failure names the part, the recipe and the phase.
 */
import type { RecipeFactory } from "../recipe-api.ts";
import { checkPortListening } from "./check-port-listening.ts";
import { checkUrlAvailable } from "./check-url-available.ts";
import { command } from "./command.ts";
import { cronD } from "./cron.ts";
import { download, downloadUnpacked } from "./download.ts";
import { freePort } from "./free-port.ts";
import { generatePasswordRecipe } from "./generate-password.ts";
import { jinja2 } from "./jinja2.ts";
import { mkdirectory } from "./mkdirectory.ts";
import { promisePlugin } from "./promise-plugin.ts";
import { publish, publishFailsafe, publishSerialised, publishSerialisedFailsafe } from "./publish.ts";
import { request, requestOptional, requestOptionalSerialised, requestSerialised } from "./request.ts";
import { slapconfiguration, slapconfigurationSerialised } from "./slapconfiguration.ts";
import { slapconfigurationJsonschema } from "./slapconfiguration-jsonschema.ts";
import { switchSoftwaretype, switchSoftwaretypeNoop } from "./switch-softwaretype.ts";
import { symbolicLink } from "./symbolic-link.ts";
import { collectiveTemplate, slaposTemplate } from "./template.ts";
import { wrapFactory } from "./util/errors.ts";
import { wrapper } from "./wrapper.ts";

const RECIPES: Record<string, RecipeFactory> = {
  "slapos.recipe.template": slaposTemplate,
  "slapos.recipe.template:jinja2": jinja2,
  "collective.recipe.template": collectiveTemplate,
  "plone.recipe.command": command,
  "slapos.cookbook:wrapper": wrapper,
  "slapos.cookbook:mkdirectory": mkdirectory,
  "slapos.cookbook:generate.password": generatePasswordRecipe,
  "slapos.cookbook:switch-softwaretype": switchSoftwaretype,
  "slapos.cookbook:switch-softwaretype.noop": switchSoftwaretypeNoop,
  "slapos.cookbook:promise.plugin": promisePlugin,
  "slapos.cookbook:check_port_listening": checkPortListening,
  "slapos.cookbook:check_url_available": checkUrlAvailable,
  "slapos.cookbook:slapconfiguration": slapconfiguration,
  "slapos.cookbook:slapconfiguration.serialised": slapconfigurationSerialised,
  "slapos.cookbook:slapconfiguration.jsonschema": slapconfigurationJsonschema,
  "slapos.cookbook:publish": publish,
  "slapos.cookbook:publish.serialised": publishSerialised,
  "slapos.cookbook:publish_failsafe": publishFailsafe,
  "slapos.cookbook:publish.serialised_failsafe": publishSerialisedFailsafe,
  "slapos.cookbook:request": request,
  "slapos.cookbook:requestoptional": requestOptional,
  "slapos.cookbook:request.serialised": requestSerialised,
  "slapos.cookbook:requestoptional.serialised": requestOptionalSerialised,
  "slapos.cookbook:cron.d": cronD,
  "slapos.cookbook:symbolic.link": symbolicLink,
  "slapos.cookbook:free_port": freePort,
  "slapos.recipe.build:download": download,
  "slapos.recipe.build:download-unpacked": downloadUnpacked,
};

/** Built-in recipes by entry point, each framed with its part and recipe names on failure. */
export const builtinRecipes: Record<string, RecipeFactory> = Object.fromEntries(
  Object.entries(RECIPES).map(([entryPoint, factory]) => [entryPoint, wrapFactory(entryPoint, factory)]),
);
